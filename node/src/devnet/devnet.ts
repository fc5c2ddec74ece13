/**
 * A local swarm of real `lucid start` processes on 127.0.0.1: one home per node (passphrase generated per home and
 * passed in the child's environment only), free ports, every node bootstrapped to all the others. Children run on
 * this process's Node (process.execPath) with the lucid entry; stop() sends SIGTERM and waits for each.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { initHome, openHome, readAdminToken } from '../home/home.js'
import { devAccountKeys, DEV_ACCOUNT_COUNT, DEV_FUNDED_ACCOUNTS } from '../chain/dev.js'
import { CHAIN_ACCOUNT_KEY } from '../chainnet/anchorer.js'
import { chainPaths, writeGenesisFile } from '../chain/open.js'
import { freePorts } from './ports.js'
import { STOP_WITH_PARENT_ENV } from '../runtime/parent-watch.js'
import { devnetGenesisSpec, type DevnetPool } from './chain-genesis.js'

export const LUCID_BIN = fileURLToPath(new URL('../../bin/lucid.js', import.meta.url))

export interface DevnetOptions {
  nodes: number
  dir: string
  replication?: number
  heartbeatMs?: number
  repairGraceMs?: number
  logLevel?: string
  /** Extra environment for every child. */
  env?: Record<string, string>
  readyTimeoutMs?: number
  /** Also listen on WebSockets (default true). */
  websockets?: boolean
  /**
   * Run the chain with this slot length (`lucid devnet` and the demo do); absent or false: a swarm without a chain.
   * `genesisMs`: the genesis instant (default now, on a whole second); a later one lets every node be up from its first slot.
   */
  chain?: { slotMs: number, genesisMs?: number } | false
  /** How many of the nodes are block-producing entities in the genesis (default all; the rest only follow). */
  chainEntities?: number
  /** Pool entities made of the first nodes, in order (default none: one solo entity per node). */
  pools?: DevnetPool[]
}

export interface DevnetNode {
  index: number
  home: string
  peerId: string
  api: string
  adminToken: string
  multiaddrs: string[]
  /** PoOT node id (the identity's public key, hex) */
  nodeId: string
  /** chain JSON-RPC URL (when the devnet runs the chain) */
  rpc?: string
  passphrase: string
  log: string
  process?: ChildProcess
}

async function passphraseFor (home: string): Promise<string> {
  const file = `${home}.passphrase`
  try { return (await readFile(file, 'utf8')).trim() } catch {
    const p = randomBytes(24).toString('base64url')
    await writeFile(file, p + '\n', { mode: 0o600 })
    return p
  }
}

export class Devnet {
  constructor (readonly opts: DevnetOptions, readonly nodes: DevnetNode[]) {}

  static async create (opts: DevnetOptions): Promise<Devnet> {
    const dir = resolve(opts.dir)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const ports = await freePorts(opts.nodes * 4)
    const nodes: DevnetNode[] = []
    const chain = opts.chain !== undefined && opts.chain !== false
    for (let i = 0; i < opts.nodes; i++) {
      const home = join(dir, `node-${i + 1}`)
      const passphrase = await passphraseFor(home)
      const init = await initHome(home, passphrase)
      const [tcpPort, wsPort, apiPort, rpcPort] = ports.slice(4 * i, 4 * i + 4)
      nodes.push({
        index: i + 1,
        home,
        peerId: init.peerId,
        nodeId: init.nodeId,
        api: `http://127.0.0.1:${apiPort}`,
        rpc: chain ? `http://127.0.0.1:${rpcPort}` : undefined,
        adminToken: await readAdminToken(home),
        multiaddrs: [`/ip4/127.0.0.1/tcp/${tcpPort}/p2p/${init.peerId}`, `/ip4/127.0.0.1/tcp/${wsPort}/ws/p2p/${init.peerId}`],
        passphrase,
        log: join(dir, `node-${i + 1}.log`)
      })
    }
    if (opts.chain !== undefined && opts.chain !== false) {
      // one genesis for all (kept when the devnet directory is reused); genesis time on a whole second
      const now = Date.now()
      const spec = devnetGenesisSpec(nodes.slice(0, opts.chainEntities ?? nodes.length).map((n) => n.nodeId), opts.chain.slotMs, opts.chain.genesisMs ?? now - (now % 1000), opts.pools)
      // each node anchors with a funded development account of its own (after the ten printed for the user)
      const accounts = devAccountKeys(DEV_FUNDED_ACCOUNTS).slice(DEV_ACCOUNT_COUNT)
      for (const n of nodes) {
        const file = chainPaths(n.home).genesis
        if (!existsSync(file)) { await mkdir(chainPaths(n.home).dir, { recursive: true, mode: 0o700 }); await writeGenesisFile(file, spec) }
        const { keystore } = await openHome(n.home, n.passphrase)
        if (!(await keystore.has(CHAIN_ACCOUNT_KEY))) await keystore.put(CHAIN_ACCOUNT_KEY, Buffer.from(accounts[(n.index - 1) % accounts.length].slice(2), 'hex'))
      }
    }
    return new Devnet({ ...opts, dir }, nodes)
  }

