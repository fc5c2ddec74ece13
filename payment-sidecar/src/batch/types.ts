// A payout batch as committed on the On-System chain: the entries of protocols/poot's buildPayoutBatch (their BLAKE3
// root is the batch's identity), the compliance attestation of each KYC entry, and per router the disbursers'
// EIP-712 PayoutBatch approvals over the router's own keccak tree of that route's entries.
import type { PayoutRoute } from '../../../protocols/poot/payouts.js'

export interface CommittedEntry {
  readonly index: number
  /** 20-byte account, 0x + 40 lowercase hex (the TRON address without 0x41) */
  readonly address: string
  readonly route: PayoutRoute | 'unknown'
  readonly grossUsd: bigint
  readonly networkFeeUsd: bigint
  readonly platformFeeUsd: bigint
  readonly netUsd: bigint
  /** KYC entries only: the compliance signer's KycAttestation(to, kycHash, expiry) */
  readonly kyc?: { readonly kycHash: string, readonly expiry: bigint, readonly signature: string }
}

export interface RouterApproval {
  readonly route: PayoutRoute | 'unknown'
  /** keccak root of the route's leaves (OpenZeppelin MerkleProof tree) */
  readonly root: string
  readonly total: bigint
  readonly deadline: bigint
  /** disburser signatures, ascending by signer address */
  readonly signatures: readonly string[]
}

export interface CommittedBatch {
  /** the BLAKE3 root, 0x hex: the batch's id */
  readonly id: string
  readonly epoch: number
  readonly blockNumber: number
  readonly txHash: string
  readonly entries: readonly CommittedEntry[]
  readonly approvals: readonly RouterApproval[]
}

/** JSON form (bigints as decimal strings) for the ledger and the API. */
export function batchToJson (b: CommittedBatch): unknown {
  return JSON.parse(JSON.stringify(b, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v))
}

export function batchFromJson (j: any): CommittedBatch {
  return {
    ...j,
    entries: j.entries.map((e: any) => ({
      ...e,
      grossUsd: BigInt(e.grossUsd),
      networkFeeUsd: BigInt(e.networkFeeUsd),
      platformFeeUsd: BigInt(e.platformFeeUsd),
      netUsd: BigInt(e.netUsd),
      ...(e.kyc === undefined ? {} : { kyc: { ...e.kyc, expiry: BigInt(e.kyc.expiry) } })
    })),
    approvals: j.approvals.map((a: any) => ({ ...a, total: BigInt(a.total), deadline: BigInt(a.deadline) }))
  }
}
