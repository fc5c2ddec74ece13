import { Command, InvalidArgumentError } from 'commander'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Devnet } from '../../devnet/devnet.js'
import { DEVNET_SLOT_MS, parseDevnetPool, type DevnetPool } from '../../devnet/chain-genesis.js'
import { devAccountKeys } from '../../chain/dev.js'
import { parseWholeFlag } from '../parse.js'

function pool (text: string, previous: DevnetPool[]): DevnetPool[] {
  try { return [...previous, parseDevnetPool(text)] } catch (e) { throw new InvalidArgumentError((e as Error).message) }
}

export function devnetCommand (): Command {
  return new Command('devnet')
    .description('run a local swarm of N real node processes on 127.0.0.1, bootstrapped to each other; Ctrl-C stops them all')
    .option('--nodes <n>', 'number of nodes', parseWholeFlag('--nodes', 1, 64), 5)
    .option('--dir <dir>', 'where the node homes go (kept; default: a temporary directory, removed on exit)')
    .option('--replication <r>', 'replication factor R for every node', parseWholeFlag('--replication', 1, 64))
    .option('--slot-ms <ms>', `chain slot length (fixed in the devnet's genesis; default ${DEVNET_SLOT_MS})`, parseWholeFlag('--slot-ms', 1001, 120_000), DEVNET_SLOT_MS)
    .option('--pool <members:threshold>', 'make the next nodes one pool entity signing threshold of members (e.g. 3:2: nodes 1-3 are one entity, each holding only its own key, its blocks co-signed over the network); repeatable, pools take nodes in order, the rest stay solo entities', pool, [])
    .option('--no-chain', 'run the swarm without the chain')
    .option('--json', 'one JSON line per node: home, API URL, admin token, multiaddrs, JSON-RPC URL; then one with the development keys')
    .action(async (opts: { nodes: number, dir?: string, replication?: number, json?: boolean, slotMs: number, chain: boolean, pool: DevnetPool[] }) => {
      const pooled = opts.pool.reduce((n, p) => n + p.members, 0)
      if (pooled > opts.nodes) throw new InvalidArgumentError(`--pool: the pools take ${pooled} nodes, --nodes is ${opts.nodes}`)
      if (opts.pool.length > 0 && !opts.chain) throw new InvalidArgumentError('--pool needs the chain (not with --no-chain)')
      const dir = opts.dir !== undefined ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'lucid-devnet-'))
      const devnet = await Devnet.create({ nodes: opts.nodes, dir, replication: opts.replication, chain: opts.chain ? { slotMs: opts.slotMs } : false, pools: opts.pool })
      let stopping = false
      const stop = async (): Promise<void> => {
        if (stopping) return
        stopping = true
        process.stderr.write('devnet: stopping all nodes…\n')
        await devnet.stop()
        if (opts.dir === undefined) await rm(dir, { recursive: true, force: true })
        process.stderr.write('devnet: stopped\n')
      }
      const signalled = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve())
        process.once('SIGTERM', () => resolve())
      })
      try {
        await devnet.start()
        for (const n of devnet.nodes) {
          if (opts.json === true) {
            process.stdout.write(JSON.stringify({ node: n.index, home: n.home, api: n.api, adminToken: n.adminToken, peerId: n.peerId, multiaddrs: n.multiaddrs, rpc: n.rpc ?? null, log: n.log }) + '\n')
          } else {
            process.stdout.write(`node ${n.index}  ${n.api}  ${n.rpc !== undefined ? `rpc ${n.rpc}  ` : ''}${n.peerId}  home ${n.home}\n`)
          }
        }
        if (opts.chain) {
          // like Hardhat and Anvil: funded development accounts with well-known keys (never for value)
          const keys = devAccountKeys()
          if (opts.json === true) process.stdout.write(JSON.stringify({ devAccounts: keys }) + '\n')
          else process.stdout.write(`development account (funded, well-known key: never use it for value): ${keys[0]}\n`)
        }
        let first = 1
        for (const p of opts.pool) {
          if (opts.json !== true) process.stdout.write(`pool: nodes ${first}-${first + p.members - 1} are one entity signing ${p.threshold} of ${p.members} (blocks co-signed across the processes)\n`)
          first += p.members
        }
        if (opts.json !== true) process.stdout.write(`devnet: ${devnet.nodes.length} nodes running (logs beside the homes in ${dir}); Ctrl-C stops them\n`)
        await signalled
      } finally {
        await stop()
      }
    })
}
