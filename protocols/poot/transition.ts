/**
 * The state transition: applyBlock(parent, block) checks a block against the rules and, when it is valid, returns
 * the state after it. Pure and deterministic: two nodes applying the same blocks get equal states.
 * Order: header → body hash → expire challenges (penalties) → task proofs (credits, votes, answers) → evidence
 * (jail) → missed slots (liveScore), heartbeats and uptime → randomness and new challenges → window expiry → reward
 * → finality.
 */
import type { Block } from './block.js'
import { bodyHash, headerHash } from './block.js'
import type { CatalogSession, PootConfig } from './config.js'
import { SERVER_ENTITY, type EntityId } from './entities.js'
import { validateEquivocation, validateHeader } from './header-rules.js'
import { validateProof } from './proof-rules.js'
import { validateVoteEvidence } from './vote-evidence.js'
import { blockOffence, voteOffence } from './settled-evidence.js'
import { proofKey, type HoldingClaim, type HoldingRelease } from './proofs.js'
import { addCredit, proofCredit, slideWindow } from './credits.js'
import { issueChallenges, challengeDeadline } from './challenges.js'
import { nextMix } from './randomness.js'
import { epochOf } from './live-score.js'
import { scheduleFor } from './schedule.js'
import { windowSlots } from './params.js'
import { slotReward } from './rewards.js'
import { activeEntities, activeNodeCount, linkKey, updateFinality } from './finality.js'
import { blockAtOrBefore } from './proof-rules.js'
import { ancestorAtHeight, skipHeight, type Challenge, type ChainState, type Link } from './state.js'
import { invalid, okValue, type Result } from './validity.js'
import { NO_ANCHORS, type AnchorLookup } from './anchors.js'
import { checkListedSessions, nextSessionsFrom } from './listed-sessions.js'
import { closeEpoch, openEpochBeats, type EpochBeats } from './uptime-window.js'

/** Skipped slots older than this before a block are not charged to anyone (bounds the work after a long stall). */
export const MAX_CHARGED_SKIPPED_SLOTS = 64

/** Entities charged a miss by a block at `slot` and `rank` on `parent`: the primaries of skipped slots, ranks below it. */
export function missedBy (parent: ChainState, slot: number, rank: number, config: PootConfig): EntityId[] {
  const out: EntityId[] = []
  const epoch = epochOf(config.params, slot)
  for (let x = Math.max(parent.slot + 1, slot - MAX_CHARGED_SKIPPED_SLOTS); x < slot; x++) {
    if (epochOf(config.params, x) !== epoch) continue
    const primary = scheduleFor(parent, x, config)[0]
    if (primary !== SERVER_ENTITY) out.push(primary)
  }
  const schedule = scheduleFor(parent, slot, config)
  for (let k = 0; k < rank; k++) if (schedule[k] !== SERVER_ENTITY) out.push(schedule[k])
  return out
}

/** The catalog with `claim`'s node added as a holder (the session added, in sessionId order, if new). Copy on write. */
function withHolder (catalog: readonly CatalogSession[], claim: HoldingClaim): readonly CatalogSession[] {
  const out = [...catalog]
  const i = out.findIndex((s) => s.sessionId >= claim.sessionId)
  if (i >= 0 && out[i].sessionId === claim.sessionId) {
    out[i] = { ...out[i], holders: [...out[i].holders, claim.node].sort() }
  } else {
    out.splice(i < 0 ? out.length : i, 0, { sessionId: claim.sessionId, root: claim.root, chunkCount: claim.chunkCount, holders: [claim.node] })
  }
  return out
}

/**
 * The catalog without `release`'s node among the session's holders (the session left out once it has none, so it is
 * no longer challenged). Copy on write.
 */
function withoutHolder (catalog: readonly CatalogSession[], release: HoldingRelease): readonly CatalogSession[] {
  const out: CatalogSession[] = []
  for (const s of catalog) {
    if (s.sessionId !== release.sessionId) { out.push(s); continue }
    const holders = s.holders.filter((h) => h !== release.node)
    if (holders.length > 0) out.push({ ...s, holders })
  }
  return out
}

