/**
 * The chain on the swarm: one node's Chain run on its libp2p peer.
 * - blocks this node proposes (ChainNode, PoOT schedule) are gossiped on /lucid/1/chain/blocks; received ones are
 *   checked and re-executed in gossipsub's validation hook (importEnvelope), so only valid blocks are forwarded;
 * - task proofs (its votes and heartbeats, duties.ts) are gossiped on /lucid/1/chain/proofs, checked against the
 *   head, pooled, and included by whoever proposes next;
 * - a node behind (fresh, returning, or handed a block whose parent it lacks) catches up from a peer over
 *   /lucid/1/chain/sync/1.0.0, importing every block through the same checks;
 * - a pool entity whose members run in separate processes signs its blocks over /lucid/1/chain/cosign/1.0.0: the
 *   member whose turn it is drafts the block and asks the others, who check it on their own head and sign once a slot.
 */
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import { bytesToHex } from '@ethereumjs/util'
import { claimedSessions, owesSession, validateProof, NO_ANCHORS, type AnchorLookup, type Attestation, type NodeKey, type TaskProof, type Validity } from '../../../protocols/poot/index.js'
import type { Chain } from '../chain/chain.js'
import { ChainNode, systemClock, type Clock } from '../chain/chain-node.js'
import { localProposer, signersFrom } from '../chain/local-proposer.js'
import { poolMembershipsFrom, poolWakes, type PoolMembership, type PoolSigning } from '../chain/pool-member.js'
import type { Cosigner } from '../chain/chain.js'
import { syncFrom, SyncError, type SyncProgress } from '../chain/sync.js'
import { decodeProof, encodeProof, ProofCodecError } from '../chain/proof-codec.js'
import { decodeEnvelope } from '../chain/envelope.js'
import { CHAIN_TOPICS, COSIGN_PROTOCOL, COSIGN_SERVE_TIMEOUT_MS, MAX_GOSSIP_BLOCK_BYTES, MAX_GOSSIP_PROOF_BYTES, RELAY_PROTOCOL, SYNC_PROTOCOL, TOPIC_BLOCKS, TOPIC_PROOFS, TOPIC_TXS } from './constants.js'
import { CosignCodecError, type CosignAnswer, type CosignRequest } from './cosign-codec.js'
import { requestCosign, serveCosign } from './cosign-protocol.js'
import { checkCosignRequest } from './cosign-rules.js'
import { liveMembers } from '../../../protocols/poot/pool-turns.js'
import { gatherCosignatures } from './cosign-gather.js'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { ProofPool } from './proof-pool.js'
import { Duties } from './duties.js'
import { StorageDuties, type HoldingSource } from './storage-duties.js'
import { BlockSessions } from './block-sessions.js'
import { blockVerdict, cosignVerdict, proofVerdict, transactionVerdict, type Verdict } from './verdicts.js'
import { MempoolError, MEMPOOL_LIMITS } from '../chain/mempool.js'
import { peerEnvelopeSource, requestStatus, serveSync, SyncProtocolError, type SyncLibp2p } from './sync-protocol.js'
import { ChainMetrics } from './metrics.js'
import { RelayAccounts } from './relay-accounts.js'
import { nodeIdOf, RelayProtocolError, requestCountersignature, serveRelayReceipt } from './relay-protocol.js'

export interface ChainLog {
  info: (o: object, m: string) => void
  warn: (o: object, m: string) => void
  debug: (o: object, m: string) => void
}

export interface ChainLibp2p extends SyncLibp2p {
  services: { pubsub: GossipSub }
  getPeers: () => PeerId[]
  addEventListener: (type: 'peer:identify', fn: (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>) => void) => void
  removeEventListener: (type: 'peer:identify', fn: (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>) => void) => void
}

