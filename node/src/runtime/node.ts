/**
 * A running Lucid node: Helia (on-disk blockstore + LevelDB datastore, bitswap) on libp2p, gossip, membership,
 * replication and repair, composed from the pieces in store/ and swarm/. The HTTP API (api/) drives it.
 */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { LevelDatastore } from 'datastore-level'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import { decodeSignedManifest, type Manifest } from '../../../protocols/session/manifest.js'
import { encodeAnnouncement, type SignedAnnouncement } from '../../../protocols/swarm/announcement.js'
import { BITSWAP_MAX_MESSAGE_BYTES, MAX_ADDRS, MAX_BLOCK_BYTES, MAX_SWARM_CHUNK_SIZE, SWARM_MAX_CHUNKS, SWARM_VERSION } from '../../../protocols/swarm/constants.js'
import type { Config } from '../home/config.js'
import type { OpenHome } from '../home/home.js'
import { sessionKeyName } from '../home/keystore.js'
import { sealSessionTo, type SealSummary } from '../seal/seal-session.js'
import { WorkerPool } from '../seal/worker-pool.js'
import { openChunkStream } from '../seal/open-session.js'
import { BlockStore } from '../store/block-store.js'
import { WholeFileBlockstore } from '../store/fs-blockstore.js'
import { sendBitswapBlocksWithoutCopies } from '../swarm/bitswap-send.js'
import { recordBitswapDigests, reusingSha256 } from '../swarm/bitswap-digests.js'
import { countServedReads } from '../store/counting-blockstore.js'
import { TransferTraffic } from '../store/traffic.js'
import { recordFromAnnouncement, SessionIndex, type SessionRecord } from '../store/session-index.js'
import { libp2pOptions, type SwarmServices } from '../swarm/libp2p-options.js'
import { createHeliaWithLibp2p } from '../swarm/helia-light.js'
import { Gossip } from '../swarm/gossip.js'
import { Membership } from '../swarm/membership.js'
import { Replicator } from '../swarm/replicator.js'
import { StateSessions } from '../swarm/state-sessions.js'
import { NodeMetrics } from '../api/metrics.js'
import type { Logger } from './logger.js'
// Session state (issue 4, docs/crdt.md): the CRDT service and its hook points.
import { StateService } from '../state/service.js'
import { recordPut, reconcileHoldings, stateSummary, type StateSummary } from '../state/node-hooks.js'
// The chain (issue 7, docs/chain.md), when the home has a chain genesis.
// Loaded only when the home has a chain genesis: a node without a chain never loads the EVM, ethers or the RPC server.
import type { NodeChain, NodeChainStatus } from './node-chain.js'
import { hasChainGenesis } from '../chain/paths.js'

/** When the origin re-publishes an announcement after the first publish. */
export const RETRANSMIT_MS = [2_000, 10_000, 30_000]
/** How long after a peer's state update the node looks for sessions to adopt (a catch-up's burst is one pass). */
const ADOPT_DELAY_MS = 100

export class SessionTooLargeError extends Error { constructor (m: string) { super(m); this.name = 'SessionTooLargeError' } }
export class NotFoundError extends Error { constructor (m: string) { super(m); this.name = 'NotFoundError' } }
export class NoKeyError extends Error { constructor (m: string) { super(m); this.name = 'NoKeyError' } }

export interface NodeInit { home: OpenHome, config: Config, logger: Logger, now?: () => number }

export interface PutOptions { owner?: string, participants?: string[], chunkSize?: number }
/** `anchor`: the LucidAnchors transaction submitted for the session (null when the node has no chain account). */
export interface PutResult extends SealSummary { announcedTo: number, sessionKey: Uint8Array, anchor: { tx: string, submitMs: number } | null, anchorQueued: boolean }

/** What GET /api/v1/status answers (docs/openapi.json, schema Status). */
export interface NodeStatus {
  peerId: string
  addrs: string[]
  uptimeSeconds: number
  peers: number
  members: number
  sessionsKnown: number
  sessionsHeld: number
  storedBytes: number
  replication: number
  replicationDeficit: number
  sessionsRetained: number
  fetching: string[]
  chain: NodeChainStatus | null
}

/** One peer of GET /api/v1/peers (schema Peer). */
export interface PeerView { peerId: string, addrs: string[], connected: boolean, member: boolean, lastHeartbeat?: number, score: number, held: number }

