/**
 * The node's session state service: the SwarmState (crdt/) restored from and persisted to the datastore, incremental
 * updates on the gossip topic (validated in gossipsub's hook: invalid ones are rejected, which costs the sender peer
 * score), catch-up over the state-sync protocol on every new connection and periodically with a random peer (so a
 * node that missed gossip, or was offline for a day, converges), and the session-flow writes. Every local write is
 * stored before it is published, so a crash can never make this node sign two different updates under one number.
 */
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Datastore } from 'interface-datastore'
import { STATE_SYNC_PROTOCOL, TOPIC_STATE } from '../../../crdt/constants.js'
import { SwarmState, type IngestResult, type Rejection } from '../../../crdt/state.js'
import { StatePersistence, type StorageIncident } from '../../../crdt/persistence.js'
import { SyncDecodeError } from '../../../crdt/sync.js'
import type { VerifiedEnvelope } from '../../../crdt/envelope.js'
import * as flow from '../../../crdt/session-flow.js'
import { allIncidents, listSessions, sessionIds, sessionState, type AuthoredIncident, type SessionState, type SessionSummary } from '../../../crdt/views.js'
import type { AnchorFinality, AnchorRecord, Incident, SealRecord, SessionRecord } from '../../../crdt/schema.js'
import { DatastoreStateStorage } from './storage.js'
import { PenaltyBox } from './penalties.js'
import { syncAsDialler, syncAsListener, type SyncOutcome } from './sync-stream.js'
import { opensslVerify } from './ed25519-verify.js'

export interface StateLog {
  info: (o: object, m: string) => void
  warn: (o: object, m: string) => void
  debug: (o: object, m: string) => void
}

/** The slice of libp2p the service uses (a full libp2p node with a gossipsub `pubsub` service fits). */
export interface StateLibp2p {
  peerId: PeerId
  services: { pubsub: GossipSub }
  handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, opts?: { maxInboundStreams?: number }) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  dialProtocol: (peer: PeerId, protocol: string, opts?: { signal?: AbortSignal }) => Promise<Stream>
  getPeers: () => PeerId[]
  hangUp: (peer: PeerId) => Promise<void>
  addEventListener: (type: 'peer:connect', fn: (evt: CustomEvent<PeerId>) => void) => void
  removeEventListener: (type: 'peer:connect', fn: (evt: CustomEvent<PeerId>) => void) => void
}

export interface StateServiceInit {
  libp2p: StateLibp2p
  datastore: Datastore
  /** The node's 32-byte Ed25519 secret key. */
  secretKey: Uint8Array
  log: StateLog
  now?: () => number
  /** Catch-up with one random connected peer this often (0: only on connect). */
  syncIntervalMs?: number
  compactEvery?: number
  /** Called for each invalid message (metrics). */
  onRejected?: (source: 'gossip' | 'sync', reason: string) => void
  /** Called after a peer's update was applied (gossip or catch-up), so the node can act on it without waiting. */
  onApplied?: () => void
}

