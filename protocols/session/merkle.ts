/**
 * BLAKE3 Merkle tree with domain separation: leaf = H(0x00 ‖ blob), node = H(0x01 ‖ left ‖ right).
 * A level with an odd count promotes its last node unchanged to the next level (never duplicated), so no two
 * different leaf lists share a root and no leaf can be counted twice. Proofs verify with the root alone
 * (plus the leaf's index and the leaf count, which fix the tree's shape).
 */
import { blake3 } from './blake3.js'
import { SessionError } from './errors.js'
import { equalBytes } from './bytes.js'

const LEAF = Uint8Array.of(0x00)
const NODE = Uint8Array.of(0x01)
export const HASH_BYTES = 32

export function leafHash (blob: Uint8Array): Uint8Array {
  return blake3.hash(LEAF, blob)
}

export function nodeHash (left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake3.hash(NODE, left, right)
}

function nextLevel (level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = []
  for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]))
  if (level.length % 2 === 1) next.push(level[level.length - 1])
  return next
}

/** The root over leaf hashes (at least one). */
export function merkleRoot (leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new SessionError('bad-input', 'a Merkle tree needs at least one leaf')
  let level = leaves.slice()
  while (level.length > 1) level = nextLevel(level)
  return level[0]
}

/** Sibling hashes from the leaf up; levels where the node was promoted contribute nothing. */
export type InclusionProof = Uint8Array[]

export function inclusionProof (leaves: readonly Uint8Array[], index: number): InclusionProof {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new SessionError('bad-input', `leaf index ${index} is outside 0..${leaves.length - 1}`)
  }
  const proof: Uint8Array[] = []
  let level = leaves.slice()
  let i = index
  while (level.length > 1) {
    const sibling = i ^ 1
    if (sibling < level.length) proof.push(level[sibling])
    level = nextLevel(level)
    i = Math.floor(i / 2)
  }
  return proof
}

/** Recomputes the root from a leaf and its proof; true only when it equals `root` and the proof has no spare hashes. */
export function verifyInclusion (root: Uint8Array, leafCount: number, index: number, leaf: Uint8Array, proof: InclusionProof): boolean {
  if (!Number.isInteger(leafCount) || leafCount < 1 || !Number.isInteger(index) || index < 0 || index >= leafCount) return false
  if (root.length !== HASH_BYTES || leaf.length !== HASH_BYTES) return false
  let hash = leaf
  let i = index
  let width = leafCount
  let used = 0
  while (width > 1) {
    const sibling = i ^ 1
    if (sibling < width) {
      const s = proof[used++]
      if (s === undefined || s.length !== HASH_BYTES) return false
      hash = (i & 1) === 0 ? nodeHash(hash, s) : nodeHash(s, hash)
    }
    i = Math.floor(i / 2)
    width = Math.ceil(width / 2)
  }
  return used === proof.length && equalBytes(hash, root)
}
