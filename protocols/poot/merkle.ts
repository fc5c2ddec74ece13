/**
 * The project's BLAKE3 Merkle rule is protocols/session's (leaf = H(0x00 ‖ blob), node = H(0x01 ‖ left ‖ right),
 * an odd node promoted, never duplicated); PoOT adds one case: an empty payout batch has the all-zero root.
 */
import { inclusionProof, leafHash, merkleRoot as sessionMerkleRoot, verifyInclusion as sessionVerifyInclusion } from '../session/merkle.js'

/** (root, leafCount, leafIndex, leafHash, proof) → does the proof lead from the leaf to the root. */
export type VerifyInclusion = (root: Uint8Array, leafCount: number, index: number, leaf: Uint8Array, proof: Uint8Array[]) => boolean

export { inclusionProof, leafHash }
export const verifyInclusion: VerifyInclusion = sessionVerifyInclusion

/** Root over leaf hashes; the root of no leaves is 32 zero bytes (an empty payout batch). */
export function merkleRoot (leaves: readonly Uint8Array[]): Uint8Array {
  return leaves.length === 0 ? new Uint8Array(32) : sessionMerkleRoot(leaves)
}
