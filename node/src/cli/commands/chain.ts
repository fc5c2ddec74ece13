/**
 * `lucid chain run` runs a single-process chain (with --dev: the development chain, well-known funded keys,
 * short slots, every dev entity's key in this process) and serves its JSON-RPC; `lucid chain status` and
 * `lucid chain credits` ask a running chain over JSON-RPC.
 */
import { Command } from 'commander'
import { existsSync } from 'node:fs'
import { homePaths, openHome, resolveHome } from '../../home/home.js'
import { readPassphrase } from '../passphrase.js'
import { nodeKeyFromSeed, type NodeKey } from '../../../../protocols/poot/index.js'
import { UsageError } from '../usage-error.js'
import { parseWholeFlag } from '../parse.js'
import { openChainAtHome } from '../../chain/open.js'
import { ChainNode } from '../../chain/chain-node.js'
import { localProposer, signersFrom } from '../../chain/local-proposer.js'
import { devAccountKeys, devNodeKeys, devServerKey } from '../../chain/dev.js'
import { startRpcServer, DEFAULT_RPC_PORT } from '../../rpc/server.js'
import { Duties } from '../../chainnet/duties.js'
import { ProofPool } from '../../chainnet/proof-pool.js'
import { BlockSessions } from '../../chainnet/block-sessions.js'

const DEFAULT_RPC_URL = `http://127.0.0.1:${DEFAULT_RPC_PORT}`

export function parseHostPort (text: string): { host: string, port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(text)
  const port = m === null ? NaN : Number(m[2])
  if (m === null || port > 65535) throw new UsageError(`--rpc: expected HOST:PORT, got ${text}`)
  return { host: m[1].replace(/^\[|\]$/g, ''), port }
}

async function rpc (url: string, method: string, params: unknown[] = []): Promise<any> {
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  } catch (e) { throw new UsageError(`cannot reach ${url}: ${(e as Error).message}`, 1) }
  const body = await res.json() as { result?: unknown, error?: { message: string } }
  if (body.error !== undefined) throw new UsageError(`${method}: ${body.error.message}`, 1)
  return body.result
}

