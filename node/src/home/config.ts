/**
 * The node's config file (`config.json` in the node home), validated at start. Every bad value is reported with its
 * path and what is expected. Later layers (environment variables, flags) override it in that order.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod/v4'
import { multiaddr } from '@multiformats/multiaddr'
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../../../protocols/session/constants.js'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_PEERS, DEFAULT_REPAIR_GRACE_MS, DEFAULT_REPLICATION, MAX_REPLICATION, MAX_SWARM_CHUNK_SIZE, MIN_REPLICATION, SWARM_CHUNK_SIZE } from '../../../protocols/swarm/constants.js'

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4701', '/ip4/0.0.0.0/tcp/4702/ws']
export const DEFAULT_API_PORT = 4780
/** Ethereum's usual JSON-RPC port. */
export const DEFAULT_RPC_PORT = 8545
export const DEFAULT_MAX_UPLOAD = 64 * 1024 ** 3

const multiaddrText = z.string().max(512).refine((text) => {
  try { multiaddr(text); return true } catch { return false }
}, 'not a valid multiaddr')

export const configSchema = z.strictObject({
  version: z.literal(1),
  /** Who recordings belong to by default (an account address or a name). */
  owner: z.string().min(1).max(256).optional(),
  seal: z.strictObject({
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE).default(DEFAULT_CHUNK_SIZE)
  }).default({ chunkSize: DEFAULT_CHUNK_SIZE }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
  }).default({ level: 'info' }),
  /** The libp2p peer (`lucid start`). */
  node: z.strictObject({
    listen: z.array(multiaddrText).max(16).default(DEFAULT_LISTEN),
    bootstrap: z.array(multiaddrText.refine((a) => a.includes('/p2p/'), 'a bootstrap address must end in /p2p/<peer ID>')).max(64).default([]),
    mdns: z.boolean().default(false),
    /** Connection manager bound (MAX_PEERS). */
    maxPeers: z.number().int().min(2).max(200).default(DEFAULT_MAX_PEERS)
  }).default(() => ({ listen: DEFAULT_LISTEN, bootstrap: [], mdns: false, maxPeers: DEFAULT_MAX_PEERS })),
  /** The operator HTTP API (and /metrics). */
  api: z.strictObject({
    host: z.string().min(1).max(253).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(DEFAULT_API_PORT),
    maxUploadBytes: z.number().int().min(1).max(2 ** 42).default(DEFAULT_MAX_UPLOAD)
  }).default({ host: '127.0.0.1', port: DEFAULT_API_PORT, maxUploadBytes: DEFAULT_MAX_UPLOAD }),
  /** Replication and membership. */
  swarm: z.strictObject({
    replication: z.number().int().min(MIN_REPLICATION).max(MAX_REPLICATION).default(DEFAULT_REPLICATION),
    /** Plaintext chunk size of sessions put on the swarm (bitswap moves blocks of at most 2 MiB). */
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_SWARM_CHUNK_SIZE).default(SWARM_CHUNK_SIZE),
    heartbeatMs: z.number().int().min(100).max(120_000).default(DEFAULT_HEARTBEAT_MS),
    repairGraceMs: z.number().int().min(300).max(86_400_000).default(DEFAULT_REPAIR_GRACE_MS),
    /** Gossipsub P6 weight (≤ 0); 0 turns IP-colocation scoring off, as a devnet needs. */
    ipColocationWeight: z.number().max(0).default(0)
  }).default({ replication: DEFAULT_REPLICATION, chunkSize: SWARM_CHUNK_SIZE, heartbeatMs: DEFAULT_HEARTBEAT_MS, repairGraceMs: DEFAULT_REPAIR_GRACE_MS, ipColocationWeight: 0 }),
  /** The On-System Data Chain (docs/chain.md): run when `<home>/chain/genesis.json` exists. */
  chain: z.strictObject({
    /** Ethereum JSON-RPC address; port 0 picks a free one. */
    rpc: z.strictObject({
      host: z.string().min(1).max(253).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(DEFAULT_RPC_PORT)
    }).default({ host: '127.0.0.1', port: DEFAULT_RPC_PORT }),
    /** Also propose as the development Server entity (only on a development genesis, whose Server key is well known). */
    devServer: z.boolean().default(false),
    /** Stop adding transactions to a block after this long. */
    maxBuildMs: z.number().int().min(10).max(60_000).default(500)
  }).default({ rpc: { host: '127.0.0.1', port: DEFAULT_RPC_PORT }, devServer: false, maxBuildMs: 500 })
})

export type Config = z.infer<typeof configSchema>

export function defaultConfig (): Config {
  return configSchema.parse({ version: 1 })
}

export class ConfigError extends Error {
  constructor (message: string) { super(message); this.name = 'ConfigError' }
}

export function parseConfig (value: unknown, source: string): Config {
  const result = configSchema.safeParse(value)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new ConfigError(lines.join('\n'))
  }
  return result.data
}

export async function loadConfig (path: string): Promise<Config> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run 'lucid init' to create it`)
  }
  let value: unknown
  try { value = JSON.parse(text) } catch (err) { throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`) }
  return parseConfig(value, path)
}