export interface SessionView extends SessionRecord {
  /**
   * Where this node learned of the session: a validated gossip announcement (or its own put), or only the swarm's
   * session state (CRDT), e.g. on a node that joined after the session was announced. A state-only session has no
   * announcement here, so its `addrs` are empty, `storedBytes` is 0 (unknown), `issuedAt` is the seal time and
   * `receivedAt` when this node's state learned it.
   */
  source: 'announcement' | 'state'
  holders: string[]
  desired: string[]
  replication: number
  state: 'replicated' | 'under-replicated' | 'fetching'
  /** The session's CRDT state (status, recorder, holders, anchors, incidents); null until the state knows it. */
  crdt: StateSummary | null
}

export class LucidNode {
  readonly startedAt = Date.now()
  readonly metrics: NodeMetrics
  private timer?: NodeJS.Timeout
  private heartbeatSoon?: NodeJS.Timeout
  private stopping = false
  private adoptSoon?: NodeJS.Timeout
  private workerPool?: WorkerPool
  /** Seal/open workers, started on first use (an idle node runs no worker threads). */
  get pool (): WorkerPool { return (this.workerPool ??= new WorkerPool()) }

  private constructor (
    readonly home: OpenHome,
    readonly config: Config,
    readonly log: Logger,
    readonly helia: HeliaWithLibp2p<SwarmServices>,
    private readonly datastore: LevelDatastore,
    readonly index: SessionIndex,
    readonly blocks: BlockStore,
    readonly membership: Membership,
    private readonly now: () => number,
    readonly traffic: TransferTraffic
  ) {
    this.metrics = new NodeMetrics({
      peers: () => this.helia.libp2p.getPeers().length,
      members: () => this.membership.members().length,
      storedBytes: () => this.index.held().reduce((s, r) => s + r.storedBytes, 0),
      sessionsHeld: () => this.index.held().length,
      sessionsKnown: () => this.index.size,
      replicationDeficit: () => this.replicator.deficit,
      sessionsRetained: () => this.replicator.retainedCount
    })
    traffic.onServed((n) => this.metrics.bitswapServed.inc(n))
    traffic.onReceived((_peer, n) => this.metrics.bitswapReceived.inc(n))
  }

  gossip!: Gossip
  replicator!: Replicator
  /** Sealed sessions known only from the session state, taken into the index (docs/swarm.md). */
  stateSessions!: StateSessions
  /** Session state (CRDT), docs/crdt.md. */
  sessionState!: StateService
  /** The chain, when the home has a chain genesis (docs/chain.md). */
  chain?: NodeChain

  get peerId (): string { return this.home.identity.peerId }
  get libp2p (): HeliaWithLibp2p<SwarmServices>['libp2p'] { return this.helia.libp2p }

