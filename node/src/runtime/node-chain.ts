/**
 * The node's chain (docs/chain.md), when its home has a chain genesis (`<home>/chain/genesis.json`, written by
 * `lucid genesis create` or `lucid devnet`): the Chain on LevelDB, the ChainService on the node's libp2p peer, and
 * the Ethereum JSON-RPC server. The node's identity key is its PoOT node key.
 */
import type { Registry } from 'prom-client'
import { nodeKeyFromSeed } from '../../../protocols/poot/index.js'
import type { Config } from '../home/config.js'
import type { OpenHome } from '../home/home.js'
import type { Chain } from '../chain/chain.js'
import { openChainAtHome } from '../chain/open.js'
import { devServerKey } from '../chain/dev.js'
import { startRpcServer, type RpcServer } from '../rpc/server.js'
import { ChainService, type ChainLibp2p, type ChainLog } from '../chainnet/service.js'
import type { HoldingSource } from '../chainnet/storage-duties.js'
import { CID } from 'multiformats/cid'
import { leafHash } from '../../../protocols/poot/index.js'
import { decodeSignedManifest } from '../../../protocols/session/manifest.js'
import type { SessionIndex } from '../store/session-index.js'
import type { BlockStore } from '../store/block-store.js'
import type { TransferTraffic } from '../store/traffic.js'
import { Anchorer, CHAIN_ACCOUNT_KEY, type Submitted } from '../chainnet/anchorer.js'
import { AnchorTracker } from '../chainnet/anchor-tracker.js'
import { PendingAnchors } from '../chainnet/pending-anchors.js'
import type { Datastore } from 'interface-datastore'
import { toHex } from '../../../protocols/session/bytes.js'
import { manifestHash } from '../../../protocols/session/manifest.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import type { StateService } from '../state/service.js'

export interface NodeChain {
  chain: Chain
  service: ChainService
  rpc: RpcServer
  /** registers sealed sessions in LucidAnchors; absent when the keystore has no chain account */
  anchorer?: Anchorer
  /** follows the anchors to their final blocks and records both in the session state; with the anchorer */
  anchors?: AnchorTracker
  /** registers a put session on chain (anchorSession); `manifestHash` is the seal summary's */
  anchor: (manifest: Manifest, manifestHash: string) => Promise<Submitted | null>
  /** registers a session again whose anchor transaction the chain lost (once per session and process) */
  resubmit: (sessionId: string) => Promise<void>
  /** what the node's status shows of its chain */
  status: () => { chainId: number, head: number, headSlot: number, finalized: number, rpc: string, account: string | null }
  stop: () => Promise<void>
}

export interface NodeChainInit {
  home: OpenHome
  config: Config
  libp2p: ChainLibp2p
  log: ChainLog
  registry: Registry
  onRejected: (topic: string, reason: string) => void
  /** the node's sessions, for holding claims and challenge answers */
  index: SessionIndex
  blocks: BlockStore
  /** bitswap bytes served and received, for relay receipts */
  traffic: TransferTraffic
  /** the session state, where anchors and their finality are recorded */
  state: StateService
  /** the node's datastore (anchor transactions not yet in a block) */
  datastore: Datastore
  now: () => number
}

