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

export interface NodeChain {
  chain: Chain
  service: ChainService
  rpc: RpcServer
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
  log.info({ chainId: Number(chain.chainId), head: Number(chain.head.header.number), rpc: rpc.url, entity: chain.genesis.poot.registry.entityOfNode.get(nodeKey.id) ?? null }, 'chain started')
  return {
    chain,
    service,
    rpc,
    stop: async () => {
      await rpc.close().catch(() => {})
      await service.stop().catch((err) => log.warn({ err: (err as Error).message }, 'chain service stop failed'))
      await chain.close().catch(() => {})
    }
  }
}
