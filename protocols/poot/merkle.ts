/**
 * The project's BLAKE3 Merkle rule (ARCHITECTURE.md): leaf = H(0x00 ‖ blob), node = H(0x01 ‖ left ‖ right),
 * an odd node is promoted to the next level, never duplicated. The same shape as protocols/session/merkle.ts,
 * whose `verifyInclusion` has the `VerifyInclusion` signature below and can be injected instead.
 */
import { blake3 } from './hash.js'
import { equalBytes } from './bytes.js'

const LEAF = Uint8Array.of(0x00)
const NODE = Uint8Array.of(0x01)

/** (root, leafCount, leafIndex, leafHash, proof) → does the proof lead from the leaf to the root. */
export type VerifyInclusion = (root: Uint8Array, leafCount: number, index: number, leaf: Uint8Array, proof: Uint8Array[]) => boolean

export function leafHash (blob: Uint8Array): Uint8Array {
  return blake3(LEAF, blob)
}

function nodeHash (left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake3(NODE, left, right)
}

function nextLevel (level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = []
  for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]))
  if (level.length % 2 === 1) next.push(level[level.length - 1])
  return next
}

/** Root over leaf hashes; the root of no leaves is 32 zero bytes (an empty payout batch). */
export function merkleRoot (leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32)
  let level = leaves.slice()
  while (level.length > 1) level = nextLevel(level)
  return level[0]
}

/** Sibling hashes from the leaf up; a level where the node was promoted contributes none. */
export function inclusionProof (leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  const proof: Uint8Array[] = []
  let level = leaves.slice()
  let i = index
  while (level.length > 1) {
    if ((i ^ 1) < level.length) proof.push(level[i ^ 1])
    level = nextLevel(level)
    i >>= 1
  }
  return proof
}

export const verifyInclusion: VerifyInclusion = (root, leafCount, index, leaf, proof) => {
  if (!Number.isInteger(leafCount) || leafCount < 1 || !Number.isInteger(index) || index < 0 || index >= leafCount) return false
  if (root.length !== 32 || leaf.length !== 32) return false
  let hash = leaf
  let i = index
  let width = leafCount
  let used = 0
  while (width > 1) {
    if ((i ^ 1) < width) {
      const s = proof[used++]
      if (s === undefined || s.length !== 32) return false
      hash = (i & 1) === 0 ? nodeHash(hash, s) : nodeHash(s, hash)
    }
    i >>= 1
    width = Math.ceil(width / 2)
  }
  return used === proof.length && equalBytes(hash, root)
}
