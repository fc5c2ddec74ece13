/**
 * The node's chain (docs/chain.md), when its home has a chain genesis (`<home>/chain/genesis.json`, written by
 * `lucid genesis create` or `lucid devnet`): the Chain on LevelDB, the ChainService on the node's libp2p peer, and
 * the Ethereum JSON-RPC server. The node's identity key is its PoOT node key.
 */
import { existsSync } from 'node:fs'
import type { Registry } from 'prom-client'
import { nodeKeyFromSeed } from '../../../protocols/poot/index.js'
import type { Config } from '../home/config.js'
import type { OpenHome } from '../home/home.js'
import type { Chain } from '../chain/chain.js'
import { chainPaths, openChainAtHome } from '../chain/open.js'
import { devServerKey } from '../chain/dev.js'
import { startRpcServer, type RpcServer } from '../rpc/server.js'
import { ChainService, type ChainLibp2p, type ChainLog } from '../chainnet/service.js'
import { Anchorer, CHAIN_ACCOUNT_KEY, type Submitted } from '../chainnet/anchorer.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import type { StateService } from '../state/service.js'

export interface NodeChain {
  chain: Chain
  service: ChainService
  rpc: RpcServer
  /** registers sealed sessions in LucidAnchors; absent when the keystore has no chain account */
  anchorer?: Anchorer
  stop: () => Promise<void>
}

export interface NodeChainInit {
  home: OpenHome
  config: Config
  libp2p: ChainLibp2p
  log: ChainLog
  registry: Registry
  onRejected: (topic: string, reason: string) => void
}

export const hasChain = (home: OpenHome): boolean => existsSync(chainPaths(home.paths.root).genesis)

export async function startNodeChain (init: NodeChainInit): Promise<NodeChain> {
  const { home, config, log } = init
  const chain = await openChainAtHome({ home: home.paths.root, maxBuildMs: config.chain.maxBuildMs })
  const nodeKey = nodeKeyFromSeed(home.identity.secretKey)
  const server = devServerKey()
  const extraKeys = config.chain.devServer && chain.genesis.spec.server.node === server.id ? [server] : []
  if (config.chain.devServer && extraKeys.length === 0) log.warn({}, 'chain.devServer is set but this genesis does not use the development Server key: ignored')
  const service = new ChainService({ chain, libp2p: init.libp2p, nodeKey, extraKeys, log, registry: init.registry, onRejected: init.onRejected })
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
  log.info({ chainId: Number(chain.chainId), head: Number(chain.head.header.number), rpc: rpc.url, entity: chain.genesis.poot.registry.entityOfNode.get(nodeKey.id) ?? null, account: anchorer?.address ?? null }, 'chain started')
  return {
    chain,
    service,
    rpc,
    anchorer,
    stop: async () => {
      await rpc.close().catch(() => {})
      await service.stop().catch((err) => log.warn({ err: (err as Error).message }, 'chain service stop failed'))
      await chain.close().catch(() => {})
    }
  }
}

/**
 * Registers a put session on chain: resolves with the submitted transaction (null without an account or when the
 * submission failed, which is logged); its inclusion is then written to the session's CRDT state.
 */
export async function anchorSession (nc: NodeChain, state: StateService, manifest: Manifest, manifestCid: string, log: ChainLog, now: () => number): Promise<Submitted | null> {
  if (nc.anchorer === undefined) return null
  let sent: Submitted
  try { sent = await nc.anchorer.submit(manifest, manifestCid) } catch (err) {
    log.warn({ sessionId: manifest.sessionId, err: (err as Error).message.split('\n')[0] }, 'session not anchored')
    return null
  }
  log.info({ sessionId: manifest.sessionId, tx: sent.tx, submitMs: Math.round(sent.submitMs) }, 'anchor submitted')
  nc.anchorer.confirm(sent.tx).then(async ({ block }) => {
    await state.anchored(manifest.sessionId, { tx: sent.tx, chainId: Number(nc.chain.chainId), block, at: now() })
    log.info({ sessionId: manifest.sessionId, tx: sent.tx, block }, 'session anchored')
  }).catch((err: Error) => { log.warn({ sessionId: manifest.sessionId, tx: sent.tx, err: err.message.split('\n')[0] }, 'anchor not confirmed') })
  return sent
}
