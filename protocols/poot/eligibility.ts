/**
 * The eligibility report the chain's system address writes into NodeEligibility (docs/chain.md, "System writes"):
 * the first block of each epoch reports, for every ranked entity, its liveScore over the epoch that ended (in basis
 * points) and the LUCID minted to it so far. Pure: every node derives the same report from the parent state.
 */
import type { PootConfig } from './config.js'
import type { EntityId } from './entities.js'
import { epochOf, liveScore } from './live-score.js'
import type { ChainState } from './state.js'

export interface EligibilityReport {
  /** the epoch the report is about */
  readonly epoch: number
  readonly entities: readonly EntityId[]
  readonly uptimeBps: readonly number[]
  readonly earned: readonly bigint[]
}

/** The report due in a block at `slot` on `parent`: non-null only when that block opens a new epoch. */
export function eligibilityReport (parent: ChainState, slot: number, config: PootConfig): EligibilityReport | null {
  const { params, registry } = config
  if (epochOf(params, slot) === parent.epoch || parent.header === null) return null
  const entities = registry.ranked.map((e) => e.id)
  return {
    epoch: parent.epoch,
    entities,
    uptimeBps: entities.map((e) => liveScore(parent, e, parent.slot, params) * 10),
    earned: entities.map((e) => parent.earned.get(e) ?? 0n)
  }
}