  args (n: DevnetNode): string[] {
    const api = new URL(n.api)
    const listen = n.multiaddrs.map((a) => a.replace(/\/p2p\/.*$/, '')).filter((a) => this.opts.websockets !== false || !a.includes('/ws'))
    const others = this.nodes.filter((o) => o !== n).map((o) => o.multiaddrs[0])
    return [LUCID_BIN, 'start', '--home', n.home, ...listen.flatMap((a) => ['--listen', a]), '--api', `${api.hostname}:${api.port}`, ...others.flatMap((a) => ['--bootstrap', a])]
  }

  /** Starts one node's process (again, after a stop or kill) and waits until its API says it is ready. */
  async startNode (n: DevnetNode): Promise<void> {
    const env: Record<string, string> = {
      ...process.env as Record<string, string>,
      LUCID_PASSPHRASE: n.passphrase,
      LUCID_LOG_LEVEL: this.opts.logLevel ?? 'info',
      ...(this.opts.replication !== undefined ? { LUCID_REPLICATION: String(this.opts.replication) } : {}),
      ...(this.opts.heartbeatMs !== undefined ? { LUCID_HEARTBEAT_MS: String(this.opts.heartbeatMs) } : {}),
      ...(this.opts.repairGraceMs !== undefined ? { LUCID_REPAIR_GRACE_MS: String(this.opts.repairGraceMs) } : {}),
      ...(n.rpc !== undefined ? { LUCID_RPC: new URL(n.rpc).host } : {}),
      // node 1 also proposes as the development Server (the empty-slot fallback)
      ...(n.rpc !== undefined && n.index === 1 ? { LUCID_CHAIN_DEV_SERVER: '1' } : {}),
      // the node stops by itself if this process dies without stopping it (parent-watch.ts)
      [STOP_WITH_PARENT_ENV]: String(process.pid),
      ...(this.opts.env ?? {})
    }
    delete env.LUCID_HOME
    // Own process group: a terminal's Ctrl-C reaches only the devnet, which then stops each node with one SIGTERM.
    // The node writes its log file itself (not through a pipe to this process), so it outlives a devnet that dies.
    const log = openSync(n.log, 'a')
    let child: ChildProcess
    try {
      child = spawn(process.execPath, this.args(n), { env, stdio: ['ignore', log, log], detached: true })
    } finally {
      closeSync(log)
    }
    n.process = child
    let exited: string | undefined
    child.once('exit', (code, signal) => { exited = `exited with ${signal ?? code}` })
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 90_000)
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new Error(`devnet node ${n.index} ${exited} before it was ready; see ${n.log}`)
      try {
        const r = await fetch(`${n.api}/readyz`, { signal: AbortSignal.timeout(1000) })
        if (r.ok) return
      } catch { /* not listening yet */ }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error(`devnet node ${n.index} was not ready within the deadline; see ${n.log}`)
  }

  async start (): Promise<void> {
    try {
      await Promise.all(this.nodes.map(async (n) => { await this.startNode(n) }))
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
  async stopNode (n: DevnetNode, graceMs = 20_000): Promise<void> {
    const child = n.process
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await done
    clearTimeout(timer)
  }

  /** SIGKILL, for crash tests. */
  async killNode (n: DevnetNode): Promise<void> {
    const child = n.process
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGKILL')
    await done
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => { await this.stopNode(n) }))
  }
}