export class StateService {
  readonly penalties: PenaltyBox
  private timer?: NodeJS.Timeout
  private stopped = false
  private readonly syncing = new Map<string, Promise<SyncOutcome | null>>()
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const t = setTimeout(() => { void this.syncWith(evt.detail) }, 100)
    t.unref()
  }

  private constructor (
    readonly state: SwarmState,
    readonly persistence: StatePersistence,
    private readonly init: StateServiceInit,
    private readonly now: () => number
  ) {
    this.penalties = new PenaltyBox(now)
  }

  static async start (init: StateServiceInit): Promise<StateService> {
    const now = init.now ?? Date.now
    const state = new SwarmState({ secretKey: init.secretKey, random: () => Math.floor(Math.random() * 2 ** 32), verify: opensslVerify })
    const corrupt: StorageIncident[] = []
    const persistence = new StatePersistence(state, new DatastoreStateStorage(init.datastore), {
      compactEvery: init.compactEvery,
      onIncident: (i) => { corrupt.push(i); init.log.warn({ where: i.where, detail: i.detail }, 'state record skipped') }
    })
    const restored = await persistence.restore()
    init.log.info({ envelopes: restored.envelopes, skipped: restored.skipped, authors: state.authors().length }, 'session state restored')
    const svc = new StateService(state, persistence, init, now)
    state.onApplied = (env) => { void persistence.append(env.bytes).catch((err) => init.log.warn({ err: (err as Error).message }, 'state record not stored')) }
    // The proof of an equivocation is stored like envelopes: replayed at restore, it freezes the author again.
    state.onEvidence = (_author, evidence) => { for (const e of evidence) void persistence.append(e.bytes).catch(() => {}) }
    svc.wire()
    if (corrupt.length > 0) {
      const detail = `${corrupt.length} stored state record(s) failed their checks and were skipped: ${corrupt[0].where}: ${corrupt[0].detail}`.slice(0, 512)
      // Not awaited: when the lost record was one of this node's own, the write waits for catch-up.
      void svc.write(() => flow.recordIncident(state, { kind: 'corrupt-record', sessionId: '', subject: 'datastore', detail, at: now() }))
        .catch((err) => init.log.warn({ err: (err as Error).message }, 'corrupt-record incident not written'))
    }
    return svc
  }

  private wire (): void {
    const { libp2p } = this.init
    libp2p.services.pubsub.topicValidators.set(TOPIC_STATE, (peer, msg) => this.validate(peer, msg))
    libp2p.services.pubsub.subscribe(TOPIC_STATE)
    void libp2p.handle(STATE_SYNC_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 4 })
    libp2p.addEventListener('peer:connect', this.onConnect)
    const every = this.init.syncIntervalMs ?? 30_000
    if (every > 0) {
      this.timer = setInterval(() => {
        const peers = libp2p.getPeers()
        if (peers.length > 0) void this.syncWith(peers[Math.floor(Math.random() * peers.length)])
      }, every)
      this.timer.unref()
    }
  }

  get selfId (): string { return this.state.selfId }

  // ---- incoming ----

  private rejected (source: 'gossip' | 'sync', r: Rejection, peer: string): void {
    this.init.onRejected?.(source, r.reason)
    this.init.log.warn({ source, reason: r.reason, detail: r.detail, peer, author: r.authorId }, 'state update rejected')
    if (source === 'sync' && this.penalties.penalise(peer)) {
      this.init.log.warn({ peer }, 'peer banned from state sync for sending invalid updates')
      void this.init.libp2p.hangUp(peerIdFromString(peer)).catch(() => {})
    }
  }

  /** An author signed two updates under one number: its document is frozen; record the incident once. */
  private equivocated (author: string, detail: string): void {
    this.init.log.warn({ author, detail }, 'author equivocated: its state is frozen before the conflicting update')
    const already = allIncidents(this.state).some((i) => i.kind === 'equivocation' && i.subject === author && i.by === this.selfId)
    if (!already && author !== this.selfId) void this.write(() => flow.recordIncident(this.state, { kind: 'equivocation', sessionId: '', subject: author, detail: detail.slice(0, 512), at: this.now() })).catch(() => {})
  }

  private afterIngest (source: 'gossip' | 'sync', r: IngestResult, peer: string): void {
    if (r.status === 'rejected') this.rejected(source, r.rejection, peer)
    if (r.status === 'equivocation') this.equivocated(r.authorId, r.detail)
    if (r.status === 'applied') {
      for (const late of r.late) if (late.from !== undefined) this.rejected('sync', late, late.from)
      if (this.deferred.length > 0 && !this.state.ownLogIncomplete) this.runDeferred()
      this.init.onApplied?.()
    }
  }

  /**
   * Writes wait while this node's own log has a gap (a lost record being fetched back from peers): writing would reuse
   * a sequence number. They run, in order, as soon as catch-up has filled the gap.
   */
  private readonly deferred: Array<{ make: () => VerifiedEnvelope[], done: (n: number) => void, fail: (e: Error) => void }> = []

  private runDeferred (): void {
    while (this.deferred.length > 0 && !this.state.ownLogIncomplete) {
      const w = this.deferred.shift() as typeof this.deferred[number]
      try { this.commit(w.make()).then(w.done, w.fail) } catch (err) { w.fail(err as Error) }
    }
  }

  /** Makes a local write and commits it; deferred while the own log is incomplete. Resolves with the peers reached. */
  async write (make: () => VerifiedEnvelope[]): Promise<number> {
    if (!this.state.ownLogIncomplete && this.deferred.length === 0) return await this.commit(make())
    this.init.log.warn({}, 'local state write deferred until catch-up fills a gap in this node\'s own log')
    return await new Promise((resolve, reject) => { this.deferred.push({ make, done: resolve, fail: reject }) })
  }

  /** gossipsub's validation hook: Accept forwards, Ignore drops quietly, Reject drops and lowers the sender's score. */
  validate (peer: PeerId, msg: Message): TopicValidatorResult {
    const from = peer.toString()
    const r = this.state.ingest(msg.data, from)
    this.afterIngest('gossip', r, from)
    switch (r.status) {
      case 'applied': return TopicValidatorResult.Accept
      case 'rejected': return TopicValidatorResult.Reject
      case 'pending': void this.syncWith(peer); return TopicValidatorResult.Ignore
      default: return TopicValidatorResult.Ignore
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    if (this.penalties.banned(peer)) { stream.abort(new Error('banned')); return }
    try {
      const out = await syncAsListener(stream, this.state, peer, (r) => this.afterIngest('sync', r, peer), AbortSignal.timeout(60_000))
      if (out.applied > 0 || out.sent > 0) this.init.log.debug({ peer, ...out }, 'state sync served')
    } catch (err) {
      if (err instanceof SyncDecodeError) this.rejected('sync', { reason: 'bad-encoding', detail: err.message }, peer)
      this.init.log.debug({ peer, err: (err as Error).message }, 'state sync (served) failed')
      stream.abort(err as Error)
    }
  }

  /** Catch-up with one peer (both directions). Concurrent calls for the same peer share one exchange. */
  async syncWith (peer: PeerId): Promise<SyncOutcome | null> {
    const id = peer.toString()
    const running = this.syncing.get(id)
    if (running !== undefined) return await running
    if (this.stopped || this.penalties.banned(id)) return null
    const run = (async () => {
      try {
        const signal = AbortSignal.timeout(60_000)
        const stream = await this.init.libp2p.dialProtocol(peer, STATE_SYNC_PROTOCOL, { signal })
        try {
          const out = await syncAsDialler(stream, this.state, id, (r) => this.afterIngest('sync', r, id), signal)
          if (out.applied > 0 || out.sent > 0) this.init.log.debug({ peer: id, ...out }, 'state caught up')
          return out
        } catch (err) { stream.abort(err as Error); throw err }
      } catch (err) {
        if (err instanceof SyncDecodeError) this.rejected('sync', { reason: 'bad-encoding', detail: err.message }, id)
        this.init.log.debug({ peer: id, err: (err as Error).message }, 'state sync failed')
        return null
      } finally {
        this.syncing.delete(id)
      }
    })()
    this.syncing.set(id, run)
    return await run
  }

  // ---- local writes (the session flow) ----

  /** Stores the envelopes, then publishes them (never the other way round). */
  async commit (envelopes: VerifiedEnvelope[], publish = true): Promise<number> {
    if (envelopes.length === 0) return 0
    await this.persistence.flush()
    if (!publish) return 0
    let reached = 0
    for (const e of envelopes) {
      try { reached = Math.max(reached, (await this.init.libp2p.services.pubsub.publish(TOPIC_STATE, e.bytes)).recipients.length) } catch (err) {
        this.init.log.debug({ err: (err as Error).message }, 'state update not published (peers catch up later)')
      }
    }
    return reached
  }

  async sessionStarted (sessionId: string, record: SessionRecord): Promise<void> { await this.write(() => flow.recordSessionStart(this.state, sessionId, record)) }
  async sessionSealed (sessionId: string, chunks: string[], seal: SealRecord): Promise<void> { await this.write(() => flow.recordSealed(this.state, sessionId, chunks, seal)) }
  async holding (sessionId: string, held: boolean): Promise<void> { await this.write(() => flow.recordHolding(this.state, sessionId, held, this.now())) }
  async replicated (sessionId: string): Promise<void> { await this.write(() => flow.recordReplicated(this.state, sessionId)) }
  async anchored (sessionId: string, anchor: AnchorRecord): Promise<void> { await this.write(() => flow.recordAnchor(this.state, sessionId, anchor)) }
  async anchorFinal (sessionId: string, finality: AnchorFinality): Promise<void> { await this.write(() => flow.recordAnchorFinal(this.state, sessionId, finality)) }
  async incident (incident: Incident): Promise<void> { await this.write(() => flow.recordIncident(this.state, incident)) }

  // ---- reads ----

  sessions (): SessionSummary[] { return listSessions(this.state) }
  /** Every session ID the state knows (cheaper than sessions()). */
  sessionIds (): string[] { return sessionIds(this.state) }
  session (sessionId: string): SessionState | null { return sessionState(this.state, sessionId) }
  incidents (): AuthoredIncident[] { return allIncidents(this.state) }
  /** This node's anchors not yet recorded final (to follow again after a restart). */
  anchorsAwaitingFinality (): Array<{ sessionId: string, anchor: AnchorRecord }> { return this.state.own((w) => w.anchorsAwaitingFinality()) }
  /** Whether this node's own state records an anchor of the session. */
  hasAnchor (sessionId: string): boolean { return this.state.own((w) => w.anchorOf(sessionId) !== undefined) }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    const { libp2p } = this.init
    libp2p.removeEventListener('peer:connect', this.onConnect)
    libp2p.services.pubsub.topicValidators.delete(TOPIC_STATE)
    try { libp2p.services.pubsub.unsubscribe(TOPIC_STATE) } catch { /* stopped */ }
    await libp2p.unhandle(STATE_SYNC_PROTOCOL).catch(() => {})
    await Promise.allSettled([...this.syncing.values()])
    await this.persistence.flush()
  }
}
