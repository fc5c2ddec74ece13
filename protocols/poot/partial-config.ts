/**
 * A pool's block is checked before all its members have signed it: by the leader before it asks for signatures,
 * and by each co-signer before it adds its own. Every rule applies as on import except the threshold of the
 * proposer's signatures, counted as the signatures present (those present are still verified). The assembled
 * block is then checked with the real config.
 */
import type { PootConfig } from './config.js'
import type { Entity, EntityId } from './entities.js'

export function partialConfig (config: PootConfig, proposer: EntityId, present: number): PootConfig {
  const entity = config.registry.byId.get(proposer)
  if (entity === undefined || entity.threshold <= present) return config
  const relaxed: Entity = { ...entity, threshold: Math.max(1, present) }
  const byId = new Map(config.registry.byId)
  byId.set(proposer, relaxed)
  return { ...config, registry: { ...config.registry, byId } }
}
