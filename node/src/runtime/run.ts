/**
 * `lucid start`: open the home, compute the effective config, start the node and its API, write <home>/node.json
 * (where the CLI finds the API), and stop everything cleanly on SIGTERM/SIGINT.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { openHome, readAdminToken } from '../home/home.js'
import { writeFileAtomic } from '../home/atomic-write.js'
import { loadEffectiveConfig, type Overrides } from './settings.js'
import { createLogger, type Logger } from './logger.js'
import { LucidNode } from './node.js'
import { startApi, type RunningApi } from '../api/server.js'
import { Counter } from 'prom-client'
import { startIdleGc } from './idle-gc.js'

export interface RunInit { homeDir: string, passphrase: string, flags: Overrides, env?: NodeJS.ProcessEnv, logDestination?: NodeJS.WritableStream }
export interface Running { node: LucidNode, api: RunningApi, logger: Logger, stop: () => Promise<void> }

export const NODE_FILE = 'node.json'
/** A major GC at least this often while V8 runs none of its own (idle-gc.ts). */
export const IDLE_GC_INTERVAL_MS = 60_000

export async function runNode (init: RunInit): Promise<Running> {
  const env = init.env ?? process.env
  const home = await openHome(init.homeDir, init.passphrase)
  const config = await loadEffectiveConfig(home.paths.config, env, init.flags)
  const logger = createLogger(config.log.level, { node: home.identity.peerId }, init.logDestination)
  const node = await LucidNode.start({ home, config, logger })
  let api: RunningApi
  try {
    api = await startApi(node, { host: config.api.host, port: config.api.port, token: await readAdminToken(home.paths.root), maxUploadBytes: config.api.maxUploadBytes })
  } catch (err) {
    await node.stop()
    throw new Error(`cannot start the API on ${config.api.host}:${config.api.port}: ${(err as Error).message}`)
  }
  const nodeFile = join(home.paths.root, NODE_FILE)
  await writeFileAtomic(nodeFile, JSON.stringify({ pid: process.pid, peerId: node.peerId, api: api.url, addrs: node.addrs(), startedAt: new Date().toISOString() }) + '\n', 0o600)
  logger.info({ api: api.url, addrs: node.addrs(), replication: config.swarm.replication }, 'node started')
  const idleGc = startIdleGc(IDLE_GC_INTERVAL_MS)
  if (idleGc !== null) {
    // eslint-disable-next-line no-new
    new Counter({ name: 'lucid_idle_gc_total', help: 'major GCs the node ran because V8 had run none for a minute', registers: [node.metrics.registry], collect () { this.reset(); this.inc(idleGc.collections()) } })
  }
  let stopped: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopped ??= (async () => {
      logger.info('stopping')
      idleGc?.stop()
      await api.close().catch(() => {})
      await node.stop()
      await rm(nodeFile, { force: true })
      logger.info('stopped')
    })()
    await stopped
  }
  return { node, api, logger, stop }
}

/** Stops on the first SIGTERM/SIGINT; a second one exits at once. */
export function stopOnSignals (stop: () => Promise<void>, onDone: (code: number) => void): void {
  let count = 0
  const handler = (): void => {
    count++
    if (count > 1) { onDone(130); return }
    stop().then(() => onDone(0), () => onDone(1))
  }
  process.on('SIGTERM', handler)
  process.on('SIGINT', handler)
}