export interface ChainServiceInit {
  chain: Chain
  libp2p: ChainLibp2p
  /** This node's PoOT key (its libp2p identity key): it votes and heartbeats with it and proposes for its entity. */
  nodeKey: NodeKey
  /** Further keys this process proposes with (a development chain's Server key). */
  extraKeys?: NodeKey[]
  log: ChainLog
  clock?: Clock
  /** the node's Prometheus registry */
  registry?: Registry
  onRejected?: (topic: string, reason: string) => void
  /** the sessions this node holds, for holding claims and challenge answers */
  holdings?: HoldingSource
  /** bitswap bytes served and received per peer, for relay receipts */
  traffic?: RelayTraffic
}

export interface RelayTraffic {
  onServed: (fn: (bytes: number) => void) => void
  onReceived: (fn: (peer: PeerId, bytes: number) => void) => void
}

const TICK_MS = 100
/** A catch-up logs where it stands at most this often. */
const SYNC_LOG_MS = 5000

export class ChainService {
  readonly pool: ProofPool
  readonly producer: ChainNode
  readonly metrics?: ChainMetrics
  private readonly duties: Duties
  /** the pools of which this node is one member among others: it leads their blocks in turn and co-signs the others' */
  private readonly pools: PoolSigning
  private readonly storage?: StorageDuties
  /** the LucidAnchors registrations this node's next block lists as its sessions (what makes a block pay its proposer) */
  private readonly sessions?: BlockSessions
  readonly relay: RelayAccounts
  /** the libp2p peer of each relayer we owe a receipt */
  private readonly relayPeers = new Map<string, PeerId>()
  private receiptsMadeAt = -1
  /** each registered node's recent votes seen on gossip, to catch double and surround votes (FFG's slashing rules) */
  private readonly votesByNode = new Map<string, Attestation[]>()
  private storageCheckedAt = ''
  private timer?: NodeJS.Timeout
  private syncing: Promise<void> | null = null
  /** where the running catch-up stands (eth_syncing, /api/v1/status), null when none runs */
  private syncProgress: SyncProgress | null = null
  private lastSyncAttempt = 0
  /** transactions of this node's clients still in its mempool: sent again every few slots until included */
  private readonly localTxs = new Map<string, { raw: Uint8Array, sentAt: number }>()
  private stopped = false
  private readonly clock: Clock
  private readonly onIdentify = (evt: CustomEvent<{ peerId: PeerId, protocols: string[] }>): void => {
    if (evt.detail.protocols.includes(SYNC_PROTOCOL)) this.syncSoon(evt.detail.peerId)
  }

  constructor (private readonly init: ChainServiceInit) {
    const { chain } = init
    this.clock = init.clock ?? systemClock
    this.pool = new ProofPool(chain.genesis.poot.params)
    this.duties = new Duties([init.nodeKey])
    if (init.holdings !== undefined) this.storage = new StorageDuties(init.nodeKey, init.holdings, init.log)
    const { entityOfNode } = chain.genesis.poot.registry
    // relay credit flows between registered nodes of different entities only (PoOT refuses self-relay)
    this.relay = new RelayAccounts(init.nodeKey, chain.genesis.poot.params, (node) => {
      const entity = entityOfNode.get(node)
      return entity !== undefined && entity !== entityOfNode.get(init.nodeKey.id)
    })
    init.traffic?.onServed((n) => { this.relay.served(n) })
    init.traffic?.onReceived((peer, n) => {
      const node = nodeIdOf(peer)
      if (node === null) return
      this.relay.received(node, n)
      if (this.relay.owedTo(node) > 0) this.relayPeers.set(node, peer) // only nodes that can earn from us: bounded by the registry
    })
    const anchors = chain.genesis.contracts.LucidAnchors
    if (anchors !== undefined) this.sessions = new BlockSessions(chain, anchors)
    const keys = [init.nodeKey, ...(init.extraKeys ?? [])]
    this.pools = { members: poolMembershipsFrom(chain, keys), cosigner: (m, deadlineMs) => this.cosigner(m, deadlineMs) }
    const decide = localProposer(signersFrom(chain, keys), this.pools)
    this.producer = new ChainNode(chain, {
      clock: this.clock,
      wakes: (c, slot) => poolWakes(c, this.pools, slot),
      decide: (c, slot, now) => {
        const p = decide(c, slot, now)
        return p === null ? null : { ...p, proofs: p.proofs ?? this.pool.candidates(), sessions: p.sessions ?? this.sessions?.forProposal(p.proposer) ?? [] }
      },
      onBlock: (block, envelope) => {
        this.metrics?.blocksProduced.inc()
        const { evidence, voteEvidence } = decodeEnvelope(envelope).poot.body
        this.init.log.info({ number: Number(block.header.number), slot: this.chain.headPoot.slot, txs: block.transactions.length, evidence: evidence.length + voteEvidence.length }, 'block proposed')
        this.publish(TOPIC_BLOCKS, envelope)
      },
      onError: (e) => { this.init.log.warn({ err: e.message }, 'block not proposed') }
    })
    if (init.registry !== undefined) {
      this.metrics = new ChainMetrics(init.registry, {
        head: () => Number(chain.head.header.number),
        finalized: () => chain.headPoot.finalized.height,
        slot: () => this.producer.currentSlot(),
        pooledProofs: () => this.pool.size,
        mempool: () => chain.mempool.size,
        draftsReused: () => chain.draftsReused,
        statesKept: () => chain.statesKept
      })
    }
  }

