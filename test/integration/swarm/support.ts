/** Helpers for swarm integration tests: throwaway node homes and in-process nodes on 127.0.0.1 over TCP. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { initHome, openHome, type OpenHome } from '../../../node/src/home/home.js'
import { configSchema, type Config } from '../../../node/src/home/config.js'
import { LucidNode } from '../../../node/src/runtime/node.js'
import { createLogger } from '../../../node/src/runtime/logger.js'

export const PASSPHRASE = 'swarm-test-passphrase'

export async function tempDir (prefix = 'lucid-swarm-'): Promise<{ dir: string, cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export async function makeHome (dir: string): Promise<OpenHome> {
  await initHome(dir, PASSPHRASE)
  return await openHome(dir, PASSPHRASE)
}

export function testConfig (over: { bootstrap?: string[], replication?: number, port?: number, heartbeatMs?: number, repairGraceMs?: number } = {}): Config {
  return configSchema.parse({
    version: 1,
    seal: { chunkSize: 256 * 1024 },
    log: { level: process.env.LUCID_TEST_LOG ?? 'silent' },
    node: { listen: [`/ip4/127.0.0.1/tcp/${over.port ?? 0}`], bootstrap: over.bootstrap ?? [], maxPeers: 50 },
    api: { host: '127.0.0.1', port: 0 },
    swarm: { replication: over.replication ?? 3, heartbeatMs: over.heartbeatMs ?? 400, repairGraceMs: over.repairGraceMs ?? 2500 }
  })
}

const quiet = new Writable({ write (_c, _e, cb) { cb() } })

export async function startNode (home: OpenHome, config: Config): Promise<LucidNode> {
  const logger = createLogger(config.log.level, { node: home.identity.peerId.slice(-6) }, config.log.level === 'silent' ? quiet : process.stderr)
  return await LucidNode.start({ home, config, logger })
}

export { waitFor } from '../../support/wait-for.js'

export async function readAll (stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const p of stream) parts.push(Buffer.from(p))
  return Buffer.concat(parts)
}

export function bootstrapAddr (node: LucidNode): string {
  const a = node.addrs().find((x) => x.includes('/tcp/') && !x.includes('/ws'))
  if (a === undefined) throw new Error('node has no TCP address')
  return a.includes('/p2p/') ? a : `${a}/p2p/${node.peerId}`
}

/**
 * Nodes for one mocha suite: homes under a temporary directory made before the suite, every node started through it
 * stopped and the directory removed after it.
 */
export function suiteNodes (): { start: (name: string, config?: Config) => Promise<LucidNode>, all: LucidNode[] } {
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined
  const nodes: LucidNode[] = []
  before(async () => { tmp = await tempDir() })
  after(async () => {
    for (const n of nodes) await n.stop().catch(() => {})
    await tmp?.cleanup()
  })
  return {
    all: nodes,
    start: async (name, config = testConfig({ replication: 1 })) => {
      if (tmp === undefined) throw new Error('suiteNodes: start called outside the suite\'s tests')
      const node = await startNode(await makeHome(join(tmp.dir, name)), config)
      nodes.push(node)
      return node
    }
  }
}
