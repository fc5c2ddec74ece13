/** Genesis for a simulated swarm: node keys, entities (solo nodes and pools), the Server node, a storage catalog. */
import { nodeKeyFromSeed, type NodeKey } from '../keys.js'
import { buildRegistry, poolEntity, soloEntity, type Entity, type EntityId } from '../entities.js'
import { DEFAULT_PARAMS, type PootParams } from '../params.js'
import { checkConfig, type CatalogSession, type PootConfig } from '../config.js'
import { leafHash, merkleRoot, verifyInclusion } from '../merkle.js'
import { anchorsOfCatalog, type AnchorLookup } from '../anchors.js'
import { seedBytes, hash32 } from './prng.js'

export interface FixtureOptions {
  readonly seed: number
  readonly nodes: number
  /** Consecutive nodes from index 0 grouped into pools. */
  readonly pools?: ReadonlyArray<{ readonly size: number, readonly threshold: number }>
  readonly params?: Partial<PootParams>
  readonly catalog?: { readonly sessions: number, readonly chunks: number, readonly chunkBytes: number, readonly replicas: number }
  readonly genesisMs?: number
}

export interface Fixture {
  readonly config: PootConfig
  /** keys[i] for nodes 0 … nodes−1, then the Server node at index `nodes`. */
  readonly keys: readonly NodeKey[]
  readonly entityOf: readonly EntityId[]
  /** Position of each node among its entity's members. */
  readonly memberIndex: readonly number[]
  /** Encrypted chunk stand-ins per session, for holders to answer challenges. */
  readonly blobs: ReadonlyMap<string, { readonly blobs: readonly Uint8Array[], readonly leaves: readonly Uint8Array[] }>
  /** The simulation's LucidAnchors registrations (no EVM): its genesis catalog, as if each session were registered. */
  readonly anchors: AnchorLookup
}

/** The harness's default parameters: a 30 s slot with a 2 s timeout keeps runs short without leaving the bounds. */
export const HARNESS_PARAMS: Partial<PootParams> = { slotMs: 30_000, slotTimeoutMs: 2_000, heartbeatIntervalMs: 30_000, cooldownSlots: 8, maxFallbacks: 8, epochSlots: 240 }

export function buildFixture (opts: FixtureOptions): Fixture {
  const params: PootParams = { ...DEFAULT_PARAMS, ...HARNESS_PARAMS, ...opts.params }
  const keys = Array.from({ length: opts.nodes + 1 }, (_, i) => nodeKeyFromSeed(seedBytes(opts.seed, i, 0x6b6579)))
  const entities: Entity[] = []
  const entityOf: EntityId[] = []
  const memberIndex: number[] = []
  let next = 0
  for (const pool of opts.pools ?? []) {
    const members = keys.slice(next, next + pool.size).map((k) => k.id)
    const entity = poolEntity(members, pool.threshold)
    entities.push(entity)
    members.forEach((_, j) => { entityOf.push(entity.id); memberIndex.push(j) })
    next += pool.size
  }
  for (; next < opts.nodes; next++) {
    entities.push(soloEntity(keys[next].id))
    entityOf.push(keys[next].id)
    memberIndex.push(0)
  }
  entityOf.push('server')
  memberIndex.push(0)
  const registry = buildRegistry(entities, keys[opts.nodes].id)
  if (!registry.ok) throw new Error(registry.reason)

  const catalog: CatalogSession[] = []
  const blobs = new Map<string, { blobs: Uint8Array[], leaves: Uint8Array[] }>()
  const spec = opts.catalog ?? { sessions: 4, chunks: 5, chunkBytes: 256, replicas: 3 }
  for (let s = 0; s < spec.sessions; s++) {
    const sessionId = `session-${String(s).padStart(4, '0')}`
    const chunkBlobs = Array.from({ length: spec.chunks }, (_, c) => {
      const blob = new Uint8Array(spec.chunkBytes)
      for (let i = 0; i < blob.length; i += 32) blob.set(seedBytes(opts.seed, s * 10_000 + c, i).subarray(0, Math.min(32, blob.length - i)), i)
      return blob
    })
    const leaves = chunkBlobs.map(leafHash)
    const holders = new Set<string>()
    for (let r = 0; holders.size < Math.min(spec.replicas, opts.nodes); r++) holders.add(keys[hash32(opts.seed, s, r) % opts.nodes].id)
    catalog.push({ sessionId, root: merkleRoot(leaves), chunkCount: spec.chunks, holders: [...holders].sort() })
    blobs.set(sessionId, { blobs: chunkBlobs, leaves })
  }
  const config: PootConfig = {
    params,
    registry: registry.value,
    catalog,
    genesisMs: opts.genesisMs ?? 0,
    genesisSeed: seedBytes(opts.seed, 0, 0x67656e),
    verifyInclusion
  }
  const valid = checkConfig(config)
  if (!valid.ok) throw new Error(`harness genesis rejected: ${valid.reason}`)
  return { config, keys, entityOf, memberIndex, blobs, anchors: anchorsOfCatalog(catalog) }
}
