// A payout batch as committed on the On-System chain: the entries of protocols/poot's buildPayoutBatch (their BLAKE3
// root is the batch's identity), the compliance attestation of each KYC entry, and per router the disbursers'
// EIP-712 PayoutBatch approvals over the router's own keccak tree of that route's entries.
import type { CommittedEntry, RouterApproval } from '../../../protocols/poot/payout-commitment.js'

export type { CommittedEntry, RouterApproval }

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
