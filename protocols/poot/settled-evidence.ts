/**
 * When a node may forget equivocation evidence it holds for its next block. A block refuses evidence whose offence is
 * a credit window old (`stale-evidence`) or whose offender is still jailed (`already-jailed`), and a jail lasts one
 * window from the block that set it. So once a final state shows the offence a window old, or the offender jailed
 * until then, no block descending from it can ever take the evidence: it is settled. A node that proposes drops such
 * evidence when drafting (sifting); one that never proposes forgets it here, as finality advances.
 */
import type { EquivocationEvidence, VoteEvidence } from './block.js'
import type { EntityId, EntityRegistry } from './entities.js'

/** Who an offence jails and at which slot it happened (the later of the two signed things). */
export interface Offence { readonly offender: EntityId | undefined, readonly at: number }

export function blockOffence (e: EquivocationEvidence): Offence {
  return { offender: e.a.header.proposer, at: e.a.header.slot }
}

export function voteOffence (e: VoteEvidence, registry: EntityRegistry): Offence {
  return { offender: registry.entityOfNode.get(e.a.node), at: Math.max(e.a.slot, e.b.slot) }
}

/**
 * True when no block after `final` (a final state at `slot`, with its jails) can include evidence of `offence`, for a
 * credit window of `window` slots.
 */
export function offenceSettled (offence: Offence, final: { readonly slot: number, readonly jailedUntil: ReadonlyMap<EntityId, number> }, window: number): boolean {
  // a block at slot s refuses it as stale from s = at + window on; the blocks after `final` have s > final.slot
  const staleFrom = offence.at + window
  if (final.slot + 1 >= staleFrom) return true
  // and as already jailed while jailedUntil > s, which holds for every s below staleFrom once jailedUntil ≥ staleFrom
  // (jails only grow along a chain)
  return offence.offender !== undefined && (final.jailedUntil.get(offence.offender) ?? -1) >= staleFrom
}