  static async start (init: NodeInit): Promise<LucidNode> {
    const { home, config, logger } = init
    const now = init.now ?? Date.now
    const root = home.paths.root
    await mkdir(join(root, 'blocks'), { recursive: true, mode: 0o700 })
    const datastore = new LevelDatastore(join(root, 'datastore'))
    await datastore.open()
    const raw = new WholeFileBlockstore(join(root, 'blocks'))
    await raw.open()
    const traffic = new TransferTraffic()
    const blockstore = countServedReads(raw, (n) => traffic.served(n))
    const privateKey = privateKeyFromRaw(new Uint8Array([...home.identity.secretKey, ...home.identity.publicKey]))
    // Helia without its package entry's default libp2p stack (WebRTC, relay, AutoTLS…: ~33 MB an idle node never used).
    const helia = withBitswap(await createHeliaWithLibp2p({ blockstore, datastore, codecs: [dagCbor], hashers: [reusingSha256] }, libp2pOptions({
      privateKey,
      listen: config.node.listen,
      bootstrap: config.node.bootstrap,
      mdns: config.node.mdns,
      maxPeers: config.node.maxPeers,
      lanDht: true,
      ipColocationWeight: config.swarm.ipColocationWeight
    })), {
      maxIncomingMessageSize: 4 * 1024 * 1024,
      maxOutgoingMessageSize: BITSWAP_MAX_MESSAGE_BYTES,
      // Helia drops a peer's send operation when its queue is full (default 10) and then serves the wants that were
      // left only when that peer sends another message: with many chunks in flight that lost wants for minutes.
      sendBlocksMaxQueueLength: 1024,
      // The wantlist is sent 10 ms after the last change by default, and every received block is a change (its want
      // is cancelled): while a batch of blocks streamed in, the timer kept being pushed back and the next wants left
      // only after the whole batch, so the provider idled between batches (bench/swarm/transfer.bench.ts).
      sendWantlistDebounce: 1,
      messageReceiveTimeout: 60_000,
      messageSendTimeout: 60_000,
      sendBlocksTimeout: 60_000
    })
    try {
      await helia.start()
    } catch (err) {
      await datastore.close().catch(() => {})
      throw err
    }
    // bitswap's sending without its two extra copies of every block (bitswap-send.ts; stock sending if the installed
    // bitswap is not the expected one)
    if (!(await sendBitswapBlocksWithoutCopies(helia))) logger.warn({}, 'bitswap is not the expected version: blocks are sent with its own (copying) encoder')
    // Helia's check of a received block reuses the SHA-256 bitswap computed over it (bitswap-digests.ts)
    if (!recordBitswapDigests(helia)) logger.warn({}, 'bitswap is not the expected version: received blocks are hashed twice')
    const index = new SessionIndex(datastore)
    await index.load()
    const membership = new Membership(home.identity.peerId, config.swarm.repairGraceMs, now)
    const node = new LucidNode(home, config, logger, helia as unknown as HeliaWithLibp2p<SwarmServices>, datastore, index, new BlockStore(helia, raw, (peer) => helia.libp2p.getPeers().some((p) => p.toString() === peer), traffic), membership, now, traffic)
    // [state hook] start the session state service on the same libp2p node and datastore.
    node.sessionState = await StateService.start({
      libp2p: helia.libp2p as unknown as Parameters<typeof StateService.start>[0]['libp2p'],
      datastore,
      secretKey: home.identity.secretKey,
      log: logger,
      now,
      onRejected: (source, reason) => node.metrics.gossipRejected.inc({ topic: source === 'gossip' ? '/lucid/1/state' : '/lucid/1/state-sync', reason }),
      onApplied: () => { node.stateChanged() }
    })
    node.wire()
    // [chain hook] the node's chain, gossip and JSON-RPC; a failure stops the node (its store is intact)
    if (hasChainGenesis(home.paths.root)) {
      try {
        const { startNodeChain } = await import('./node-chain.js')
        node.chain = await startNodeChain({
          home,
          config,
          libp2p: helia.libp2p as unknown as Parameters<typeof startNodeChain>[0]['libp2p'],
          index: node.index,
          blocks: node.blocks,
          traffic,
          state: node.sessionState,
          datastore,
          now,
          log: logger,
          registry: node.metrics.registry,
          onRejected: (topic, reason) => node.metrics.gossipRejected.inc({ topic, reason })
        })
      } catch (err) {
        await node.stop()
        throw err
      }
    }
    return node
  }

  private wire (): void {
    const m = this.metrics
    this.gossip = new Gossip(this.libp2p.services.pubsub, {
      knownManifest: (id) => this.index.get(id)?.manifest,
      awaitsAnnouncement: (a) => {
        const rec = this.index.get(a.sessionId)
        const same = recordFromAnnouncement(a, new Uint8Array(), 0)
        return rec?.announcement === '' && rec.merkleRoot === same.merkleRoot && rec.recorder === same.recorder && rec.chunkCount === same.chunkCount
      },
      onAnnouncement: (signed, encoded, from) => { this.acceptAnnouncement(signed, encoded, from) },
      onConflict: (signed, from, known) => {
        m.incidents.inc({ kind: 'session-id-reuse' })
        // [state hook] a session-ID conflict is a duplicate-id incident in the shared state.
        void this.sessionState.incident({ kind: 'duplicate-id', sessionId: signed.announcement.sessionId, subject: from.slice(0, 128), detail: `announced with manifest ${signed.announcement.manifest.toString()}, known with ${known}`.slice(0, 512), at: this.now() }).catch(() => {})
        void this.index.addIncident({ at: this.now(), kind: 'session-id-reuse', sessionId: signed.announcement.sessionId, from, knownManifest: known, offeredManifest: signed.announcement.manifest.toString() })
      },
      onHeartbeat: (from, hb) => {
        const wasMember = this.membership.isMember(from)
        this.membership.see(from, hb)
        if (!wasMember) { this.log.info({ peer: from }, 'member joined'); this.kick() }
      }
    }, {
      received: (topic) => m.gossipIn.inc({ topic }),
      published: (topic) => m.gossipOut.inc({ topic }),
      rejected: (topic, reason) => m.gossipRejected.inc({ topic, reason })
    }, this.log, this.now)
    this.gossip.start()
    this.replicator = new Replicator({
      self: this.peerId,
      index: this.index,
      blocks: this.blocks,
      membership: this.membership,
      replication: this.config.swarm.replication,
      dial: async (addr: Multiaddr) => { await this.libp2p.dial(addr, { signal: AbortSignal.timeout(5000) }) },
      log: this.log,
      onHeldChanged: () => { this.heartbeatNow(); this.kick(); this.reconcileState() },
      // [chain hook] a handed-over session stays pinned while the chain can still challenge this node for it
      owed: (sessionId) => this.chain?.service.owesSession(sessionId) ?? false,
      onRefused: (rec, detail) => { this.refusedInput('tamper-detected', 'manifest-mismatch', rec.sessionId, rec.origin, detail) }
    })
    this.stateSessions = new StateSessions({
      state: this.sessionState,
      index: this.index,
      now: this.now,
      log: this.log,
      onRefused: (sessionId, recorder, reason, detail) => {
        this.refusedInput(reason === 'session-id-reuse' || reason === 'duplicate-claims' ? 'duplicate-id' : 'tamper-detected', reason, sessionId, recorder, detail)
      }
    })
    this.timer = setInterval(() => { void this.beat() }, this.config.swarm.heartbeatMs)
    this.timer.unref()
    void this.beat()
  }