/** `earned` with `amount` more for `entity` (the same map when nothing was minted). Copy on write. */
function withEarned (earned: ReadonlyMap<EntityId, bigint>, entity: EntityId, amount: bigint): ReadonlyMap<EntityId, bigint> {
  if (amount === 0n) return earned
  const out = new Map(earned)
  out.set(entity, (out.get(entity) ?? 0n) + amount)
  return out
}

/** `tally` with this block's heartbeats per entity added (the same tally when it has none). Copy on write. */
function withBeats (tally: EpochBeats, beats: ReadonlyMap<EntityId, number>): EpochBeats {
  if (beats.size === 0) return tally
  const counted = new Map(tally.counted)
  for (const [e, n] of beats) counted.set(e, (counted.get(e) ?? 0) + n)
  return { due: tally.due, counted }
}

/**
 * `anchors`: the LucidAnchors registrations, in the parent block's state, of the sessions the block's holding claims
 * name and of those it lists (anchors.ts `registrationsNeeded`); without them every holding claim is refused as
 * not-anchored and every listed session as not-registered (listed-sessions.ts).
 */
export function applyBlock (parent: ChainState, block: Block, config: PootConfig, anchors: AnchorLookup = NO_ANCHORS): Result<ChainState> {
  const { header } = block.signed
  const { params, registry } = config
  const slot = header.slot
  const headerOk = validateHeader(parent, block.signed, config)
  if (!headerOk.ok) return invalid(`header:${headerOk.reason}`)
  // a trusted replay's bodies were hashed at their import (config.ts)
  if (config.trustSignatures !== true && bodyHash(block.body) !== header.bodyHash) return invalid('body-hash-mismatch')
  const { sessions } = block.body
  if (sessions.length !== header.sessions || sessions.reduce((n, s) => n + s.bytes, 0) !== header.sessionBytes) return invalid('session-count-mismatch')
  if (new Set(sessions.map((s) => s.sessionId)).size !== sessions.length) return invalid('duplicate-session')
  const listed = checkListedSessions(parent, sessions, anchors)
  if (!listed.ok) return listed

  const delta = new Map<EntityId, number>()
  const entityOf = (node: string): EntityId => registry.entityOfNode.get(node) as EntityId

  // Challenges whose deadline passed without an answer cost their holder.
  const open: Challenge[] = []
  for (const c of parent.openChallenges) {
    if (challengeDeadline(c, params.challengeResponseSlots) < slot) addCredit(delta, entityOf(c.holder), -params.storageMissPenalty)
    else open.push(c)
  }

  let catalog = parent.catalog
  const blockKeys = new Set<string>()
  const votes = new Map<string, { source: Link['source'], target: Link['target'], voters: EntityId[] }>()
  const beats = new Map<EntityId, number>()
  const ctx = { config, parent, slot, timeMs: header.timeMs, blockKeys, openChallenges: open, anchors }
  for (let i = 0; i < block.body.proofs.length; i++) {
    const p = block.body.proofs[i]
    const ok = validateProof(p, ctx)
    if (!ok.ok) return invalid(`proof-${i}:${p.kind}:${ok.reason}`)
    blockKeys.add(proofKey(p))
    const entity = entityOf(p.node)
    addCredit(delta, entity, proofCredit(p, params))
    if (p.kind === 'heartbeat') beats.set(entity, (beats.get(entity) ?? 0) + 1)
    if (p.kind === 'storage') open.splice(open.findIndex((c) => c.slot === p.slot && c.index === p.index), 1)
    if (p.kind === 'holding') catalog = withHolder(catalog, p)
    if (p.kind === 'release') catalog = withoutHolder(catalog, p)
    if (p.kind === 'attestation') {
      const source = parent.justified.find((c) => c.epoch === p.sourceSlot && c.hash === p.sourceHash) as Link['source']
      const target = { hash: p.blockHash, height: blockAtOrBefore(parent, p.slot).height, epoch: p.slot }
      const key = linkKey(source, target)
      const row = votes.get(key) ?? { source, target, voters: [] }
      row.voters.push(entity)
      votes.set(key, row)
    }
  }

  // Evidence of block or vote equivocation jails the offending entity for a window.
  const offences = [
    ...block.body.evidence.map((e, i) => {
      const { offender, at } = blockOffence(e)
      return { where: `evidence-${i}`, check: () => validateEquivocation(e, registry), offender: offender as EntityId, at, future: at > slot }
    }),
    ...block.body.voteEvidence.map((e, i) => {
      const { offender, at } = voteOffence(e, registry)
      return { where: `vote-evidence-${i}`, check: () => validateVoteEvidence(e, registry), offender: offender as EntityId, at, future: at >= slot }
    })
  ]
  let jailedUntil: Map<EntityId, number> | null = null
  for (const o of offences) {
    const ok = o.check()
    if (!ok.ok) return invalid(`${o.where}:${ok.reason}`)
    if (o.future) return invalid(`${o.where}:future-evidence`)
    if (o.at <= slot - windowSlots(params)) return invalid(`${o.where}:stale-evidence`)
    if (o.offender === SERVER_ENTITY) return invalid(`${o.where}:server-not-jailable`)
    jailedUntil ??= new Map(parent.jailedUntil)
    if ((jailedUntil.get(o.offender) ?? -1) > slot) return invalid(`${o.where}:already-jailed`)
    jailedUntil.set(o.offender, slot + windowSlots(params))
  }

  const epoch = epochOf(params, slot)
  const missed = new Map(epoch === parent.epoch ? parent.missed : [])
  const uptime = epoch === parent.epoch ? parent.uptime : closeEpoch(parent, config)
  const epochBeats = withBeats(epoch === parent.epoch ? parent.epochBeats : openEpochBeats(epoch, config), beats)
  for (const e of missedBy(parent, slot, header.rank, config)) missed.set(e, (missed.get(e) ?? 0) + 1)

  const mix = nextMix(parent.mix, header.reveal)
  open.push(...issueChallenges(mix, slot, catalog, params.challengesPerSlot))

  const { credits, windowStart } = slideWindow(parent, slot, delta, windowSlots(params))

  const reward = slotReward({ sessions: header.sessions, sessionBytes: header.sessionBytes, activeNodes: activeNodeCount(parent, slot, config), totalMinted: parent.totalMinted }, params)
  const jailed = jailedUntil ?? parent.jailedUntil
  // Votes: merge this block's into the link tallies (one copy per touched link), forget links too old to gain votes.
  const links = new Map<string, Link>()
  for (const [k, l] of parent.links) if (l.target.epoch >= slot - params.maxProofAgeSlots) links.set(k, l)
  const touched: Link[] = []
  for (const [k, row] of votes) {
    const voters = new Set(links.get(k)?.voters)
    for (const e of row.voters) voters.add(e)
    const link = { source: row.source, target: row.target, voters }
    links.set(k, link)
    touched.push(link)
  }
  const { justified, finalized } = touched.length === 0
    ? parent
    : updateFinality(parent.justified, parent.finalized, touched, activeEntities({ credits, jailedUntil: jailed }, slot, config).length)

  return okValue({
    hash: headerHash(header),
    slot,
    height: parent.height + 1,
    parent,
    skip: ancestorAtHeight(parent, skipHeight(parent.height + 1)),
    header,
    mix,
    proofKeys: blockKeys,
    credits,
    delta,
    windowStart,
    epoch,
    missed,
    epochBeats,
    uptime,
    jailedUntil: jailed,
    openChallenges: open,
    catalog,
    links,
    justified,
    finalized,
    finalizedHeight: finalized.height,
    totalMinted: parent.totalMinted + reward.amount,
    earned: withEarned(parent.earned, reward.to === 'server' ? SERVER_ENTITY : header.proposer, reward.amount),
    reward: reward.amount,
    rewardTo: reward.to === 'server' ? SERVER_ENTITY : header.proposer,
    sessionsFrom: nextSessionsFrom(parent, header)
  })
}
