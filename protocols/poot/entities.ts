/**
 * Entities are what PoOT ranks: a single node, or a pool of nodes acting as one entity under an m-of-n multisig
 * of its members' Ed25519 keys, plus the genesis "Server" entity that publishes the empty-slot block.
 * A node belongs to at most one entity. The registry is chain state given to the rules (genesis for now).
 */
import { sha256 } from './hash.js'
import { fromHex, toHex, u32, utf8 } from './bytes.js'
import type { NodeId } from './keys.js'
import { invalid, okValue, type Result } from './validity.js'

export type EntityId = string
export const SERVER_ENTITY: EntityId = 'server'

export interface Entity {
  readonly id: EntityId
  /** Member node ids, in the order their signature indexes refer to. */
  readonly members: readonly NodeId[]
  readonly threshold: number
}

export interface EntityRegistry {
  /** Every entity but the Server, sorted by id (the iteration order of the schedule). */
  readonly ranked: readonly Entity[]
  readonly server: Entity
  readonly byId: ReadonlyMap<EntityId, Entity>
  readonly entityOfNode: ReadonlyMap<NodeId, EntityId>
}

/** A single node's entity id is its node id; a pool's is "pool:" + SHA-256(threshold ‖ members) in hex. */
export function poolId (members: readonly NodeId[], threshold: number): EntityId {
  return 'pool:' + toHex(sha256(utf8('lucid/poot/pool'), u32(threshold), ...members.map(fromHex))).slice(0, 40)
}

export function soloEntity (node: NodeId): Entity {
  return { id: node, members: [node], threshold: 1 }
}

export function poolEntity (members: readonly NodeId[], threshold: number): Entity {
  return { id: poolId(members, threshold), members, threshold }
}

export function buildRegistry (entities: readonly Entity[], serverNode: NodeId): Result<EntityRegistry> {
  const server: Entity = { id: SERVER_ENTITY, members: [serverNode], threshold: 1 }
  const byId = new Map<EntityId, Entity>([[SERVER_ENTITY, server]])
  const entityOfNode = new Map<NodeId, EntityId>([[serverNode, SERVER_ENTITY]])
  for (const e of entities) {
    if (byId.has(e.id)) return invalid(`duplicate-entity:${e.id}`)
    if (e.members.length === 0 || e.threshold < 1 || e.threshold > e.members.length) return invalid(`bad-threshold:${e.id}`)
    if (e.members.length === 1 && e.id !== e.members[0]) return invalid(`bad-entity-id:${e.id}`)
    if (e.members.length > 1 && e.id !== poolId(e.members, e.threshold)) return invalid(`bad-entity-id:${e.id}`)
    for (const m of e.members) {
      if (!/^[0-9a-f]{64}$/.test(m)) return invalid(`bad-member:${m}`)
      if (entityOfNode.has(m)) return invalid(`node-in-two-entities:${m}`)
      entityOfNode.set(m, e.id)
    }
    byId.set(e.id, e)
  }
  const ranked = [...entities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return okValue({ ranked, server, byId, entityOfNode })
}