export function chainCommand (): Command {
  const cmd = new Command('chain').description('the On-System Data Chain: run a node of it, ask a running one')

  cmd.command('run')
    .description('run a single-process chain and its JSON-RPC (--dev: development chain with funded well-known keys)')
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid); the chain lives in <home>/chain')
    .option('--rpc <host:port>', 'JSON-RPC address', `127.0.0.1:${DEFAULT_RPC_PORT}`)
    .option('--slot-ms <n>', 'slot length of a new dev chain in ms (fixed in its genesis)', parseWholeFlag('--slot-ms', 1001, 3_600_000), 1500)
    .option('--dev', 'development chain: creates its genesis on first start; this process holds every entity key')
    .action(async (opts: { home?: string, rpc: string, slotMs: number, dev?: boolean }) => {
      const { host, port } = parseHostPort(opts.rpc)
      const slotMs = opts.slotMs
      const home = resolveHome(opts.home)
      const chain = await openChainAtHome({ home, dev: opts.dev === true ? { slotMs, nowMs: Date.now() } : undefined, maxBuildMs: 500 })
      let keys: NodeKey[] = []
      if (opts.dev === true) keys = [...devNodeKeys(chain.genesis.spec.entities.length), devServerKey()]
      else if (existsSync(homePaths(home).config)) {
        // an initialised node home: its identity key (the libp2p key) is its PoOT node key
        try {
          keys = [nodeKeyFromSeed((await openHome(home, await readPassphrase())).identity.secretKey)]
        } catch (e) { await chain.close(); throw e }
        process.stdout.write(`node id ${keys[0].id}\n`)
      }
      const signers = signersFrom(chain, keys)
      if (signers.size === 0) process.stderr.write('lucid chain: this process holds no entity key: it serves JSON-RPC but proposes nothing\n')
      let server
      try { server = await startRpcServer(chain, { host, port, log: (l) => process.stderr.write(l + '\n') }) } catch (e) {
        await chain.close()
        throw new UsageError(`--rpc: cannot listen on ${opts.rpc}: ${(e as Error).message}`, 1)
      }
      // this process's votes and heartbeats (every entity key it holds; not the Server's), included by its proposals
      const registry = chain.genesis.poot.registry
      const duties = new Duties(keys.filter((k) => registry.entityOfNode.has(k.id) && registry.entityOfNode.get(k.id) !== registry.server.id))
      const pool = new ProofPool(chain.genesis.poot.params)
      const decide = localProposer(signers)
      // the sessions registered in LucidAnchors since the last ranked block, which a block lists (and is paid for)
      const anchors = chain.genesis.contracts.LucidAnchors
      const sessions = anchors === undefined ? undefined : new BlockSessions(chain, anchors)
      let running = true
      sessions?.follow((e) => process.stderr.write(`lucid chain: registered sessions not read: ${e.message}\n`), () => running)
      const node = new ChainNode(chain, {
        decide: (c, slot, now) => {
          const p = decide(c, slot, now)
          return p === null ? null : { ...p, proofs: pool.candidates(), sessions: sessions?.forProposal(p.proposer) ?? [] }
        },
        onError: (e) => process.stderr.write(`lucid chain: ${e.message}\n`)
      })
      node.start()
      const dutyTimer = setInterval(() => {
        const now = Date.now()
        for (const p of duties.due(chain.headPoot, chain.configAt(node.currentSlot(now)), now)) pool.add(p)
        pool.prune(node.currentSlot())
      }, 100)
      const out = process.stdout
      out.write(`chain ${chain.chainId} at block ${chain.head.header.number}, slot ${chain.genesis.poot.params.slotMs} ms\n`)
      out.write(`JSON-RPC: ${server.url}\n`)
      if (opts.dev === true) {
        out.write('development accounts (well-known keys: never use them for value):\n')
        for (const k of devAccountKeys()) out.write(`  ${k}\n`)
        out.write(`contracts: ${JSON.stringify(chain.genesis.contracts)}\n`)
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve() }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
      clearInterval(dutyTimer)
      running = false
      await node.stop()
      await server.close()
      await chain.close()
    })

  cmd.command('status')
    .description('head, finalized block and next slot of a running chain')
    .option('--rpc <url>', 'JSON-RPC URL', DEFAULT_RPC_URL)
    .option('--json', 'print as JSON')
    .action(async (opts: { rpc: string, json?: boolean }) => {
      const [chainId, head, finality, schedule] = await Promise.all([
        rpc(opts.rpc, 'eth_chainId'), rpc(opts.rpc, 'eth_getBlockByNumber', ['latest', false]), rpc(opts.rpc, 'lucid_finality'), rpc(opts.rpc, 'lucid_schedule')
      ])
      const status = {
        chainId: Number(chainId),
        head: { number: Number(head.number), hash: head.hash, timestamp: Number(head.timestamp), transactions: head.transactions.length, slot: finality.head.slot },
        finalized: { number: Number(finality.finalized.number), hash: finality.finalized.hash },
        nextSlot: { slot: schedule.slot, primary: schedule.turns[0]?.entity ?? null }
      }
      if (opts.json === true) { process.stdout.write(JSON.stringify(status) + '\n'); return }
      process.stdout.write(`chain ${status.chainId}\nhead      #${status.head.number} ${status.head.hash} slot ${status.head.slot} (${status.head.transactions} tx)\n` +
        `finalized #${status.finalized.number} ${status.finalized.hash}\nnext slot ${status.nextSlot.slot}, primary ${status.nextSlot.primary}\n`)
    })

  cmd.command('credits')
    .description('PoOT work credits per entity in the current window')
    .option('--rpc <url>', 'JSON-RPC URL', DEFAULT_RPC_URL)
    .option('--json', 'print as JSON')
    .action(async (opts: { rpc: string, json?: boolean }) => {
      const c = await rpc(opts.rpc, 'lucid_credits')
      if (opts.json === true) { process.stdout.write(JSON.stringify(c) + '\n'); return }
      const rows = Object.entries(c.credits as Record<string, number>)
      process.stdout.write(`window from height ${c.windowStart} (${c.windowSlots} slots), minted ${BigInt(c.totalMinted) / 10n ** 18n} LUCID\n`)
      if (rows.length === 0) process.stdout.write('no entity has credits yet\n')
      for (const [entity, credits] of rows) process.stdout.write(`${String(credits).padStart(10)}  ${entity}\n`)
    })
  return cmd
}
