/**
 * Finality, Casper FFG style with every slot an epoch. Each node votes once per slot for a link from the latest
 * justified checkpoint it knows (source) to its head (target). On a chain:
 *   - the active set: every ranked entity that is not jailed and has credit in the window (during the first window
 *     after genesis every registered entity is active, so the chain can finalize from the start);
 *   - a target is justified once entities making up at least 2/3 of the active set have votes for one link to it
 *     from a justified source included in the chain (genesis is justified);
 *   - a justified source is final once such a link leads from it to the target of the very next slot.
 * The finalized checkpoint only moves forward, and fork choice never leaves a finalized block. Two conflicting final
 * blocks would need a third of the entities to vote twice in one slot or to surround their own votes.
 */
import type { PootConfig } from './config.js'
import type { Entity, EntityId } from './entities.js'
import { windowSlots } from './params.js'
import type { Checkpoint, Link } from './state.js'

export interface ActivityView {
  readonly credits: ReadonlyMap<EntityId, number>
  readonly jailedUntil: ReadonlyMap<EntityId, number>
}

export function isActive (view: ActivityView, entity: EntityId, slot: number, config: PootConfig): boolean {
  if ((view.jailedUntil.get(entity) ?? -1) > slot) return false
  return (view.credits.get(entity) ?? 0) > 0 || slot < (config.firstWindowSlots ?? windowSlots(config.params))
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

export function linkKey (source: Checkpoint, target: Checkpoint): string {
  return `${source.epoch}/${source.hash}>${target.epoch}/${target.hash}`
}

/** At least 2/3 of the active set (and at least one entity). */
export function isSupermajority (voters: number, active: number): boolean {
  return active > 0 && 3 * voters >= 2 * active
}

export interface FinalityUpdate {
  readonly justified: readonly Checkpoint[]
  readonly finalized: Checkpoint
}

/**
 * Applies the supermajority links among `touched` (links that gained votes in this block), oldest target first,
 * so a block can justify a checkpoint and use it as a source at once.
 */
export function updateFinality (justified: readonly Checkpoint[], finalized: Checkpoint, touched: readonly Link[], activeCount: number): FinalityUpdate {
  let just = justified
  let fin = finalized
  const isJustified = (c: Checkpoint) => just.some((j) => j.epoch === c.epoch && j.hash === c.hash)
  for (const link of [...touched].sort((a, b) => a.target.epoch - b.target.epoch)) {
    if (!isSupermajority(link.voters.size, activeCount) || !isJustified(link.source)) continue
    if (!isJustified(link.target)) just = [...just, link.target].sort((a, b) => a.epoch - b.epoch)
    if (link.target.epoch === link.source.epoch + 1 && link.source.epoch > fin.epoch) fin = link.source
  }
  if (fin !== finalized) just = just.filter((c) => c.epoch >= fin.epoch)
  return { justified: just, finalized: fin }
}
