/**
 * A pool entity of which this process holds some member keys but fewer than its threshold (on a swarm: one member
 * per process): it leads the pool's block when its turn comes (protocols/poot/pool-turns.ts) and asks the other
 * members for their signatures (chainnet's co-signing, injected here as `cosigner`).
 */
import type { Entity, NodeKey } from '../../../protocols/poot/index.js'
import { leaderTurnMs, liveMembers, mayLead, poolTiming, rankTurnMs } from '../../../protocols/poot/pool-turns.js'
import type { Chain, Cosigner, Proposal } from './chain.js'

export interface PoolMembership { entity: Entity, member: number, key: NodeKey }

export interface PoolSigning {
  /** by entity id: this process's member of the pool */
  members: ReadonlyMap<string, PoolMembership>
  /** asks the other members of `m.entity` to sign a draft, giving up after `deadlineMs` */
  cosigner: (m: PoolMembership, deadlineMs: number) => Cosigner
}

/** Every genesis entity of which `nodeKeys` hold at least one member key but fewer than the threshold (the first held). */
export function poolMembershipsFrom (chain: Chain, nodeKeys: readonly NodeKey[]): Map<string, PoolMembership> {
  const byId = new Map(nodeKeys.map((k) => [k.id, k]))
  const out = new Map<string, PoolMembership>()
  for (const entity of chain.genesis.poot.registry.ranked) {
    const held = entity.members.flatMap((m, member) => byId.has(m) ? [member] : [])
    if (held.length > 0 && held.length < entity.threshold) out.set(entity.id, { entity, member: held[0], key: byId.get(entity.members[held[0]]) as NodeKey })
  }
  return out
}

/** The proposal of pool `m` at `rank` of `slot` when this member leads now, else null. */
export function poolProposal (chain: Chain, pools: PoolSigning, m: PoolMembership, slot: number, rank: number, nowMs: number): Proposal | null {
  if (chain.hasSigned(slot, m.entity.id)) return null
  const { params, genesisMs } = chain.configAt(slot)
  const timing = poolTiming(params.slotTimeoutMs, m.entity.members.length)
  const live = liveMembers(chain.headPoot, m.entity, params)
  if (!mayLead(m.entity, slot, m.member, rankTurnMs(genesisMs, params, slot, rank), nowMs, timing, live).lead) return null
  return { slot, rank, timeMs: nowMs, proposer: m.entity.id, signers: [{ member: m.member, key: m.key }], cosign: pools.cosigner(m, timing.cosignMs), maxBuildMs: timing.buildMs }
}

/** When this process's members' leading windows open in `slot` (ChainNode wakes then too). */
export function poolWakes (chain: Chain, pools: PoolSigning, slot: number): number[] {
  if (pools.members.size === 0 || slot <= chain.headPoot.slot) return []
  const { params, genesisMs } = chain.configAt(slot)
  const schedule = chain.schedule(slot)
  const out: number[] = []
  for (let rank = 0; rank < schedule.length; rank++) {
    const m = pools.members.get(schedule[rank])
    if (m === undefined) continue
    const live = liveMembers(chain.headPoot, m.entity, params)
    const at = leaderTurnMs(m.entity, slot, m.member, rankTurnMs(genesisMs, params, slot, rank), poolTiming(params.slotTimeoutMs, m.entity.members.length), live)
    if (at !== null) out.push(at)
  }
  return out
}