export async function startNodeChain (init: NodeChainInit): Promise<NodeChain> {
  const { home, config, log } = init
  const chain = await openChainAtHome({ home: home.paths.root, maxBuildMs: config.chain.maxBuildMs, log })
  log.info({ head: Number(chain.head.header.number), fromSnapshot: chain.opened.fromSnapshot, replayed: chain.opened.replayed }, 'chain opened')
  await chain.warmExecution() // blocks are built and re-executed on the execution worker: started before the first
  const nodeKey = nodeKeyFromSeed(home.identity.secretKey)
  const server = devServerKey()
  const extraKeys = config.chain.devServer && chain.genesis.spec.server.node === server.id ? [server] : []
  if (config.chain.devServer && extraKeys.length === 0) log.warn({}, 'chain.devServer is set but this genesis does not use the development Server key: ignored')
  const service = new ChainService({ chain, libp2p: init.libp2p, nodeKey, extraKeys, log, registry: init.registry, onRejected: init.onRejected, holdings: chainHoldings(init.index, init.blocks), traffic: init.traffic })
  let rpc: RpcServer
  try {
    await service.start()
    rpc = await startRpcServer(chain, { host: config.chain.rpc.host, port: config.chain.rpc.port, log: (line) => log.debug({ line }, 'json-rpc') })
  } catch (err) {
    await service.stop().catch(() => {})
    await chain.close().catch(() => {})
    throw new Error(`cannot start the chain: ${(err as Error).message}`)
  }
  const anchors = chain.genesis.contracts.LucidAnchors
  const anchorer = (await home.keystore.has(CHAIN_ACCOUNT_KEY)) && anchors !== undefined
    ? new Anchorer(rpc.url, await home.keystore.get(CHAIN_ACCOUNT_KEY), anchors, chain.chainId)
    : undefined
  const pending = new PendingAnchors(init.datastore)
  const resubmitted = new Set<string>()
  const tracker = anchorer === undefined ? undefined : await followAnchors(anchorer, Number(chain.chainId), pending, init, (id) => nc.resubmit(id))
  log.info({ chainId: Number(chain.chainId), head: Number(chain.head.header.number), rpc: rpc.url, entity: chain.genesis.poot.registry.entityOfNode.get(nodeKey.id) ?? null, account: anchorer?.address ?? null, anchorsFollowed: tracker?.pending.length ?? 0 }, 'chain started')
  const nc: NodeChain = {
    chain,
    service,
    rpc,
    anchorer,
    anchors: tracker,
    anchor: async (manifest, manifestHash) => await anchorSession(nc, pending, manifest, manifestHash, log),
    resubmit: async (sessionId) => { await resubmitAnchor(nc, pending, sessionId, init, resubmitted) },
    status: () => {
      const poot = chain.headPoot
      return { chainId: Number(chain.chainId), head: Number(chain.head.header.number), headSlot: poot.slot, finalized: poot.finalized.height, rpc: rpc.url, account: anchorer?.address ?? null }
    },
    stop: async () => {
      await tracker?.stop()
      await rpc.close().catch(() => {})
      await service.stop().catch((err) => log.warn({ err: (err as Error).message }, 'chain service stop failed'))
      await chain.close().catch(() => {})
    }
  }
  return nc
}

/**
 * The anchor tracker of a node with a chain account. A node stopped or killed before its anchors were final follows
 * them again: those its state records without a final block, and those it had sent but not yet seen in a block (kept
 * in the datastore). The datastore entry goes once the inclusion is in the state.
 */
async function followAnchors (anchorer: Anchorer, chainId: number, pending: PendingAnchors, init: NodeChainInit, resubmit: (sessionId: string) => Promise<void>): Promise<AnchorTracker> {
  const { state, log, now } = init
  const tracker = new AnchorTracker({
    view: anchorer.view(),
    chainId,
    record: {
      included: async (id, anchor) => { await state.anchored(id, anchor); await pending.delete(id) },
      final: async (id, finality) => { await state.anchorFinal(id, finality) }
    },
    lost: (id) => { resubmit(id).catch((err: Error) => { log.warn({ sessionId: id, err: err.message }, 'lost anchor not sent again') }) },
    log,
    now
  })
  const recorded = new Set<string>()
  for (const { sessionId, anchor } of state.anchorsAwaitingFinality()) {
    recorded.add(sessionId)
    if (anchor.chainId === chainId) tracker.follow(sessionId, anchor.tx, true)
  }
  const { pending: sent, bad } = await pending.all()
  for (const key of bad) log.warn({ key }, 'unreadable pending anchor entry ignored')
  for (const { sessionId, tx } of sent) {
    if (recorded.has(sessionId) || state.session(sessionId)?.anchors.some((a) => a.tx === tx) === true) await pending.delete(sessionId)
    else tracker.follow(sessionId, tx)
  }
  tracker.start()
  return tracker
}

