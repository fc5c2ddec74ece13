// Batch payouts as the routers verify them: OpenZeppelin's standard double-hashed leaf and MerkleProof's
// sorted-pair keccak tree (an odd node is promoted to the next level).
import { ethers } from 'ethers'

export interface BatchPayout { sessionId: string, to: string, amount: bigint, nonce: bigint }

export function batchLeaf (p: BatchPayout): string {
  const inner = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['bytes32', 'address', 'uint256', 'uint256'], [p.sessionId, p.to, p.amount, p.nonce]))
  return ethers.keccak256(inner)
}

function pair (a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]))
}

export function merkleTree (leaves: string[]): { root: string, proof: (index: number) => string[] } {
  if (leaves.length === 0) throw new Error('empty batch')
  const layers: string[][] = [leaves]
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

export const BATCH_TYPES = {
  PayoutBatch: [
    { name: 'root', type: 'bytes32' },
    { name: 'total', type: 'uint256' },
    { name: 'deadline', type: 'uint256' }
  ]
}

/** Batch approval signatures, ascending by signer address. */
export async function approveBatch (domain: ethers.TypedDataDomain, b: { root: string, total: bigint, deadline: bigint }, signers: ethers.BaseWallet[]): Promise<string[]> {
  const sorted = [...signers].sort((x, y) => (BigInt(x.address) < BigInt(y.address) ? -1 : 1))
  return await Promise.all(sorted.map(async (s) => await s.signTypedData(domain, BATCH_TYPES, b)))
}
