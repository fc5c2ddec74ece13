// The ABI encoding of a batch inside the commitment event
//   PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch)
// batch = abi.encode(Entry[] entries, Approval[] approvals) with
//   Entry    = (uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd,
//               uint256 netUsd, bytes32 kycHash, uint256 kycExpiry, bytes kycSignature)   route: 0 = V0, 1 = KYC
//   Approval = (uint8 route, bytes32 root, uint256 total, uint256 deadline, bytes[] signatures)
// The chain runtime's committer must produce exactly this; docs/payment-sidecar.md has the same table.
import { ethers } from 'ethers'
import type { CommittedEntry, RouterApproval } from './types.js'

export const COMMIT_EVENT = 'event PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch)'
const ENTRY = 'tuple(uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd, uint256 netUsd, bytes32 kycHash, uint256 kycExpiry, bytes kycSignature)[]'
const APPROVAL = 'tuple(uint8 route, bytes32 root, uint256 total, uint256 deadline, bytes[] signatures)[]'
const coder = ethers.AbiCoder.defaultAbiCoder()
const ZERO32 = ethers.ZeroHash

const routeCode = (r: string): number => r === 'v0' ? 0 : r === 'kyc' ? 1 : 255
const routeName = (c: bigint | number): 'v0' | 'kyc' | 'unknown' => Number(c) === 0 ? 'v0' : Number(c) === 1 ? 'kyc' : 'unknown'

export function encodeBatchPayload (entries: readonly CommittedEntry[], approvals: readonly RouterApproval[]): string {
  return coder.encode([ENTRY, APPROVAL], [
    entries.map((e) => [e.index, e.address, routeCode(e.route), e.grossUsd, e.networkFeeUsd, e.platformFeeUsd, e.netUsd,
      e.kyc?.kycHash ?? ZERO32, e.kyc?.expiry ?? 0n, e.kyc?.signature ?? '0x']),
    approvals.map((a) => [routeCode(a.route), a.root, a.total, a.deadline, [...a.signatures]])
  ])
}

export function decodeBatchPayload (data: string): { entries: CommittedEntry[], approvals: RouterApproval[] } {
  let decoded: ethers.Result
  try { decoded = coder.decode([ENTRY, APPROVAL], data) } catch (e) { throw new Error(`batch payload is not ABI-encoded (Entry[], Approval[]): ${(e as Error).message}`) }
  const entries = (decoded[0] as ethers.Result[]).map((e): CommittedEntry => {
    const route = routeName(e[2] as bigint)
    const sig = e[9] as string
    return {
      index: Number(e[0]),
      address: (e[1] as string).toLowerCase(),
      route,
      grossUsd: e[3] as bigint,
      networkFeeUsd: e[4] as bigint,
      platformFeeUsd: e[5] as bigint,
      netUsd: e[6] as bigint,
      ...(route === 'kyc' || sig !== '0x' ? { kyc: { kycHash: e[7] as string, expiry: e[8] as bigint, signature: sig } } : {})
    }
  })
  const approvals = (decoded[1] as ethers.Result[]).map((a): RouterApproval => ({
    route: routeName(a[0] as bigint), root: a[1] as string, total: a[2] as bigint, deadline: a[3] as bigint, signatures: [...(a[4] as string[])]
  }))
  return { entries, approvals }
}