/**
 * Registers a put session on chain: resolves with the submitted transaction (null without an account or when the
 * submission failed, which is logged); the tracker then records its inclusion and its final block in the session's
 * CRDT state.
 */
async function anchorSession (nc: NodeChain, pending: PendingAnchors, manifest: Manifest, manifestHash: string, log: ChainLog): Promise<Submitted | null> {
  if (nc.anchorer === undefined || nc.anchors === undefined) return null
  let sent: Submitted
  try { sent = await nc.anchorer.submit(manifest, manifestHash) } catch (err) {
    log.warn({ sessionId: manifest.sessionId, err: (err as Error).message.split('\n')[0] }, 'session not anchored')
    return null
  }
  log.info({ sessionId: manifest.sessionId, tx: sent.tx, submitMs: Math.round(sent.submitMs) }, 'anchor submitted')
  await pending.put(manifest.sessionId, sent.tx)
  nc.anchors.follow(manifest.sessionId, sent.tx)
  return sent
}

/**
 * The tracker gave up a transaction the chain never knew: the session is registered again from its stored manifest,
 * once per session (`done`: those sent again by this process).
 */
async function resubmitAnchor (nc: NodeChain, pending: PendingAnchors, sessionId: string, init: NodeChainInit, done: Set<string>): Promise<void> {
  const rec = init.index.get(sessionId)
  if (done.has(sessionId) || rec === undefined) {
    init.log.warn({ sessionId }, 'anchor lost and not sent again: the session is not anchored')
    await pending.delete(sessionId)
    return
  }
  done.add(sessionId)
  nc.anchorer?.resetNonce() // the lost transaction's nonce was never used: the chain's pending count gives it again
  try {
    const encoded = await init.blocks.get(CID.parse(rec.manifest), { offline: true })
    await anchorSession(nc, pending, decodeSignedManifest(encoded).manifest, toHex(manifestHash(encoded)), init.log)
  } catch (err) {
    init.log.warn({ sessionId, err: (err as Error).message }, 'anchor lost and its manifest unreadable: the session is not anchored')
  }
}

/**
 * The node's held sessions as the chain sees them: verified and pinned sessions, their chunks read from the local
 * store only (a chunk this node lost is missing, not fetched from a peer). Leaf hashes are computed once per session.
 */
function chainHoldings (index: SessionIndex, blocks: BlockStore): HoldingSource {
  const chunks = new Map<string, CID[]>()
  const leaves = new Map<string, Uint8Array[]>()
  const local = async (cid: CID): Promise<Uint8Array | null> => { try { return await blocks.get(cid, { offline: true }) } catch { return null } }
  const chunkCids = async (sessionId: string): Promise<CID[] | null> => {
    const known = chunks.get(sessionId)
    if (known !== undefined) return known
    const rec = index.get(sessionId)
    const encoded = rec === undefined ? null : await local(CID.parse(rec.manifest))
    if (encoded === null) return null
    const cids = decodeSignedManifest(encoded).manifest.chunks
    chunks.set(sessionId, cids)
    return cids
  }
  return {
    held: () => index.held().map((r) => ({ sessionId: r.sessionId, root: Buffer.from(r.merkleRoot, 'hex'), chunkCount: r.chunkCount })),
    blob: async (sessionId, i) => {
      const cids = await chunkCids(sessionId)
      return cids === null || cids[i] === undefined ? null : await local(cids[i])
    },
    leaves: async (sessionId) => {
      const known = leaves.get(sessionId)
      if (known !== undefined) return known
      const cids = await chunkCids(sessionId)
      if (cids === null) return null
      const out: Uint8Array[] = []
      for (const cid of cids) {
        const blob = await local(cid)
        if (blob === null) return null
        out.push(leafHash(blob))
      }
      leaves.set(sessionId, out)
      return out
    }
  }
}
