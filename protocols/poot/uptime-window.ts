/**
 * Uptime over the last three months, as NodeEligibility means it (one node, one vote for nodes with ≥ 80 % uptime
 * over the last three months), measured by the uptime heartbeats the chain counted: each epoch's heartbeats per
 * entity (`ChainState.epochBeats`, counted by the blocks that include them) against the beats due in that epoch to
 * each of its members, kept in day buckets of the chain's own slot time (the day an epoch's last block fell on) for
 * UPTIME_WINDOW_DAYS days. An entity's uptime is its counted beats over its due beats across the window, at most
 * 100 %: a beat due late in one epoch and included early in the next counts in the next, which evens out over the
 * window. Folded into the PoOT state when a block opens a new epoch (transition.ts), read by the eligibility report
 * (eligibility.ts); an epoch in which no block was made adds nothing. Pure: every node derives the same windows.
 */
import { beatOrigin, beatAt } from './beats.js'
import type { PootConfig } from './config.js'
import type { EntityId } from './entities.js'
import { slotStartMs } from './params.js'
import type { ChainState } from './state.js'

/** "The last three months". */
export const UPTIME_WINDOW_DAYS = 90
const DAY_MS = 86_400_000

/** The heartbeats counted and due in the epochs that ended on one day. */
export interface UptimeDay { readonly day: number, readonly beats: number, readonly due: number }
/** Per entity, its days in the window, oldest first. */
export type UptimeWindows = ReadonlyMap<EntityId, readonly UptimeDay[]>

/** The current epoch's heartbeats: how many each node was due (the epoch's beat instants), and what blocks counted. */
export interface EpochBeats {
  readonly due: number
  /** heartbeats the epoch's blocks included, per entity (a pool's members summed) */
  readonly counted: ReadonlyMap<EntityId, number>
}

/** The day (since the Unix epoch, UTC) of `slot` by the chain's clock. */
export function dayOfSlot (slot: number, config: PootConfig): number {
  return Math.floor((config.genesisMs + slot * config.params.slotMs) / DAY_MS)
}

/** How many beats fall due in [startMs, endMs) under `config`'s numbering (beats.ts). */
export function beatsDueIn (config: Pick<PootConfig, 'params' | 'genesisMs' | 'beatOrigin'>, startMs: number, endMs: number): number {
  const before = startMs <= beatOrigin(config).ms ? beatOrigin(config).beat - 1 : beatAt(config, startMs - 1)
  return Math.max(0, beatAt(config, endMs - 1) - before)
}

/** The heartbeat tally of epoch `epoch` before any of its blocks: nothing counted, its due beats from `config`. */
export function openEpochBeats (epoch: number, config: PootConfig): EpochBeats {
  const { params, genesisMs } = config
  const start = slotStartMs(genesisMs, params, epoch * params.epochSlots)
  return { due: beatsDueIn(config, start, start + params.epochSlots * params.slotMs), counted: new Map() }
}

/** `days` with an epoch's `beats` of `due` added on `day`, less the days that fell out of the window. */
export function withEpochBeats (days: readonly UptimeDay[], day: number, beats: number, due: number): UptimeDay[] {
  const kept = days.filter((d) => d.day > day - UPTIME_WINDOW_DAYS)
  const last = kept[kept.length - 1]
  if (last !== undefined && last.day === day) kept[kept.length - 1] = { day, beats: last.beats + beats, due: last.due + due }
  else kept.push({ day, beats, due })
  return kept
}

/** The windows once `parent`'s epoch has ended: every ranked entity's heartbeats of it added (genesis: unchanged). */
export function closeEpoch (parent: ChainState, config: PootConfig): UptimeWindows {
  if (parent.header === null) return parent.uptime
  const day = dayOfSlot(parent.slot, config)
  const out = new Map(parent.uptime)
  for (const e of config.registry.ranked) {
    out.set(e.id, withEpochBeats(parent.uptime.get(e.id) ?? [], day, parent.epochBeats.counted.get(e.id) ?? 0, parent.epochBeats.due * e.members.length))
  }
  return out
}

/** Uptime in basis points over a window: heartbeats counted over heartbeats due, at most 10,000 (nothing due: 0). */
export function windowUptimeBps (days: readonly UptimeDay[] | undefined): number {
  let beats = 0
  let due = 0
  for (const d of days ?? []) { beats += d.beats; due += d.due }
  return due === 0 ? 0 : Math.min(10_000, Math.round((beats * 10_000) / due))
}
