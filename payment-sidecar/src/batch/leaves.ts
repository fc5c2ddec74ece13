// How a Lucid payout entry becomes a router batch leaf (docs/contracts.md): OpenZeppelin's double-hashed leaf over
// (sessionId, to, amount, nonce) in a sorted-pair keccak tree.
//   sessionId = the batch's BLAKE3 root (so every TRON Paid event names the Lucid batch it pays)
//   nonce     = epoch · 2^32 + entry index (one nonce per entry per epoch: a second batch for the same epoch
//               cannot pay anyone again, the router refuses a used nonce)
//   amount    = netUsd (6 decimals, the token's unit)
import { ethers } from 'ethers'
import type { CommittedBatch, CommittedEntry } from './types.js'

export interface RouterLeaf { sessionId: string, to: string, amount: bigint, nonce: bigint }

export function leafOf (batch: Pick<CommittedBatch, 'id' | 'epoch'>, e: CommittedEntry): RouterLeaf {
  return { sessionId: batch.id, to: e.address, amount: e.netUsd, nonce: (BigInt(batch.epoch) << 32n) + BigInt(e.index) }
}

export function leafHash (p: RouterLeaf): string {
  const inner = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['bytes32', 'address', 'uint256', 'uint256'], [p.sessionId, p.to, p.amount, p.nonce]))
  return ethers.keccak256(inner)
}

function pair (a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]))
}

export interface KeccakTree { root: string, proof: (index: number) => string[] }

/** The tree MerkleProof verifies; an odd node is promoted. Zero leaves: root 0x00…0 (nothing to approve). */
export function keccakTree (leaves: readonly string[]): KeccakTree {
  if (leaves.length === 0) return { root: ethers.ZeroHash, proof: () => [] }
  const layers: string[][] = [[...leaves]]
  while (layers[layers.length - 1].length > 1) {
    const prev = layers[layers.length - 1]
    const next: string[] = []
    for (let i = 0; i < prev.length; i += 2) next.push(i + 1 < prev.length ? pair(prev[i], prev[i + 1]) : prev[i])
    layers.push(next)
  }
  return {
    root: layers[layers.length - 1][0],
    proof: (index) => {
      const out: string[] = []
      for (let l = 0, i = index; l < layers.length - 1; l++, i = Math.floor(i / 2)) {
        const sibling = i % 2 === 0 ? i + 1 : i - 1
        if (sibling < layers[l].length) out.push(layers[l][sibling])
      }
      return out
    }
  }
}

/** The route's entries in batch order, their leaves and tree. */
export function routeTree (batch: Pick<CommittedBatch, 'id' | 'epoch' | 'entries'>, route: 'v0' | 'kyc'): { entries: CommittedEntry[], leaves: RouterLeaf[], tree: KeccakTree, total: bigint } {
  const entries = batch.entries.filter((e) => e.route === route)
  const leaves = entries.map((e) => leafOf(batch, e))
  return { entries, leaves, tree: keccakTree(leaves.map(leafHash)), total: leaves.reduce((s, l) => s + l.amount, 0n) }
}

export const BATCH_TYPES = { PayoutBatch: [{ name: 'root', type: 'bytes32' }, { name: 'total', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] }
export const KYC_TYPES = { KycAttestation: [{ name: 'to', type: 'address' }, { name: 'kycHash', type: 'bytes32' }, { name: 'expiry', type: 'uint256' }] }

/** The EIP-712 digest from a router's own domainSeparator() (read from the router, so TRON's chain id is right). */
export function typedDigest (domainSeparator: string, types: Record<string, ethers.TypedDataField[]>, value: Record<string, unknown>): string {
  const struct = ethers.TypedDataEncoder.from(types).hash(value)
  return ethers.keccak256(ethers.concat(['0x1901', domainSeparator, struct]))
}
