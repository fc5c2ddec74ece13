/** Everything fixed at genesis that the rules read besides the chain itself. */
import type { PootParams } from './params.js'
import type { EntityRegistry } from './entities.js'
import type { VerifyInclusion } from './merkle.js'
import { checkParams } from './params.js'
import type { BeatOrigin } from './beats.js'
import { invalid, VALID, type Validity } from './validity.js'

/** An anchored session whose encrypted chunks can be challenged, with the nodes registered as its replica holders. */
export interface CatalogSession {
  readonly sessionId: string
  readonly root: Uint8Array
  readonly chunkCount: number
  readonly holders: readonly string[]
}

export interface PootConfig {
  readonly params: PootParams
  readonly registry: EntityRegistry
  /** Sorted by sessionId. Static for now; the next issue feeds it from LucidAnchors and replica registrations. */
  readonly catalog: readonly CatalogSession[]
  /** Wall-clock milliseconds at which slot 0 starts. */
  readonly genesisMs: number
  /** Seeds the randomness mix before the first reveal. */
  readonly genesisSeed: Uint8Array
  readonly verifyInclusion: VerifyInclusion
  /**
   * Slots after genesis during which every registered entity counts as active (finality.ts): the genesis credit
   * window, fixed even when governance changes the window later. Absent: windowSlots(params).
   */
  readonly firstWindowSlots?: number
  /** Where heartbeat numbering stands after governance changed the interval (beats.ts). Absent: beat 0 at genesis. */
  readonly beatOrigin?: BeatOrigin
  /**
   * The blocks applied were checked before, signatures included: a node replaying its own store at start (it stored
   * only blocks that passed every rule). Header, reveal and task proof signatures are then not verified again, which
   * is most of a replay's time, nor is the body hashed again to compare with its header. Never set for a block from
   * the network.
   */
  readonly trustSignatures?: true
}

/** Parameters within bounds, a catalog sorted by session id whose holders are registered nodes, a real seed. */
export function checkConfig (config: PootConfig): Validity {
  const params = checkParams(config.params)
  if (!params.ok) return params
  if (config.genesisSeed.length < 16) return invalid('bad-genesis-seed')
  if (!Number.isSafeInteger(config.genesisMs) || config.genesisMs < 0) return invalid('bad-genesis-time')
  for (let i = 0; i < config.catalog.length; i++) {
    const s = config.catalog[i]
    if (i > 0 && !(config.catalog[i - 1].sessionId < s.sessionId)) return invalid(`catalog-not-sorted:${s.sessionId}`)
    if (s.root.length !== 32) return invalid(`bad-root:${s.sessionId}`)
    if (!Number.isSafeInteger(s.chunkCount) || s.chunkCount < 1) return invalid(`bad-chunk-count:${s.sessionId}`)
    for (const h of s.holders) if (!config.registry.entityOfNode.has(h)) return invalid(`unregistered-holder:${h}`)
  }
  return VALID
}
