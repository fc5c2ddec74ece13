/**
 * liveScore in permille: 1000 at the start of each epoch, minus liveMissPenaltyPermille for every slot the entity
 * missed in that epoch, never below 0. A miss is recorded by the block that shows it (transition.ts).
 */
import type { PootParams } from './params.js'
import type { ChainState } from './state.js'
import type { EntityId } from './entities.js'

export function epochOf (params: PootParams, slot: number): number {
  return Math.floor(slot / params.epochSlots)
}

/** The liveScore of `entity` for a slot built on `state` (misses of an earlier epoch no longer count). */
export function liveScore (state: ChainState, entity: EntityId, slot: number, params: PootParams): number {
  if (epochOf(params, slot) !== state.epoch) return 1000
  const missed = state.missed.get(entity) ?? 0
  return Math.max(0, 1000 - missed * params.liveMissPenaltyPermille)
}
