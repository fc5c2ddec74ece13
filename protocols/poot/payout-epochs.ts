/**
 * Payout epochs when governance may change their length (ParamRegistry `payout.epochS`). The epochs are numbered from
 * genesis; a schedule is a list of segments, each a run of equal-length epochs from a given epoch and slot on. A
 * length change seen at the first block of payout epoch k (in its parent's state) applies from epoch k + 1 on, which
 * starts where epoch k ends at its old length: no epoch that has begun changes its start, and none that a block
 * already depended on changes its end (the block that sees the change is the first of epoch k; its end is after it).
 * So every slot belongs to exactly one epoch, and epochs stay contiguous and increasing along a chain.
 */
import type { RegistryValues } from './governed-params.js'

export interface PayoutSegment {
  /** the first epoch of the segment and its first slot */
  readonly fromEpoch: number
  readonly fromSlot: number
  /** slots per epoch from there on */
  readonly epochSlots: number
}

/** Segments in ascending order; the first starts at epoch 0, slot 0. */
export type PayoutSchedule = readonly PayoutSegment[]

export const payoutScheduleOf = (epochSlots: number): PayoutSchedule => Object.freeze([Object.freeze({ fromEpoch: 0, fromSlot: 0, epochSlots })])

function segmentAt (schedule: PayoutSchedule, pick: (s: PayoutSegment) => boolean): PayoutSegment {
  for (let i = schedule.length - 1; i > 0; i--) if (pick(schedule[i])) return schedule[i]
  return schedule[0]
}

/** The payout epoch a slot belongs to. */
export function payoutEpochAt (schedule: PayoutSchedule, slot: number): number {
  const s = segmentAt(schedule, (x) => x.fromSlot <= slot)
  return s.fromEpoch + Math.floor((slot - s.fromSlot) / s.epochSlots)
}

/** The first slot of a payout epoch. */
export function payoutEpochStart (schedule: PayoutSchedule, epoch: number): number {
  const s = segmentAt(schedule, (x) => x.fromEpoch <= epoch)
  return s.fromSlot + (epoch - s.fromEpoch) * s.epochSlots
}

/** The length of epochs from epoch k + 1 on becomes `epochSlots`: `schedule` itself when that is already so. */
export function withEpochLengthAfter (schedule: PayoutSchedule, k: number, epochSlots: number): PayoutSchedule {
  if (schedule[schedule.length - 1].epochSlots === epochSlots) return schedule
  const kept = schedule.filter((s) => s.fromEpoch <= k)
  return Object.freeze([...kept, Object.freeze({ fromEpoch: k + 1, fromSlot: payoutEpochStart(schedule, k + 1), epochSlots })])
}

/** ParamRegistry's `payout.epochS` bounds (seconds), as the contract defines them. */
export const PAYOUT_EPOCH_S_BOUNDS = Object.freeze([60, 31 * 86_400] as const)

/**
 * The payout epoch length (slots) the registry values give: the genesis one unless governance changed `payout.epochS`
 * since genesis; a changed value applies if it is a whole number of slots within the registry's bounds.
 */
export function governedPayoutEpochSlots (genesisEpochSlots: number, slotMs: number, atGenesis: RegistryValues, now: RegistryValues): number {
  const v = now['payout.epochS']
  if (v === undefined || v === atGenesis['payout.epochS']) return genesisEpochSlots
  if (v < BigInt(PAYOUT_EPOCH_S_BOUNDS[0]) || v > BigInt(PAYOUT_EPOCH_S_BOUNDS[1])) return genesisEpochSlots
  const ms = v * 1000n
  if (ms % BigInt(slotMs) !== 0n) return genesisEpochSlots
  return Number(ms / BigInt(slotMs))
}
