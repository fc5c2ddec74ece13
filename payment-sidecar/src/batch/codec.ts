// The ABI encoding of a batch inside the commitment event
//   PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch)
// batch = abi.encode(Entry[] entries, Approval[] approvals) with
//   Entry    = (uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd,
//               uint256 netUsd, bytes32 kycHash, uint256 kycExpiry, bytes kycSignature)   route: 0 = V0, 1 = KYC
//   Approval = (uint8 route, bytes32 root, uint256 total, uint256 deadline, bytes[] signatures)
// or, for a batch larger than one transaction, in a head and parts (PayoutBatchPartsCommitted, PayoutBatchPart)
// joined in order. The encoding lives in protocols/poot/payout-commitment.ts, shared with the committer (`lucid
// payout commit`); docs/payment-sidecar.md has the same table.
export { COMMIT_EVENT, PART_EVENT, PARTS_COMMIT_EVENT, decodeBatchPayload, encodeBatchPayload, joinBatchPayloads } from '../../../protocols/poot/payout-commitment.js'