  /** Addresses other peers can dial (no wildcard addresses), with our peer ID. */
  addrs (): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString()).slice(0, MAX_ADDRS)
  }

  private async beat (): Promise<void> {
    if (this.stopping) return
    try {
      await this.gossip.publishHeartbeat({ v: SWARM_VERSION, at: this.now(), addrs: this.addrs(), held: this.index.held().map((r) => r.sessionId) })
    } catch (err) { this.log.debug({ err: (err as Error).message }, 'heartbeat not published') }
    this.membership.prune()
    await this.adoptStateSessions()
    await this.runTick()
    this.reconcileState()
  }

  /**
   * [state hook] a peer's update was applied: sealed sessions known only from the state are taken in shortly (one
   * pass for a burst of updates, as a catch-up applies many), not at the next heartbeat.
   */
  private stateChanged (): void {
    if (this.adoptSoon !== undefined || this.stopping) return
    this.adoptSoon = setTimeout(() => {
      this.adoptSoon = undefined
      void this.adoptStateSessions().then((adopted) => { if (adopted > 0) this.kick() })
    }, ADOPT_DELAY_MS)
    this.adoptSoon.unref()
  }

  private async adoptStateSessions (): Promise<number> {
    if (this.stopping || this.stateSessions === undefined) return 0 // a catch-up can apply updates before wire()
    try { return await this.stateSessions.adopt() } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'state sessions not adopted')
      return 0
    }
  }

  /** [state hook] this node's holding entries follow what it holds; 'replicated' once the target is reached. */
  private reconcileState (): void {
    if (this.stopping) return
    reconcileHoldings(this.sessionState, this.index.held().map((r) => r.sessionId), this.config.swarm.replication)
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'session state not updated'))
  }

  private async runTick (): Promise<void> {
    if (this.stopping) return
    try { await this.replicator.tick() } catch (err) { this.log.warn({ err: (err as Error).message }, 'replication tick failed') }
  }

  /** Runs a replication tick soon (after a change), without waiting for the next heartbeat. */
  kick (): void {
    setTimeout(() => { void this.runTick() }, 50).unref()
  }

  heartbeatNow (): void {
    if (this.heartbeatSoon !== undefined) return
    this.heartbeatSoon = setTimeout(() => {
      this.heartbeatSoon = undefined
      if (this.stopping) return
      this.gossip.publishHeartbeat({ v: SWARM_VERSION, at: this.now(), addrs: this.addrs(), held: this.index.held().map((r) => r.sessionId) })
        .catch(() => {})
    }, 100)
    this.heartbeatSoon.unref()
  }

  /**
   * Bad input about a session that is not a gossip message (a state entry, a replica's manifest): counted, and written
   * once per session as an incident in the session state.
   */
  private refusedInput (kind: 'duplicate-id' | 'tamper-detected', reason: string, sessionId: string, subject: string, detail: string): void {
    this.metrics.incidents.inc({ kind: reason })
    const already = this.sessionState.incidents().some((i) => i.by === this.peerId && i.kind === kind && i.sessionId === sessionId)
    if (already) return
    void this.sessionState.incident({ kind, sessionId, subject: subject.slice(0, 128), detail: `${reason}: ${detail}`.slice(0, 512), at: this.now() })
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'incident not written'))
  }

  private acceptAnnouncement (signed: SignedAnnouncement, encoded: Uint8Array, from: string): void {
    // a session adopted from the session state keeps what this node holds of it, and now has its announcement
    const rec = { ...recordFromAnnouncement(signed.announcement, encoded, this.now()), held: this.index.get(signed.announcement.sessionId)?.held ?? false }
    this.log.info({ sessionId: rec.sessionId, origin: rec.origin, from }, 'session announced')
    this.index.put(rec).then(() => { this.kick() }, (err) => this.log.error({ err: (err as Error).message }, 'cannot record announced session'))
  }

  /** Seals a recording into the blockstore, pins it, announces it and provides its CIDs. */
  async putSession (input: AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> {
    if (opts.chunkSize !== undefined && opts.chunkSize > MAX_SWARM_CHUNK_SIZE) throw new SessionTooLargeError(`chunk size ${opts.chunkSize} is over the swarm limit of ${MAX_SWARM_CHUNK_SIZE} bytes (one block per bitswap message)`)
    const chunkSize = opts.chunkSize ?? this.config.swarm.chunkSize
    const maxBytes = chunkSize * SWARM_MAX_CHUNKS
    const source = input
    input = (async function * () {
      let total = 0
      for await (const piece of source) {
        total += piece.length
        if (total > maxBytes) throw new SessionTooLargeError(`a swarm session holds at most ${SWARM_MAX_CHUNKS} chunks of ${chunkSize} bytes (${maxBytes} bytes), so that its manifest fits one bitswap block`)
        yield piece
      }
    })()
    let sessionKey: Uint8Array = new Uint8Array()
    const started = performance.now()
    const result = await sealSessionTo(this.home, {
      input,
      pool: this.pool,
      owner: opts.owner,
      participants: opts.participants,
      chunkSize,
      onKey: async (_id, key) => { sessionKey = key }
    }, {
      putChunk: async (_i, blob, cid) => { await this.blocks.put(cid, blob) },
      putManifest: async (encoded, cid) => {
        // Never stored as a block: Helia would loop forever trying to send it (see protocols/swarm/constants.ts).
        if (encoded.length > MAX_BLOCK_BYTES) throw new SessionTooLargeError(`the manifest is ${encoded.length} bytes, over the ${MAX_BLOCK_BYTES}-byte block limit (too many participants or chunks)`)
        await this.blocks.put(cid, encoded)
      }
    })
    const { summary, manifest, encodedManifest } = result
    this.metrics.ingestBytes.inc(summary.plaintextSize)
    this.metrics.ingestSeconds.inc((performance.now() - started) / 1000)
    const manifestCid = CID.parse(summary.manifestCid)
    await this.blocks.pin(manifestCid, summary.sessionId)
    const announcement = {
      v: SWARM_VERSION,
      sessionId: summary.sessionId,
      manifest: manifestCid,
      merkleRoot: manifest.merkleRoot,
      chunkCount: manifest.chunkCount,
      storedBytes: summary.storedBytes + encodedManifest.length,
      recorder: manifest.recorder,
      origin: this.peerId,
      addrs: this.addrs(),
      issuedAt: this.now()
    }
    const encoded = encodeAnnouncement(announcement, this.home.identity.secretKey)
    await this.index.put({ ...recordFromAnnouncement(announcement, encoded, this.now()), held: true })
    // [state hook] the put creates the session's entry in the shared state (recording → sealed, held here).
    try { await recordPut(this.sessionState, manifest, summary.manifestCid) } catch (err) { this.log.warn({ err: (err as Error).message }, 'session state not recorded') }
    let announcedTo = 0
    try { announcedTo = await this.gossip.publishAnnouncement(encoded) } catch (err) { this.log.warn({ err: (err as Error).message }, 'announcement not published') }
    this.log.info({ sessionId: summary.sessionId, chunks: summary.chunkCount, bytes: summary.plaintextSize, announcedTo }, 'session sealed, stored and announced')
    this.retransmit(encoded)
    this.provideInBackground([manifestCid, ...manifest.chunks])
    this.heartbeatNow()
    this.kick()
    // [chain hook] register the session in LucidAnchors; its inclusion and final block land in the session state. A
    // submission the node refused now is kept and sent again (anchorQueued)
    const anchor = this.chain === undefined ? null : await this.chain.anchor(manifest, summary.manifestHash)
    return { ...summary, announcedTo, sessionKey, anchor, anchorQueued: anchor === null && this.chain?.anchoring !== undefined }
  }

  /**
   * Gossip can miss a peer whose mesh was still forming: the origin re-publishes the same announcement a few times
   * (receivers that have it ignore the copy without penalty). Nodes that join later take the session from the session
   * state (StateSessions) and replicate and serve it all the same.
   */
  private retransmit (encoded: Uint8Array): void {
    for (const delay of RETRANSMIT_MS) {
      const t = setTimeout(() => {
        if (this.stopping) return
        this.gossip.publishAnnouncement(encoded).catch(() => {})
      }, delay)
      t.unref()
    }
  }

  private provideInBackground (cids: CID[]): void {
    void (async () => {
      for (const cid of cids) {
        if (this.stopping) return
        try { await this.helia.routing.provide(cid, { signal: AbortSignal.timeout(30_000) }) } catch (err) {
          this.log.debug({ cid: cid.toString(), err: (err as Error).message }, 'DHT provide failed')
        }
      }
    })()
  }

  /** Re-publishes the stored announcement of a session (e.g. after new peers joined). */
  async reannounce (sessionId: string): Promise<number> {
    const rec = this.index.get(sessionId)
    if (rec === undefined) throw new NotFoundError(`no session ${sessionId} is known to this node`)
    if (rec.announcement === '') throw new NotFoundError(`session ${sessionId} is known here only from the session state: no announcement to re-publish`)
    return await this.gossip.publishAnnouncement(Buffer.from(rec.announcement, 'base64'))
  }

  view (rec: SessionRecord, desired?: Map<string, string[]>): SessionView {
    const holders = this.membership.holdersOf(rec.sessionId)
    if (rec.held) holders.add(this.peerId)
    const want = desired?.get(rec.sessionId) ?? this.replicator.decisions().find((d) => d.sessionId === rec.sessionId)?.desired ?? []
    const target = Math.min(this.config.swarm.replication, this.membership.members().length + 1)
    const crdt = stateSummary(this.sessionState, rec.sessionId)
    return {
      ...rec,
      source: rec.announcement === '' && crdt !== null ? 'state' : 'announcement',
      holders: [...holders].sort(),
      desired: want,
      replication: this.config.swarm.replication,
      state: this.replicator.inFlight.has(rec.sessionId) ? 'fetching' : holders.size >= target ? 'replicated' : 'under-replicated',
      crdt
    }
  }

  /**
   * Every session this node knows, in order of issue: those announced to it (or put here) and those it knows only
   * from the swarm's session state (CRDT), such as the sessions announced before this node joined. The API's
   * `GET /api/v1/sessions` and `lucid session ls` show this list.
   */
  sessionViews (): SessionView[] {
    const desired = new Map(this.replicator.decisions().map((d) => [d.sessionId, d.desired]))
    const views = this.index.list().map((r) => this.view(r, desired))
    for (const s of this.sessionState.sessions()) {
      if (this.index.get(s.sessionId) !== undefined) continue
      const rec = this.stateOnlyRecord(s.sessionId)
      if (rec !== undefined) views.push(this.view(rec, desired))
    }
    return views.sort((a, b) => a.issuedAt - b.issuedAt || (a.sessionId < b.sessionId ? -1 : 1))
  }

  /** One session by ID, announced or known only from the session state; undefined when neither knows it. */
  sessionView (sessionId: string): SessionView | undefined {
    const rec = this.index.get(sessionId) ?? this.stateOnlyRecord(sessionId)
    return rec === undefined ? undefined : this.view(rec)
  }

  /** A session record built from the session state alone (no announcement): only for sealed sessions. */
  private stateOnlyRecord (sessionId: string): SessionRecord | undefined {
    const s = this.sessionState.session(sessionId)
    if (s === null || s.sealed === null || s.recorder === null) return undefined
    let recorderKey = ''
    try { recorderKey = Buffer.from(peerIdFromString(s.recorder).publicKey?.raw ?? []).toString('hex') } catch { /* not a key-bearing peer ID */ }
    const learned = this.stateLearnedAt.get(sessionId) ?? this.now()
    this.stateLearnedAt.set(sessionId, learned)
    return {
      sessionId,
      manifest: s.sealed.manifest,
      merkleRoot: s.sealed.merkleRoot,
      chunkCount: s.sealed.chunkCount,
      storedBytes: 0,
      recorder: recorderKey,
      origin: s.recorder,
      addrs: [],
      issuedAt: s.sealed.sealedAt,
      receivedAt: learned,
      held: false,
      announcement: ''
    }
  }

  /** When the session list first showed a state-only session (its `receivedAt`). */
  private readonly stateLearnedAt = new Map<string, number>()

  async sessionKeyFor (sessionId: string, given?: Uint8Array): Promise<Uint8Array> {
    if (given !== undefined) return given
    const name = sessionKeyName(sessionId)
    if (await this.home.keystore.has(name)) return await this.home.keystore.get(name)
    throw new NoKeyError(`this node does not have the key of session ${sessionId}; pass the exported key file (--key)`)
  }

  /**
   * Fetches (locally or from holders), verifies and decrypts a session. Resolves once the manifest is verified;
   * the returned stream yields plaintext chunk by chunk, each blob checked against its CID before it is opened, and
   * throws at the end if the Merkle root does not match.
   */
  async openContent (sessionId: string, key?: Uint8Array): Promise<{ manifest: Manifest, stream: AsyncGenerator<Uint8Array> }> {
    const rec = this.index.get(sessionId)
    if (rec === undefined) throw new NotFoundError(`no session ${sessionId} is known to this node`)
    const sessionKey = await this.sessionKeyFor(sessionId, key)
    const providers = this.replicator.providers(rec)
    const encoded = await this.blocks.getPatiently(CID.parse(rec.manifest), { providers, tries: 3 })
    const { manifest } = decodeSignedManifest(encoded)
    if (manifest.sessionId !== sessionId) throw new Error('the stored manifest is for another session')
    const blocks = this.blocks
    const readBlob = async (i: number): Promise<Uint8Array> => await blocks.getPatiently(manifest.chunks[i], { providers })
    return { manifest, stream: openChunkStream(manifest, readBlob, { pool: this.pool, sessionKey, readAhead: 2 * this.pool.size }) }
  }

  async gc (): Promise<number> {
    return await this.blocks.gc()
  }

  peers (): PeerView[] {
    const connected = new Set(this.libp2p.getPeers().map((p) => p.toString()))
    const ids = new Set([...connected, ...this.membership.all().map((m) => m.peerId)])
    return [...ids].sort().map((peerId) => {
      const info = this.membership.info(peerId)
      return {
        peerId,
        addrs: info?.addrs ?? this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peerId).map((c) => c.remoteAddr.toString()),
        connected: connected.has(peerId),
        member: this.membership.isMember(peerId),
        lastHeartbeat: info?.lastSeen,
        score: (this.libp2p.services.pubsub as unknown as { getScore: (id: string) => number }).getScore(peerId),
        held: info?.held.size ?? 0
      }
    })
  }

  status (): NodeStatus {
    return {
      peerId: this.peerId,
      addrs: this.addrs(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      peers: this.libp2p.getPeers().length,
      members: this.membership.members().length,
      sessionsKnown: this.index.size,
      sessionsHeld: this.index.held().length,
      storedBytes: this.index.held().reduce((s, r) => s + r.storedBytes, 0),
      replication: this.config.swarm.replication,
      replicationDeficit: this.replicator.deficit,
      sessionsRetained: this.replicator.retainedCount,
      fetching: [...this.replicator.inFlight],
      // [chain hook] the chain's head and finalized block, when the node runs it
      chain: this.chain?.status() ?? null
    }
  }

  async stop (): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    if (this.timer !== undefined) clearInterval(this.timer)
    if (this.heartbeatSoon !== undefined) clearTimeout(this.heartbeatSoon)
    if (this.adoptSoon !== undefined) clearTimeout(this.adoptSoon)
    this.replicator.stop()
    this.gossip.stop()
    await this.chain?.stop()
    await this.sessionState.stop().catch((err) => this.log.warn({ err: (err as Error).message }, 'session state stop failed'))
    try { await this.helia.stop() } catch (err) { this.log.warn({ err: (err as Error).message }, 'helia stop failed') }
    await this.datastore.close().catch(() => {})
    await this.workerPool?.close()
  }
}
