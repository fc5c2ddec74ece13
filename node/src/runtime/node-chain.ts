/**
 * The node's chain (docs/chain.md), when its home has a chain genesis (`<home>/chain/genesis.json`, written by
 * `lucid genesis create` or `lucid devnet`): the Chain on LevelDB, the ChainService on the node's libp2p peer, and
 * the Ethereum JSON-RPC server. The node's identity key is its PoOT node key.
 */
import { Counter, type Registry } from 'prom-client'
import { liveGauge } from '../api/metrics.js'
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
import { Anchoring } from '../chainnet/anchoring.js'
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
  /** sends, follows and records the anchors (chainnet/anchoring.ts); with the anchorer */
  anchoring?: Anchoring
  /** registers a put session on chain; `manifestHash` is the seal summary's. Null without a chain account, or when
   * the node refused the submission (kept and sent again later) */
  anchor: (manifest: Manifest, manifestHash: string) => Promise<Submitted | null>
  /** what the node's status shows of its chain */
  status: () => NodeChainStatus
  stop: () => Promise<void>
}

/** This node's anchors not final yet (followed or waiting to be sent), refused by the node, given up after two losses. */
export interface AnchorCounts { pending: number, unsent: number, givenUp: number }

/** The chain part of the node's status (GET /api/v1/status, `lucid status`). */
export interface NodeChainStatus {
  chainId: number
  head: number
  headSlot: number
  finalized: number
  /** a catch-up from a peer under way, or null */
  syncing: { from: number, at: number, target: number } | null
  rpc: string
  account: string | null
  anchors: AnchorCounts | null
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
    rpc = await startRpcServer(chain, {
      host: config.chain.rpc.host,
      port: config.chain.rpc.port,
      log: (line) => log.debug({ line }, 'json-rpc'),
      node: { peerCount: () => init.libp2p.getPeers().length, syncing: () => service.syncStatus }
    })
  } catch (err) {
    await service.stop().catch(() => {})
    await chain.close().catch(() => {})
    throw new Error(`cannot start the chain: ${(err as Error).message}`)
  }
  const anchors = chain.genesis.contracts.LucidAnchors
  const anchorer = (await home.keystore.has(CHAIN_ACCOUNT_KEY)) && anchors !== undefined
    ? new Anchorer(rpc.url, await home.keystore.get(CHAIN_ACCOUNT_KEY), anchors, chain.chainId)
    : undefined
  let anchoring: Anchoring | undefined
  try {
    anchoring = anchorer === undefined ? undefined : await startAnchoring(anchorer, Number(chain.chainId), init)
  } catch (err) {
    await rpc.close().catch(() => {})
    await service.stop().catch(() => {})
    await chain.close().catch(() => {})
    throw new Error(`cannot resume the node's anchors: ${(err as Error).message}`)
  }
  log.info({ chainId: Number(chain.chainId), head: Number(chain.head.header.number), rpc: rpc.url, entity: chain.genesis.poot.registry.entityOfNode.get(nodeKey.id) ?? null, account: anchorer?.address ?? null, anchorsFollowed: anchoring?.followed ?? 0 }, 'chain started')
  const nc: NodeChain = {
    chain,
    service,
    rpc,
    anchorer,
    anchoring,
    anchor: async (manifest, manifestHash) => await (anchoring?.anchor(manifest, manifestHash) ?? null),
    status: () => {
      const poot = chain.headPoot
      const sync = service.syncStatus
      return {
        chainId: Number(chain.chainId),
        head: Number(chain.head.header.number),
        headSlot: poot.slot,
        finalized: poot.finalized.height,
        syncing: sync === null ? null : { from: Number(sync.startingBlock), at: Number(sync.currentBlock), target: Number(sync.highestBlock) },
        rpc: rpc.url,
        account: anchorer?.address ?? null,
        anchors: anchoring === undefined ? null : { pending: anchoring.followed, unsent: anchoring.waiting, givenUp: anchoring.watched }
      }
    },
    stop: async () => {
      await anchoring?.stop()
      await rpc.close().catch(() => {})
      await service.stop().catch((err) => log.warn({ err: (err as Error).message }, 'chain service stop failed'))
      await chain.close().catch(() => {})
    }
  }
  return nc
}

