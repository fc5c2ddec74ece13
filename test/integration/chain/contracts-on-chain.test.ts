// The contracts' own test suite (test/contracts, unchanged) against a devnet's JSON-RPC: three `lucid start`
// processes (Devnet, as `lucid devnet` starts them), each a PoOT entity, node 1 also the Server. Test file i talks
// to node i mod 3, so a transaction usually enters the swarm at a node that does not propose the next slot: it is
// gossiped to the proposer, and every block is re-executed by the two other nodes before their receipts, logs and
// filters answer. Three nodes are enough for that: with 3 entities and an 8-slot cooldown each entity leads one
// slot in 8 and the Server (node 1) the other five, so every node proposes, every node follows, and every node's
// clients send to others' blocks; more nodes would only add processes to the 2-core machine.
//
// Each test file runs in its own mocha process with its own nine funded dev accounts (keys 10…; the devnet nodes'
// own chain accounts, keys 10–12, send only when a session is put, which this test never does), all at once,
// because each transaction waits for a slot (1001 ms, the shortest PoOT's bounds allow with a 1000 ms leader
// timeout). The property tests run 3 random sequences each instead of 25 (LUCID_PROPERTY_RUNS, the suite's own
// knob): 25 take about 3 minutes per router at one transaction per slot.
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { devAccountKeys, DEV_ACCOUNT_COUNT, DEV_FUNDED_ACCOUNTS } from '../../../node/src/chain/dev.js'
import { Devnet } from '../../../node/src/devnet/devnet.js'
import { tempDir } from '../swarm/support.js'
import { waitFor } from '../../support/wait-for.js'
import { envelopes, headNumber, rpc } from './devnet-support.js'

const NODES = 3
const SLOT_MS = 1001
const CONCURRENCY = 10
const PROPERTY_RUNS = '3'
const KEYS_PER_FILE = 9
const mochaBin = createRequire(import.meta.url).resolve('mocha/bin/mocha.js')

interface FileRun { file: string, url: string, code: number | null, output: string, ms: number }

const running = new Set<ChildProcess>()

async function runFile (file: string, url: string, keys: string[]): Promise<FileRun> {
  const t0 = Date.now()
  // own process group: mocha's bin re-spawns node, and a timed-out run must not leave that grandchild behind.
  // Niced: ten test processes starting at once on two cores starved the nodes, whose blocks then reached the Server
  // after its fallback turn, and the reorg to the primary's block took back a transaction a test had a receipt for.
  const child = spawn('nice', ['-n', '10', process.execPath, mochaBin, file], {
    env: { ...process.env, LUCID_RPC_URL: url, LUCID_TEST_KEYS: keys.join(','), LUCID_PROPERTY_RUNS: PROPERTY_RUNS },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  running.add(child)
  child.once('close', () => running.delete(child))
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { file, url, code, output, ms: Date.now() - t0 }
}

describe('chain: the contracts test suite against a devnet', function () {
  this.timeout(15 * 60_000)
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined
  let devnet: Devnet | undefined
  let passed = false
  after(async () => {
    for (const c of running) { try { process.kill(-(c.pid as number), 'SIGKILL') } catch {} }
    await devnet?.stop()
    // on failure the node homes and logs stay for a look (the path is printed)
    if (passed) await tmp?.cleanup()
    else if (tmp !== undefined) console.log(`devnet kept in ${tmp.dir}`)
  })

  it(`passes unchanged over the JSON-RPC of ${NODES} node processes`, async () => {
    tmp = await tempDir('lucid-chain-contracts-')
    devnet = await Devnet.create({ nodes: NODES, dir: join(tmp.dir, 'devnet'), chain: { slotMs: SLOT_MS } })
    await devnet.start()
    const urls = devnet.nodes.map((n) => n.rpc as string)
    // every node past genesis: connected and importing each other's blocks
    await waitFor('every node importing blocks', async () => (await Promise.all(urls.map(headNumber))).every((h) => h >= 2), 60_000, 250)

    const files = readdirSync('test/contracts').filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test/contracts', f))
    const keys = devAccountKeys(DEV_FUNDED_ACCOUNTS).slice(DEV_ACCOUNT_COUNT)
    assert.ok(files.length * KEYS_PER_FILE <= keys.length, 'not enough funded dev accounts for one key set per file')
    const results: FileRun[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++
        results.push(await runFile(files[i], urls[i % urls.length], keys.slice(i * KEYS_PER_FILE, (i + 1) * KEYS_PER_FILE)))
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const failed = results.filter((r) => r.code !== 0 || !/\d+ passed, 0 failed/.test(r.output))
    assert.deepEqual(failed.map((r) => `${r.file} (via ${r.url}):\n${r.output.slice(-3000)}`), [])
    const tests = results.reduce((n, r) => n + Number(/(\d+) passed/.exec(r.output)?.[1] ?? 0), 0)
    assert.ok(tests >= 60, `only ${tests} contract tests ran`)
    console.log(`    ${tests} contract tests: ${results.sort((a, b) => b.ms - a.ms).map((r) => `${r.file.replace(/^.*\/|\.test\.ts$/g, '')} ${Math.round(r.ms / 1000)} s`).join(', ')}`)

    // the nodes still agree: the same block at the lowest of their heads
    const height = Math.min(...await Promise.all(urls.map(headNumber)))
    await waitFor(`every node's block ${height} the same`, async () => {
      const hashes = await Promise.all(urls.map(async (u) => (await rpc<{ hash: string }>(u, 'eth_getBlockByNumber', ['0x' + height.toString(16), false])).hash))
      return new Set(hashes).size === 1
    }, 10_000, 250)
    // the transactions went into blocks of several proposers (mostly the Server's, node 1's, whatever node they were sent to)
    const byProposer = new Map<string, number>()
    for (let from = 1; from <= height; from += 256) {
      for (const e of await envelopes(urls[0], from, Math.min(256, height - from + 1))) {
        const txs = (RLP.decode(e.evm) as unknown[][])[1].length
        if (txs > 0) byProposer.set(e.poot.signed.header.proposer, (byProposer.get(e.poot.signed.header.proposer) ?? 0) + txs)
      }
    }
    console.log(`    transactions by proposer: ${[...byProposer].map(([p, n]) => `${p.slice(0, 8)} ${n}`).join(', ')}`)
    assert.ok(byProposer.size >= 2 && byProposer.has('server'), `transactions only in blocks of ${[...byProposer.keys()].join(', ')}`)
    passed = true
  })
})
