/** Everything fixed at genesis that the rules read besides the chain itself. */
import type { PootParams } from './params.js'
import type { EntityRegistry } from './entities.js'
import type { VerifyInclusion } from './merkle.js'

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
}
