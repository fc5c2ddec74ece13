/**
 * Which payout epochs' entitlements a block writes. A block whose slot is in a later payout epoch than its parent's
 * owes the parent's epoch and every epoch in between (those had no block); epochs a block could not write because of
 * the per-block cap are its backlog, owed by its child (same epoch or not) before anything newer. Written in ascending
 * order, each exactly once along a chain; the first block after genesis writes nothing.
 */
import { payoutEpochAt, type PayoutSchedule } from './payout-epochs.js'

export interface PayoutWritesDue {
  /** the epochs this block writes, ascending */
  readonly epochs: readonly number[]
  /** epochs still owed after this block (the newest ones before its own epoch) */
  readonly backlog: number
}

/**
 * The writes due at a block at `slot` whose parent is at `parentSlot` (`parentIsGenesis`: nothing was owed before
 * it) and left `parentBacklog` epochs unwritten, at most `maxPerBlock` of them; epochs by the parent's schedule.
 */
export function payoutWritesDue (parentSlot: number, slot: number, parentBacklog: number, parentIsGenesis: boolean, schedule: PayoutSchedule, maxPerBlock: number): PayoutWritesDue {
  if (!Number.isInteger(maxPerBlock) || maxPerBlock < 1) throw new RangeError(`maxPerBlock must be a positive integer, got ${maxPerBlock}`)
  const parentEpoch = payoutEpochAt(schedule, parentSlot)
  const newlyDue = parentIsGenesis ? 0 : Math.max(0, payoutEpochAt(schedule, slot) - parentEpoch)
  const owed = parentBacklog + newlyDue
  const n = Math.min(owed, maxPerBlock)
  const first = parentEpoch - parentBacklog
  return { epochs: Array.from({ length: n }, (_, i) => first + i), backlog: owed - n }
}
