/**
 * What a pool member checks of a co-sign request before the chain checks the draft itself (Chain.cosign: on the draft's
 * parent, every import rule but the threshold, re-execution, one header per slot). Pure: the request's header, the
 * pool, who asked, and this node's clock. Null when the request may go on, else the reason.
 */
import type { BlockHeader, Entity, MemberSignature, NodeId, PootParams } from '../../../protocols/poot/index.js'
import { leaderTurnMs, poolTiming, rankTurnMs } from '../../../protocols/poot/pool-turns.js'

export interface CosignView {
  /** the proposing entity, as the genesis registers it (undefined: unknown) */
  entity: Entity | undefined
  /** this node's member index in it (undefined: not a member) */
  member: number | undefined
  /** the node id of the peer that sent the request */
  requester: NodeId
  nowMs: number
  genesisMs: number
  params: PootParams
  /** the pool's live members as this node's head shows them (pool-turns.ts liveMembers) */
  live?: ReadonlySet<number>
}

export function checkCosignRequest (header: BlockHeader, signatures: readonly MemberSignature[], v: CosignView): string | null {
  const { entity } = v
  if (entity === undefined) return `unknown-proposer: ${header.proposer}`
  if (entity.threshold < 2) return `not-a-pool: ${header.proposer} needs no co-signers`
  if (v.member === undefined) return `not-a-member: this node is no member of ${header.proposer}`
  // the leader is the revealing member, and it asks itself: nobody else can have a draft signed in its name
  if (entity.members[header.revealer] !== v.requester) return 'not-the-leader: the request does not come from the draft\'s revealing member'
  if (header.revealer === v.member) return 'not-the-leader: the draft names this node as its leader'
  if (!signatures.some((s) => s.member === header.revealer)) return 'leader-did-not-sign: the draft lacks its leader\'s signature'
  const turn = rankTurnMs(v.genesisMs, v.params, header.slot, header.rank)
  const leads = leaderTurnMs(entity, header.slot, header.revealer, turn, poolTiming(v.params.slotTimeoutMs, entity.members.length), v.live)
  if (leads === null) return `not-a-leader-position: member ${header.revealer} does not lead slot ${header.slot}`
  if (header.timeMs < leads) return `before-leader-turn: the draft's time ${header.timeMs} is before member ${header.revealer}'s turn at ${leads}`
  // on this node's clock (with PoOT's tolerance): the leader's turn has come and the pool's rank turn is not over
  if (v.nowMs + v.params.clockToleranceMs < leads) return `leader-turn-not-come: member ${header.revealer} leads from ${leads}`
  if (v.nowMs >= turn + v.params.slotTimeoutMs + v.params.clockToleranceMs) return `turn-over: the pool's turn of slot ${header.slot} ended at ${turn + v.params.slotTimeoutMs}`
  return null
}
