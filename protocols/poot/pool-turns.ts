/**
 * Which member of a pool entity leads its block, when each member runs in its own process and holds only its own
 * key. Not a validity rule (any member may reveal and any `threshold` members may sign a valid block): a convention
 * the members follow so that they do not race. Within the pool's rank turn (slotStart + rank · slotTimeoutMs, one
 * slotTimeoutMs long), the members lead in an order rotated by the slot: position 0 from the turn's start, position 1
 * from `takeoverMs` later (when position 0 is down or could not gather signatures in time), and so on while an
 * attempt (a build capped at `buildMs`, then at most `cosignMs` asking the others) still ends inside the turn.
 * Members sign at most one header per slot, so two leaders of one slot cannot both reach the threshold when
 * 2 · threshold > members.
 */
import type { Entity } from './entities.js'
import type { PootParams } from './params.js'
import { slotStartMs } from './params.js'

export interface PoolTiming {
  /** delay between two consecutive leader positions */
  readonly takeoverMs: number
  /** how long a leader's block may take to build (mempool transactions stop there) */
  readonly buildMs: number
  /** how long a leader waits for the other members' signatures */
  readonly cosignMs: number
  /** how many leader positions fit in a turn (each attempt ends before the next rank's turn) */
  readonly positions: number
}

/** The timing inside one rank turn of `slotTimeoutMs`, for an entity of `members` members. */
export function poolTiming (slotTimeoutMs: number, members: number): PoolTiming {
  const takeoverMs = Math.floor(slotTimeoutMs / 2)
  const buildMs = Math.floor(slotTimeoutMs * 0.15)
  const cosignMs = Math.floor(slotTimeoutMs * 0.3)
  const fit = Math.floor((slotTimeoutMs - buildMs - cosignMs - 1) / takeoverMs) + 1
  return { takeoverMs, buildMs, cosignMs, positions: Math.max(1, Math.min(members, fit)) }
}

/** Member indexes in leading order for `slot`: rotated by the slot, so every member leads first in turn. */
export function leaderOrder (entity: Entity, slot: number): number[] {
  const n = entity.members.length
  return Array.from({ length: n }, (_, j) => (slot + j) % n)
}

/** The position of `member` in the slot's leading order. */
export function leaderPosition (entity: Entity, slot: number, member: number): number {
  const n = entity.members.length
  return ((member - slot) % n + n) % n
}

/** When the pool's turn starts in `slot` at `rank`. */
export function rankTurnMs (genesisMs: number, params: PootParams, slot: number, rank: number): number {
  return slotStartMs(genesisMs, params, slot) + rank * params.slotTimeoutMs
}

export type LeadDecision = { lead: true } | { lead: false, wakeAtMs: number | null }

/**
 * Whether `member` leads the pool's block now: its position's window has come and not passed
 * ([turn + position · takeoverMs, + takeoverMs)), and its position fits in the turn. Otherwise when to look again
 * (null: never in this turn).
 */
export function mayLead (entity: Entity, slot: number, member: number, turnMs: number, nowMs: number, timing: PoolTiming): LeadDecision {
  const position = leaderPosition(entity, slot, member)
  if (position >= timing.positions) return { lead: false, wakeAtMs: null }
  const from = turnMs + position * timing.takeoverMs
  if (nowMs < from) return { lead: false, wakeAtMs: from }
  if (nowMs >= from + timing.takeoverMs) return { lead: false, wakeAtMs: null }
  return { lead: true }
}

/** When `member`'s leading window opens in the pool's turn, or null when its position does not fit. */
export function leaderTurnMs (entity: Entity, slot: number, member: number, turnMs: number, timing: PoolTiming): number | null {
  const position = leaderPosition(entity, slot, member)
  return position >= timing.positions ? null : turnMs + position * timing.takeoverMs
}
