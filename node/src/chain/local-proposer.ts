/**
 * "May I propose this slot?" for a process holding the keys of some entities (one node, or an in-process
 * multi-entity dev chain): the PoOT schedule of the slot on top of the head (scheduleFor, protocols/poot) names
 * the primary and ranked fallbacks; rank k may propose from slotStart + k · slotTimeoutMs. This answers with the
 * first rank whose turn has come and whose entity we hold and has not led this slot yet, or null. A pool entity of
 * which this process holds only some members (`pools`) is proposed when this member's leading turn has come
 * (pool-member.ts): the block is then signed by the other members over the network before it is stored.
 */
import { slotStartMs, type NodeKey } from '../../../protocols/poot/index.js'
import type { Chain, Proposal } from './chain.js'
import { poolProposal, type PoolSigning } from './pool-member.js'

export type Signers = ReadonlyArray<{ member: number, key: NodeKey }>
export type ProposeDecision = (chain: Chain, slot: number, nowMs: number) => Proposal | null

export function localProposer (keys: ReadonlyMap<string, Signers>, pools?: PoolSigning): ProposeDecision {
  return (chain, slot, nowMs) => {
    if (slot <= chain.headPoot.slot) return null
    const { params, genesisMs } = chain.configAt(slot) // the leader timeout is governed (ParamRegistry)
    const start = slotStartMs(genesisMs, params, slot)
    if (nowMs < start || nowMs >= start + params.slotMs) return null
    const schedule = chain.schedule(slot)
    for (let rank = 0; rank < schedule.length; rank++) {
      if (nowMs < start + rank * params.slotTimeoutMs) return null
      const signers = keys.get(schedule[rank])
      // an entity that already led this slot (on a branch the head left since) must not sign a second block for it
      if (signers !== undefined && !chain.hasSigned(slot, schedule[rank])) return { slot, rank, timeMs: nowMs, proposer: schedule[rank], signers }
      const pool = pools?.members.get(schedule[rank])
      const led = pool === undefined || pools === undefined ? null : poolProposal(chain, pools, pool, slot, rank, nowMs)
      if (led !== null) return led
    }
    return null
  }
}

/** Every entity of the genesis whose members' keys are all in `nodeKeys`, plus the Server if its key is there. */
export function signersFrom (chain: Chain, nodeKeys: readonly NodeKey[]): Map<string, Signers> {
  const byId = new Map(nodeKeys.map((k) => [k.id, k]))
  const out = new Map<string, Signers>()
  const { registry } = chain.genesis.poot
  for (const e of [...registry.ranked, registry.server]) {
    const signers = e.members.flatMap((m, member) => byId.has(m) ? [{ member, key: byId.get(m) as NodeKey }] : [])
    if (signers.length >= e.threshold) out.set(e.id, signers.slice(0, e.threshold))
  }
  return out
}
