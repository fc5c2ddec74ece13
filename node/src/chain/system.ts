import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import type { EligibilityReport } from '../../../protocols/poot/index.js'

/**
 * The chain's system address (EIP-4788 style, keyless): the only writer of NodeEligibility, and a committer of
 * PayoutBatches that needs no disburser signatures. Only the chain runtime's own system writes can act as it.
 */
export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe'

/** Gas a system call may use (not counted in the block's gas, like EIP-4788's). */
export const SYSTEM_CALL_GAS = 30_000_000n

/**
 * Gas of the payout system write (`PayoutBatches.recordEntitlements`). Its work grows with the holder set and is
 * bounded by its own input: it loops over the new holders and rollovers it is given and emits the entries once. With
 * SYSTEM_CALL_GAS it reverted beyond about 1,400 new holders (20,000 gas each) or about 10,000 entries, leaving the
 * epoch unwritten and its new holders unrecorded on every node alike. The write is not counted in the block's gas;
 * what bounds it is the time it takes (bench/chain/payout-write.bench.ts).
 */
export const PAYOUT_WRITE_GAS = 2n ** 40n

const eligibility = new ethers.Interface(loadArtifact('NodeEligibility').abi as ethers.InterfaceAbi)

/**
 * Calldata of the eligibility system write: `NodeEligibility.report(nodes, uptimeBps, earned)` with each entity's
 * reward address as its node (several entities sharing an address: the last one's figures stand).
 */
export function eligibilityCalldata (report: EligibilityReport, rewardAddress: (entity: string) => string): Uint8Array {
  return ethers.getBytes(eligibility.encodeFunctionData('report', [report.entities.map(rewardAddress), report.uptimeBps, report.earned]))
}
