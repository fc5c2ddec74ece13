/**
 * Finality. The active set at a state: every ranked entity that is not jailed and has credit in the window (during
 * the first window after genesis every registered entity is active, so the chain can finalize from the start).
 * A block is final once entities making up at least 2/3 of the active set have attested it or a descendant on this
 * chain: with latestVote[e] the greatest attested height of e, the finalized height is the ⌈2n/3⌉-th largest
 * latestVote among the n active entities. It only moves forward; fork choice never leaves a finalized block.
 */
import type { PootConfig } from './config.js'
import type { Entity, EntityId } from './entities.js'
import { windowSlots } from './params.js'

export interface ActivityView {
  readonly credits: ReadonlyMap<EntityId, number>
  readonly jailedUntil: ReadonlyMap<EntityId, number>
}

export function isActive (view: ActivityView, entity: EntityId, slot: number, config: PootConfig): boolean {
  if ((view.jailedUntil.get(entity) ?? -1) > slot) return false
  return (view.credits.get(entity) ?? 0) > 0 || slot < windowSlots(config.params)
}

export function activeEntities (view: ActivityView, slot: number, config: PootConfig): Entity[] {
  return config.registry.ranked.filter((e) => isActive(view, e.id, slot, config))
}

/** N_active for rewards: member nodes of the active entities. */
export function activeNodeCount (view: ActivityView, slot: number, config: PootConfig): number {
  let n = 0
  for (const e of activeEntities(view, slot, config)) n += e.members.length
  return n
}

/** The height that ≥ 2/3 of the active set has attested at or above (0 when nothing is). */
export function supermajorityHeight (active: readonly Entity[], latestVote: ReadonlyMap<EntityId, number>): number {
  const n = active.length
  if (n === 0) return 0
  const votes = active.map((e) => latestVote.get(e.id) ?? 0).sort((a, b) => b - a)
  return votes[Math.ceil((2 * n) / 3) - 1]
}
