/**
 * The leader schedule of a slot, computed from the parent state alone. Eligible: every ranked entity that is not
 * jailed and did not lead any of the last cooldownSlots slots on this chain. Ranked by
 * score = credits × liveScore (descending), ties by the first 6 bytes of SHA-256(seed(slot) ‖ UTF-8 entity id) read as
 * a big-endian integer (ascending), then by entity id (a 48-bit collision is only a formality).
 * leaders[0] is the primary, leaders[k] fallback k (may propose k × slotTimeoutMs into the slot); the genesis
 * Server entity is always last, as the empty-slot fallback.
 */
import { SERVER_ENTITY, type EntityId } from './entities.js'
import type { PootConfig } from './config.js'
import type { ChainState } from './state.js'
import { liveScore } from './live-score.js'
import { slotSeed } from './randomness.js'
import { hash } from 'node:crypto'

/** Entities that led a block in (slot − cooldownSlots, slot) on the chain ending at `parent`. */
export function cooledDown (parent: ChainState, slot: number, cooldownSlots: number): Set<EntityId> {
  const out = new Set<EntityId>()
  for (let s: ChainState | null = parent; s !== null && s.header !== null && s.slot > slot - cooldownSlots; s = s.parent) {
    out.add(s.header.proposer)
  }
  return out
}

// One reusable buffer: seed ‖ id, hashed with the one-shot node:crypto hash (the schedule's hot path at genesis,
// when every score ties and every entity needs its tie key).
const tieInput = Buffer.alloc(32 + 512)

/** A function from entity id to its tie key for the slot whose seed is `seed`. */
export function tieKeys (seed: Uint8Array): (id: EntityId) => number {
  return (id) => {
    tieInput.set(seed, 0)
    const n = tieInput.write(id, 32, 'utf8')
    if (n + 32 >= tieInput.length) throw new RangeError('entity id too long')
    return hash('sha256', tieInput.subarray(0, 32 + n), 'buffer').readUIntBE(0, 6)
  }
}

function byTie (ta: number, a: EntityId, tb: number, b: EntityId): boolean {
  return ta !== tb ? ta < tb : a < b
}

const memo = new WeakMap<ChainState, Map<number, readonly EntityId[]>>()

export function scheduleFor (parent: ChainState, slot: number, config: PootConfig): readonly EntityId[] {
  let bySlot = memo.get(parent)
  const hit = bySlot?.get(slot)
  if (hit !== undefined) return hit
  const leaders = computeSchedule(parent, slot, config)
  if (bySlot === undefined) { bySlot = new Map(); memo.set(parent, bySlot) }
  if (bySlot.size > 256) bySlot.clear()
  bySlot.set(slot, leaders)
  return leaders
}

/** Top-(maxFallbacks + 1) selection without sorting everyone; tie hashes are computed only for tied scores. */
export function computeSchedule (parent: ChainState, slot: number, config: PootConfig): readonly EntityId[] {
  const { params, registry } = config
  const want = params.maxFallbacks + 1
  const excluded = cooledDown(parent, slot, params.cooldownSlots)
  const tieKey = tieKeys(slotSeed(parent.mix, slot))
  const ties = new Map<EntityId, number>()
  const tieOf = (id: EntityId): number => {
    let t = ties.get(id)
    if (t === undefined) { t = tieKey(id); ties.set(id, t) }
    return t
  }
  // before(a, b): a ranks ahead of b
  const before = (a: EntityId, sa: number, b: EntityId, sb: number): boolean =>
    sa !== sb ? sa > sb : byTie(tieOf(a), a, tieOf(b), b)
  const best: EntityId[] = []
  const scores: number[] = []
  for (const entity of registry.ranked) {
    if (excluded.has(entity.id)) continue
    if ((parent.jailedUntil.get(entity.id) ?? -1) > slot) continue
    const score = (parent.credits.get(entity.id) ?? 0) * liveScore(parent, entity.id, slot, params)
    if (best.length === want && !before(entity.id, score, best[want - 1], scores[want - 1])) continue
    let i = best.length
    while (i > 0 && before(entity.id, score, best[i - 1], scores[i - 1])) i--
    best.splice(i, 0, entity.id)
    scores.splice(i, 0, score)
    if (best.length > want) { best.pop(); scores.pop() }
  }
  best.push(SERVER_ENTITY)
  return best
}

/** The reference ranking: score and tie hash for everyone, full sort. Used to test and benchmark the selection. */
export function naiveSchedule (parent: ChainState, slot: number, config: PootConfig): readonly EntityId[] {
  const { params, registry } = config
  const excluded = cooledDown(parent, slot, params.cooldownSlots)
  const tieKey = tieKeys(slotSeed(parent.mix, slot))
  const rows = registry.ranked
    .filter((e) => !excluded.has(e.id) && (parent.jailedUntil.get(e.id) ?? -1) <= slot)
    .map((e) => ({ id: e.id, score: (parent.credits.get(e.id) ?? 0) * liveScore(parent, e.id, slot, params), tie: tieKey(e.id) }))
  rows.sort((a, b) => (a.score !== b.score ? b.score - a.score : byTie(a.tie, a.id, b.tie, b.id) ? -1 : 1))
  return [...rows.slice(0, params.maxFallbacks + 1).map((r) => r.id), SERVER_ENTITY]
}