/** The anchoring of a node with a chain account, resumed from its state and datastore. */
async function startAnchoring (anchorer: Anchorer, chainId: number, init: NodeChainInit): Promise<Anchoring> {
  const { state, index, blocks, registry } = init
  const finals = new Counter({ name: 'lucid_chain_anchors_final_total', help: 'anchors this node recorded final in the session state, since start', registers: [registry] })
  const anchoring = new Anchoring({
    sender: anchorer,
    view: anchorer.view(),
    chainId,
    pending: new PendingAnchors(init.datastore),
    state: {
      anchored: async (id, anchor) => { await state.anchored(id, anchor) },
      anchorFinal: async (id, finality) => { await state.anchorFinal(id, finality); finals.inc() },
      anchorsAwaitingFinality: () => state.anchorsAwaitingFinality(),
      hasAnchor: (id) => state.hasAnchor(id),
      duplicateId: async (id, subject, detail) => { await state.incident({ kind: 'duplicate-id', sessionId: id, subject, detail, at: init.now() }) }
    },
    manifestOf: async (id) => {
      const encoded = await localManifest(index, blocks, id)
      if (encoded === null) return null
      const { manifest } = decodeSignedManifest(encoded)
      return manifest.sessionId === id ? { manifest, manifestHash: toHex(manifestHash(encoded)) } : null
    },
    log: init.log,
    now: init.now
  })
  await anchoring.start()
  liveGauge(registry, 'lucid_chain_anchors_pending', 'anchors not yet final: followed on chain, or waiting to be sent again', () => anchoring.followed)
  liveGauge(registry, 'lucid_chain_anchors_unsent', 'anchors the node refused (e.g. no LUCID for gas yet), waiting to be sent again', () => anchoring.waiting)
  liveGauge(registry, 'lucid_chain_anchors_given_up', 'anchors whose transactions were lost twice, their registration still looked for', () => anchoring.watched)
  return anchoring
}

/** A block from the local store only (never fetched from a peer), or null. */
async function localBlock (blocks: BlockStore, cid: CID): Promise<Uint8Array | null> {
  try { return await blocks.get(cid, { offline: true }) } catch { return null }
}

/** The encoded signed manifest of a session this node indexed, from its local store, or null. */
async function localManifest (index: SessionIndex, blocks: BlockStore, sessionId: string): Promise<Uint8Array | null> {
  const rec = index.get(sessionId)
  return rec === undefined ? null : await localBlock(blocks, CID.parse(rec.manifest))
}

/**
 * The node's held sessions as the chain sees them: verified and pinned sessions, their chunks read from the local
 * store only (a chunk this node lost is missing, not fetched from a peer). Leaf hashes are computed once per session.
 */
function chainHoldings (index: SessionIndex, blocks: BlockStore): HoldingSource {
  const chunks = new Map<string, CID[]>()
  const leaves = new Map<string, Uint8Array[]>()
  const chunkCids = async (sessionId: string): Promise<CID[] | null> => {
    const known = chunks.get(sessionId)
    if (known !== undefined) return known
    const encoded = await localManifest(index, blocks, sessionId)
    if (encoded === null) return null
    const cids = decodeSignedManifest(encoded).manifest.chunks
    chunks.set(sessionId, cids)
    return cids
  }
  return {
    held: () => index.held().map((r) => ({ sessionId: r.sessionId, root: Buffer.from(r.merkleRoot, 'hex'), chunkCount: r.chunkCount })),
    blob: async (sessionId, i) => {
      const cids = await chunkCids(sessionId)
      return cids === null || cids[i] === undefined ? null : await localBlock(blocks, cids[i])
    },
    leaves: async (sessionId) => {
      const known = leaves.get(sessionId)
      if (known !== undefined) return known
      const cids = await chunkCids(sessionId)
      if (cids === null) return null
      const out: Uint8Array[] = []
      for (const cid of cids) {
        const blob = await localBlock(blocks, cid)
        if (blob === null) return null
        out.push(leafHash(blob))
      }
      leaves.set(sessionId, out)
      return out
    }
  }
}
