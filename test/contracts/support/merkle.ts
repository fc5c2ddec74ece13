// Batch payouts as the routers verify them: OpenZeppelin's standard double-hashed leaf and MerkleProof's
// sorted-pair keccak tree (an odd node is promoted to the next level).
import { ethers } from 'ethers'
import { ascendingSigners, keccakTree, type KeccakTree } from '../../../protocols/poot/payout-commitment.js'

export interface BatchPayout { sessionId: string, to: string, amount: bigint, nonce: bigint }

export function batchLeaf (p: BatchPayout): string {
  const inner = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['bytes32', 'address', 'uint256', 'uint256'], [p.sessionId, p.to, p.amount, p.nonce]))
  return ethers.keccak256(inner)
}

/** The routers' tree (protocols/poot's keccakTree); a batch has at least one payout. */
export function merkleTree (leaves: string[]): KeccakTree {
  if (leaves.length === 0) throw new Error('empty batch')
  return keccakTree(leaves)
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
  const sorted = ascendingSigners(signers)
  return await Promise.all(sorted.map(async (s) => await s.signTypedData(domain, BATCH_TYPES, b)))
}
