/**
 * Uptime over the last three months, as NodeEligibility means it (one node, one vote for nodes with ≥ 80 % uptime
 * over the last three months): each entity's liveScore of every epoch that ended, kept in day buckets of the
 * chain's own slot time (the day an epoch's last block fell on) for UPTIME_WINDOW_DAYS days, and averaged per epoch.
 * Folded into the PoOT state when a block opens a new epoch (transition.ts), read by the eligibility report
 * (eligibility.ts); an epoch in which no block was made adds nothing. Pure: every node derives the same windows.
 */
import type { PootConfig } from './config.js'
import type { EntityId } from './entities.js'
import { liveScore } from './live-score.js'
import type { ChainState } from './state.js'

/** "The last three months". */
export const UPTIME_WINDOW_DAYS = 90
const DAY_MS = 86_400_000

/** The liveScores (permille) of the epochs that ended on one day. */
export interface UptimeDay { readonly day: number, readonly sum: number, readonly epochs: number }
/** Per entity, its days in the window, oldest first. */
export type UptimeWindows = ReadonlyMap<EntityId, readonly UptimeDay[]>

/** The day (since the Unix epoch, UTC) of `slot` by the chain's clock. */
export function dayOfSlot (slot: number, config: PootConfig): number {
  return Math.floor((config.genesisMs + slot * config.params.slotMs) / DAY_MS)
}

/** `days` with `score` added for an epoch that ended on `day`, less the days that fell out of the window. */
export function withEpochScore (days: readonly UptimeDay[], day: number, score: number): UptimeDay[] {
  const kept = days.filter((d) => d.day > day - UPTIME_WINDOW_DAYS)
  const last = kept[kept.length - 1]
  if (last !== undefined && last.day === day) kept[kept.length - 1] = { day, sum: last.sum + score, epochs: last.epochs + 1 }
  else kept.push({ day, sum: score, epochs: 1 })
  return kept
}

/** The windows once `parent`'s epoch has ended: every ranked entity's liveScore of it added (genesis: unchanged). */
export function closeEpoch (parent: ChainState, config: PootConfig): UptimeWindows {
  if (parent.header === null) return parent.uptime
  const day = dayOfSlot(parent.slot, config)
  const out = new Map(parent.uptime)
  for (const e of config.registry.ranked) out.set(e.id, withEpochScore(parent.uptime.get(e.id) ?? [], day, liveScore(parent, e.id, parent.slot, config.params)))
  return out
}

/** Uptime in basis points over a window: the mean liveScore of its epochs (none: 0). */
export function windowUptimeBps (days: readonly UptimeDay[] | undefined): number {
  let sum = 0
  let epochs = 0
  for (const d of days ?? []) { sum += d.sum; epochs += d.epochs }
  return epochs === 0 ? 0 : Math.round((sum * 10) / epochs)
}