  get chain (): Chain { return this.init.chain }
  private get pubsub (): GossipSub { return this.init.libp2p.services.pubsub }

  /** Does the genesis register this node (so that its votes and heartbeats count)? */
  get registered (): boolean { return this.chain.genesis.poot.registry.entityOfNode.has(this.init.nodeKey.id) }

  /**
   * Whether this node must keep a session's blocks for the chain: its head lists the node as a holder or has a
   * challenge to it open for the session, or the head is too far behind the clock to tell (syncing). A node the
   * genesis does not register is never a holder.
   */
  owesSession (sessionId: string): boolean {
    if (!this.registered) return false // never a holder on this chain
    const head = this.chain.headPoot
    const slot = this.producer.currentSlot(this.clock.now())
    if (slot - head.slot > this.chain.configAt(slot).params.maxProofAgeSlots) return true
    return owesSession(head, this.init.nodeKey.id, sessionId)
  }

  async start (): Promise<void> {
    const { libp2p } = this.init
    this.pubsub.topicValidators.set(TOPIC_BLOCKS, async (peer, msg) => await this.validateBlock(peer, msg))
    this.pubsub.topicValidators.set(TOPIC_PROOFS, async (peer, msg) => await this.validateProofMessage(peer, msg))
    this.pubsub.topicValidators.set(TOPIC_TXS, async (peer, msg) => await this.validateTransaction(peer, msg))
    // transactions this node's clients send reach every proposer's mempool
    this.chain.onLocalTransaction((raw, hash) => {
      if (this.stopped) return
      this.localTxs.set(hash, { raw, sentAt: this.clock.now() })
      this.publish(TOPIC_TXS, raw)
    })
    for (const t of CHAIN_TOPICS) this.pubsub.subscribe(t)
    // each new head: the registrations its child lists (read before the next slot's turn)
    this.sessions?.follow((err) => { this.init.log.warn({ err: err.message }, 'registered sessions not read') }, () => !this.stopped)
    await libp2p.handle(SYNC_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 8 })
    await libp2p.handle(RELAY_PROTOCOL, (stream, connection) => { void this.serveRelay(stream, connection) }, { maxInboundStreams: 8 })
    await libp2p.handle(COSIGN_PROTOCOL, (stream, connection) => { void this.serveCosign(stream, connection) }, { maxInboundStreams: 8 })
    libp2p.addEventListener('peer:identify', this.onIdentify)
    // catch up with whoever is connected before proposing on a stale head
    await this.catchUp().catch(() => {})
    this.producer.start()
    this.timer = setInterval(() => { this.tick() }, TICK_MS)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    const { libp2p } = this.init
    libp2p.removeEventListener('peer:identify', this.onIdentify)
    for (const t of CHAIN_TOPICS) {
      this.pubsub.topicValidators.delete(t)
      try { this.pubsub.unsubscribe(t) } catch { /* stopped */ }
    }
    await libp2p.unhandle(SYNC_PROTOCOL).catch(() => {})
    await libp2p.unhandle(RELAY_PROTOCOL).catch(() => {})
    await libp2p.unhandle(COSIGN_PROTOCOL).catch(() => {})
    await this.producer.stop()
    await this.syncing?.catch(() => {})
    await this.chain.idle()
  }

  // ---- duties and upkeep ----------------------------------------------------------------------------------

  private tick (): void {
    if (this.stopped) return
    const now = this.clock.now()
    const config = this.chain.configAt(this.producer.currentSlot(now))
    const { params } = config
    if (this.registered) {
      for (const p of this.duties.due(this.chain.headPoot, config, now)) this.share(p)
      // claims and challenges change only with the head or the slot: no walk over the held sessions in between
      const head = this.chain.headPoot
      const at = `${head.hash}/${this.producer.currentSlot(now)}`
      if (this.storage !== undefined && at !== this.storageCheckedAt) {
        this.storageCheckedAt = at
        const headBlock = this.chain.head
        this.storage.due(head, this.producer.currentSlot(now), params, async (ids) => await this.chain.anchorsAt(headBlock, ids))
          .then((proofs) => { for (const p of proofs) this.share(p) }, (err: Error) => { this.init.log.warn({ err: err.message }, 'storage duties failed') })
      }
      this.sendReceipts(this.producer.currentSlot(now))
    }
    this.rebroadcast(now, params.slotMs)
    const slot = this.producer.currentSlot(now)
    this.pool.prune(slot)
    // no block for a few slots: maybe we missed some; ask the peers (at most once a slot)
    if (slot - this.chain.headPoot.slot > 2 && now - this.lastSyncAttempt > params.slotMs) void this.catchUp().catch(() => {})
  }

  /**
   * A peer that joined (or whose subscription we had not seen) after a transaction was sent never got it: send this
   * node's own pending transactions again every three slots (peers that have one ignore the copy without penalty).
   */
  private rebroadcast (now: number, slotMs: number): void {
    for (const [hash, t] of this.localTxs) {
      if (this.chain.mempool.get(hash) === undefined) { this.localTxs.delete(hash); continue }
      if (now - t.sentAt < 3 * slotMs) continue
      t.sentAt = now
      this.publish(TOPIC_TXS, t.raw)
    }
  }

  /** A proof of this node's: pooled for our own proposals and gossiped for everyone's. */
  private share (p: TaskProof): void {
    if (this.stopped || !this.pool.add(p)) return
    this.metrics?.proofsPublished.inc({ kind: p.kind })
    this.publish(TOPIC_PROOFS, encodeProof(p))
  }

  private publish (topic: string, data: Uint8Array): void {
    this.pubsub.publish(topic, data).catch((err: Error) => { this.init.log.debug({ topic, err: err.message }, 'chain message not published') })
  }

  // ---- gossip validation ----------------------------------------------------------------------------------

  private verdict (topic: string, v: Verdict, reason: string, peer: PeerId): TopicValidatorResult {
    if (v === 'accept') return TopicValidatorResult.Accept
    if (v === 'reject') {
      this.init.onRejected?.(topic, reason.split(':')[0].slice(0, 64))
      this.init.log.warn({ topic, reason: reason.slice(0, 300), peer: peer.toString() }, 'chain message rejected')
      return TopicValidatorResult.Reject
    }
    return TopicValidatorResult.Ignore
  }

  async validateBlock (peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    if (msg.data.length > MAX_GOSSIP_BLOCK_BYTES) return this.verdict(TOPIC_BLOCKS, 'reject', `oversize: ${msg.data.length} bytes`, peer)
    const r = await this.chain.importEnvelope(msg.data, this.clock.now())
    const v = blockVerdict(r)
    if (r.ok && r.known !== true) {
      this.metrics?.blocksImported.inc({ via: 'gossip' })
      this.init.log.debug({ number: Number(r.block.header.number), from: peer.toString(), side: r.sideChain === true }, 'block imported')
    }
    if (!r.ok) {
      if (v === 'reject') this.metrics?.blocksRejected.inc({ reason: r.reason.split(':')[0].slice(0, 64) })
      if (r.reason.startsWith('unknown-parent')) this.syncSoon(peer)
      if (r.reason.startsWith('equivocation')) this.init.log.warn({ reason: r.reason, from: peer.toString() }, 'equivocation caught')
    }
    return this.verdict(TOPIC_BLOCKS, v, r.ok ? '' : r.reason, peer)
  }

  async validateProofMessage (peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    if (msg.data.length > MAX_GOSSIP_PROOF_BYTES) return this.verdict(TOPIC_PROOFS, 'reject', `oversize: ${msg.data.length} bytes`, peer)
    let proof: TaskProof
    try { proof = decodeProof(msg.data) } catch (e) {
      return this.verdict(TOPIC_PROOFS, 'reject', e instanceof ProofCodecError ? e.message : 'undecodable', peer)
    }
    if (proof.kind === 'attestation') this.catchConflictingVote(proof)
    if (this.pool.has(proof)) return TopicValidatorResult.Ignore
    const v = await this.gossipValidity(proof)
    const verdict = proofVerdict(v)
    if (verdict === 'accept') {
      this.pool.add(proof)
      if (proof.kind === 'attestation') this.rememberVote(proof)
    }
    return this.verdict(TOPIC_PROOFS, verdict, v.ok ? '' : v.reason, peer)
  }

  /**
   * A vote that conflicts with an accepted one of the same node (same slot, or one surrounding the other) is
   * evidence: the chain checks both signatures and keeps the pair for this node's next block, which jails the node's
   * entity everywhere. Only a conflicting vote costs a signature check here; the rest are plain comparisons.
   */
  private catchConflictingVote (v: Attestation): void {
    for (const w of this.votesByNode.get(v.node) ?? []) {
      if (w.slot === v.slot && w.blockHash === v.blockHash && w.sourceSlot === v.sourceSlot && w.sourceHash === v.sourceHash) return
      const slashable = w.slot === v.slot || (w.sourceSlot < v.sourceSlot && v.slot < w.slot) || (v.sourceSlot < w.sourceSlot && w.slot < v.slot)
      if (slashable && this.chain.addVoteEvidence({ a: w, b: v })) {
        this.metrics?.voteEquivocations.inc()
        this.init.log.warn({ node: v.node, slots: [w.slot, v.slot] }, 'vote equivocation caught: evidence kept for the next block')
        return
      }
    }
  }

  /** An accepted vote (signature checked by validateProof), kept to catch later conflicting ones: 64 per node. */
  private rememberVote (v: Attestation): void {
    const seen = this.votesByNode.get(v.node) ?? []
    seen.push(v)
    if (seen.length > 64) seen.shift()
    this.votesByNode.set(v.node, seen)
  }

  /**
   * A gossiped proof checked as the next block would see it. A holding claim is checked against its session's
   * LucidAnchors registration in the head's state: not registered there, or with another root, it is ignored (it
   * depends on the receiver's view, not a fault PoOT's verdicts reject).
   */
  private async gossipValidity (proof: TaskProof): Promise<Validity> {
    const headBlock = this.chain.head
    const anchors = await this.chain.anchorsAt(headBlock, claimedSessions([proof]))
    return this.nextBlockValidity(proof, this.chain.pootState(headBlock.hash()) ?? this.chain.headPoot, anchors)
  }

  /** A proof checked as the next block would see it: included at the coming slot, on `head` (the current head). */
  private nextBlockValidity (proof: TaskProof, head = this.chain.headPoot, anchors: AnchorLookup = NO_ANCHORS): Validity {
    const now = this.clock.now()
    const slot = Math.max(head.slot + 1, this.producer.currentSlot(now) + 1)
    return validateProof(proof, { config: this.chain.configAt(slot), parent: head, slot, timeMs: now, blockKeys: new Set(), openChallenges: head.openChallenges, anchors })
  }

  /** A gossiped transaction is admitted to our mempool with the same checks as eth_sendRawTransaction. */
  async validateTransaction (peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    if (msg.data.length > MEMPOOL_LIMITS.maxTxBytes) return this.verdict(TOPIC_TXS, 'reject', `oversize: ${msg.data.length} bytes`, peer)
    let reason: string | null = null
    try { await this.chain.submitRaw(msg.data, false) } catch (e) { reason = e instanceof MempoolError ? e.reason : 'undecodable' }
    return this.verdict(TOPIC_TXS, transactionVerdict(reason), reason ?? '', peer)
  }

  // ---- relay receipts -------------------------------------------------------------------------------------

  /** Once a slot: the receipts this node owes its relayers, each sent to its relayer to countersign. */
  private sendReceipts (slot: number): void {
    if (slot <= this.receiptsMadeAt) return
    this.receiptsMadeAt = slot
    for (const r of this.relay.due(slot)) {
      const peer = this.relayPeers.get(r.node)
      if (peer === undefined) continue
      requestCountersignature(this.init.libp2p, peer, r).then((out) => {
        if (typeof out === 'string') {
          this.metrics?.relayReceipts.inc({ role: 'receiver', outcome: 'refused' })
          this.init.log.debug({ relayer: peer.toString(), bytes: r.bytes, slot: r.slot, reason: out }, 'relay receipt refused')
        } else {
          this.metrics?.relayReceipts.inc({ role: 'receiver', outcome: 'countersigned' })
          this.init.log.debug({ relayer: peer.toString(), bytes: r.bytes, slot: r.slot }, 'relay receipt countersigned')
        }
      }, (err: Error) => {
        this.relay.restore(r) // the relayer was unreachable: receipted again next slot
        this.metrics?.relayReceipts.inc({ role: 'receiver', outcome: 'unreachable' })
        this.init.log.debug({ relayer: peer.toString(), err: err.message }, 'relay receipt not delivered')
      })
    }
  }

  /** A receiver's receipt for bytes this node served: countersigned, checked as the next block would, and shared. */
  private async serveRelay (stream: Stream, connection: Connection): Promise<void> {
    const from = nodeIdOf(connection.remotePeer)
    if (from === null || !this.registered) { stream.abort(new Error('relay receipts are for registered Ed25519 nodes')); return }
    try {
      const out = await serveRelayReceipt(stream, this.init.nodeKey.id, from, (r) => this.relay.countersign(r, from, this.producer.currentSlot(), (receipt) => {
        const v = this.nextBlockValidity(receipt)
        return v.ok ? null : `invalid: ${v.reason}`
      }), AbortSignal.timeout(10_000))
      if (typeof out === 'string') {
        this.metrics?.relayReceipts.inc({ role: 'relayer', outcome: 'refused' })
        if (out.includes('signature')) this.init.onRejected?.(RELAY_PROTOCOL, 'bad-signature')
        this.init.log.debug({ peer: connection.remotePeer.toString(), reason: out }, 'relay receipt refused')
        return
      }
      this.metrics?.relayReceipts.inc({ role: 'relayer', outcome: 'countersigned' })
      this.init.log.info({ receiver: connection.remotePeer.toString(), bytes: out.bytes, slot: out.slot }, 'relay receipt countersigned')
      this.share(out)
    } catch (err) {
      if (err instanceof RelayProtocolError) this.init.onRejected?.(RELAY_PROTOCOL, 'bad-request')
      this.init.log.debug({ peer: connection.remotePeer.toString(), err: (err as Error).message }, 'relay receipt (served) failed')
      stream.abort(err as Error)
    }
  }

  // ---- pool co-signing ------------------------------------------------------------------------------------

  /** Asks the pool's other members (each at its libp2p peer: the node id is its Ed25519 key) to sign a draft. */
  private cosigner (m: PoolMembership, deadlineMs: number): Cosigner {
    return async (partial, signs) => {
      const started = this.clock.now()
      const got = await gatherCosignatures(m, signs, deadlineMs, async (member, signal) => {
        const peer = peerIdFromPublicKey(publicKeyFromRaw(Buffer.from(m.entity.members[member], 'hex')))
        return await requestCosign(this.init.libp2p, peer, partial, signal)
      }, (member, outcome, detail) => {
        this.metrics?.cosign.inc({ role: 'leader', outcome })
        if (outcome === 'bad-signature') this.init.onRejected?.(COSIGN_PROTOCOL, 'bad-signature')
        this.init.log.debug({ entity: m.entity.id, member, outcome, detail: detail.slice(0, 200) }, 'co-sign answer')
      })
      const level = got.length + 1 >= m.entity.threshold ? 'info' : 'warn'
      this.init.log[level]({ entity: m.entity.id, member: m.member, signatures: got.length + 1, threshold: m.entity.threshold, ms: this.clock.now() - started }, got.length + 1 >= m.entity.threshold ? 'pool block co-signed' : 'pool block not co-signed in time')
      return got
    }
  }

  /** Another member's draft of a pool block of ours: checked (cosign-rules.ts, then Chain.cosign) and signed, or refused. */
  private async serveCosign (stream: Stream, connection: Connection): Promise<void> {
    const from = nodeIdOf(connection.remotePeer)
    if (from === null) { stream.abort(new Error('co-signing is for Ed25519 nodes')); return }
    try {
      const { answer } = await serveCosign(stream, async (r) => await this.answerCosign(r, from), AbortSignal.timeout(COSIGN_SERVE_TIMEOUT_MS))
      this.metrics?.cosign.inc({ role: 'member', outcome: answer.ok ? 'signed' : 'refused' })
      if (answer.ok) {
        this.init.log.debug({ peer: connection.remotePeer.toString() }, 'pool draft co-signed')
        return
      }
      if (answer.reason.startsWith('unknown-parent')) this.syncSoon(connection.remotePeer)
      if (cosignVerdict(answer.reason) === 'reject') this.init.onRejected?.(COSIGN_PROTOCOL, answer.reason.split(':')[0].slice(0, 64))
      this.init.log.info({ peer: connection.remotePeer.toString(), reason: answer.reason.slice(0, 300) }, 'pool draft not co-signed')
    } catch (err) {
      const name = (err as Error).name
      if (err instanceof CosignCodecError || name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') this.init.onRejected?.(COSIGN_PROTOCOL, 'bad-request')
      this.init.log.debug({ peer: connection.remotePeer.toString(), err: (err as Error).message }, 'co-sign request (served) failed')
      stream.abort(err as Error)
    }
  }

  private async answerCosign (r: CosignRequest, from: string): Promise<CosignAnswer> {
    const { header, signatures } = r.envelope.poot.signed
    const m = this.pools.members.get(header.proposer)
    const now = this.clock.now()
    const { params, genesisMs } = this.chain.configAt(header.slot)
    const entity = this.chain.genesis.poot.registry.byId.get(header.proposer)
    // live members as the draft's parent shows them (the chain judges the draft on that parent too)
    const live = entity === undefined ? undefined : liveMembers(this.chain.pootStateByHeader(header.parent) ?? this.chain.headPoot, entity, params)
    const turn = checkCosignRequest(header, signatures, { entity, member: m?.member, requester: from, nowMs: now, genesisMs, params, live })
    if (turn !== null || m === undefined) return { ok: false, reason: turn ?? 'not-a-member' }
    const signed = await this.chain.cosign(r.raw, { member: m.member, key: m.key }, now)
    return signed.ok ? { ok: true, member: m.member, poot: signed.poot, seal: signed.seal } : signed
  }

  // ---- sync -----------------------------------------------------------------------------------------------

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    try {
      await serveSync(this.chain, stream, AbortSignal.timeout(30_000))
    } catch (err) {
      if (err instanceof SyncProtocolError) this.init.onRejected?.(SYNC_PROTOCOL, 'bad-request')
      this.init.log.debug({ peer: connection.remotePeer.toString(), err: (err as Error).message }, 'chain sync (served) failed')
      stream.abort(err as Error)
    }
  }

  private syncSoon (peer: PeerId): void {
    if (this.stopped || this.syncing !== null) return
    this.syncing = this.syncWith(peer).finally(() => { this.syncing = null })
  }

  /** Catches up with the connected peer that has the highest head, if it is ahead of ours. */
  async catchUp (): Promise<void> {
    if (this.stopped || this.syncing !== null) return
    this.lastSyncAttempt = this.clock.now()
    const run = async (): Promise<void> => {
      const ours = this.chain.head.header.number
      const genesis = this.genesisHash()
      let best: { peer: PeerId, head: bigint } | undefined
      await Promise.all(this.init.libp2p.getPeers().map(async (peer) => {
        const status = await requestStatus(this.init.libp2p, peer).catch(() => null)
        if (status === null || status.genesisHash !== genesis || status.head <= ours) return
        if (best === undefined || status.head > best.head) best = { peer, head: status.head }
      }))
      if (best !== undefined) await this.syncWith(best.peer)
    }
    this.syncing = run().finally(() => { this.syncing = null })
    await this.syncing
  }

  private genesisHash (): string { return bytesToHex(this.chain.blockchain.genesisBlock.hash()) }

  /** Where the running catch-up stands, or null when the node is not catching up. */
  get syncStatus (): SyncProgress | null { return this.syncProgress }

  /** Keeps a catch-up's progress for syncStatus and logs it every SYNC_LOG_MS (a sync from genesis can take minutes). */
  private progressReporter (peer: string): (p: SyncProgress) => void {
    const started = this.clock.now()
    let logged = started
    return (p) => {
      this.syncProgress = p
      const now = this.clock.now()
      if (now - logged < SYNC_LOG_MS || p.currentBlock >= p.highestBlock) return
      logged = now
      const done = Number(p.currentBlock - p.startingBlock)
      const perSecond = done / Math.max(0.001, (now - started) / 1000)
      this.init.log.info({ peer, at: Number(p.currentBlock), target: Number(p.highestBlock), blocksPerSecond: Math.round(perSecond), etaS: Math.round(Number(p.highestBlock - p.currentBlock) / Math.max(perSecond, 0.001)) }, 'chain syncing')
    }
  }

  /** Imports the peer's canonical blocks from just after our finalized block (known ones are skipped quickly). */
  private async syncWith (peer: PeerId): Promise<void> {
    const id = peer.toString()
    try {
      const status = await requestStatus(this.init.libp2p, peer)
      if (status.genesisHash !== this.genesisHash()) { this.init.log.debug({ peer: id }, 'peer follows another chain'); return }
      if (status.head <= this.chain.head.header.number && status.headHash === bytesToHex(this.chain.head.hash())) return
      const finalized = this.chain.headPoot.finalized.height
      const start = BigInt(Math.min(finalized + 1, Number(this.chain.head.header.number) + 1))
      const r = await syncFrom(this.chain, peerEnvelopeSource(this.init.libp2p, peer, status), this.clock.now, start, this.progressReporter(id))
      this.metrics?.syncs.inc({ outcome: 'ok' })
      if (r.imported > 0) {
        this.metrics?.blocksImported.inc({ via: 'sync' }, r.imported)
        this.init.log.info({ peer: id, imported: r.imported, head: Number(r.head) }, 'chain caught up')
      }
    } catch (err) {
      this.metrics?.syncs.inc({ outcome: err instanceof SyncError ? 'bad-block' : 'failed' })
      if (err instanceof SyncError || err instanceof SyncProtocolError) this.init.onRejected?.(SYNC_PROTOCOL, err instanceof SyncError ? 'bad-block' : 'bad-answer')
      this.init.log.warn({ peer: id, err: (err as Error).message }, 'chain sync failed')
    } finally {
      this.syncProgress = null
    }
  }
}
