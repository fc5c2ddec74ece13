/**
 * The eligibility report the chain's system address writes into NodeEligibility (docs/chain.md, "System writes"):
 * the first block of each epoch reports, for every ranked entity, its uptime over the last three months with the
 * epoch that ended (heartbeats counted over heartbeats due, in basis points: uptime-window.ts) and the LUCID minted to
 * it so far. Pure: every node derives the same report from the parent state.
 */
import type { PootConfig } from './config.js'
import type { EntityId } from './entities.js'
import { epochOf } from './live-score.js'
import { closeEpoch, windowUptimeBps } from './uptime-window.js'
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
  const uptime = closeEpoch(parent, config)
  return {
    epoch: parent.epoch,
    entities,
    uptimeBps: entities.map((e) => windowUptimeBps(uptime.get(e))),
    earned: entities.map((e) => parent.earned.get(e) ?? 0n)
  }
}
