/**
 * Which member of a pool entity leads its block, when each member runs in its own process and holds only its own
 * key. Not a validity rule (any member may reveal and any `threshold` members may sign a valid block): a convention
 * the members follow so that they do not race. Within the pool's rank turn (slotStart + rank · slotTimeoutMs, one
 * slotTimeoutMs long), the members lead in an order rotated by the slot: position 0 from the turn's start, position 1
 * from `takeoverMs` later (when position 0 is down or could not gather signatures in time), and so on while an
 * attempt (a build capped at `buildMs`, then at most `cosignMs` asking the others) still ends inside the turn.
 * Members sign at most one header per slot, so two leaders of one slot cannot both reach the threshold when
 * 2 · threshold > members.
 *
 * Only a few positions fit a turn, so the order puts the members that are up first: those with a proof (every member
 * node sends heartbeats) counted in the last blocks of the chain (`liveMembers`), which every member reads alike from
 * the same head. A larger pool whose first members in the rotation are down still proposes while its threshold is up.
 */
import type { Entity } from './entities.js'
import type { PootParams } from './params.js'
import { slotStartMs } from './params.js'
import type { ChainState } from './state.js'

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

/** Slots back from a head in which a member that is up has had a proof counted (three heartbeat intervals, ≥ 8 slots). */
export function liveWindowSlots (params: PootParams): number {
  return Math.max(8, 3 * Math.ceil(params.heartbeatIntervalMs / params.slotMs))
}

/**
 * The members of `entity` with a proof counted (a heartbeat, vote, relay receipt, holding claim or release: every
 * key but a storage answer's names its node) in the blocks of the last liveWindowSlots(params) slots up to `head`.
 */
export function liveMembers (head: ChainState, entity: Entity, params: PootParams): Set<number> {
  const windowSlots = liveWindowSlots(params)
  const index = new Map(entity.members.map((node, i) => [node, i]))
  const live = new Set<number>()
  for (let s: ChainState | null = head; s !== null && s.header !== null && s.slot > head.slot - windowSlots; s = s.parent) {
    for (const key of s.proofKeys) {
      const i = index.get(key.slice(2, key.indexOf('/', 2)))
      if (i !== undefined) live.add(i)
    }
  }
  return live
}

/**
 * Member indexes in leading order for `slot`: rotated by the slot, so every member leads first in turn; with `live`
 * (liveMembers), the live members first in that rotation, then the others. No live member known (a new chain):
 * the rotation alone.
 */
export function leaderOrder (entity: Entity, slot: number, live?: ReadonlySet<number>): number[] {
  const n = entity.members.length
  const rotated = Array.from({ length: n }, (_, j) => (slot + j) % n)
  if (live === undefined || live.size === 0) return rotated
  return [...rotated.filter((m) => live.has(m)), ...rotated.filter((m) => !live.has(m))]
}

/** The position of `member` in the slot's leading order. */
export function leaderPosition (entity: Entity, slot: number, member: number, live?: ReadonlySet<number>): number {
  return leaderOrder(entity, slot, live).indexOf(member)
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
export function mayLead (entity: Entity, slot: number, member: number, turnMs: number, nowMs: number, timing: PoolTiming, live?: ReadonlySet<number>): LeadDecision {
  const position = leaderPosition(entity, slot, member, live)
  if (position >= timing.positions) return { lead: false, wakeAtMs: null }
  const from = turnMs + position * timing.takeoverMs
  if (nowMs < from) return { lead: false, wakeAtMs: from }
  if (nowMs >= from + timing.takeoverMs) return { lead: false, wakeAtMs: null }
  return { lead: true }
}

/** When `member`'s leading window opens in the pool's turn, or null when its position does not fit. */
export function leaderTurnMs (entity: Entity, slot: number, member: number, turnMs: number, timing: PoolTiming, live?: ReadonlySet<number>): number | null {
  const position = leaderPosition(entity, slot, member, live)
  return position >= timing.positions ? null : turnMs + position * timing.takeoverMs
}
