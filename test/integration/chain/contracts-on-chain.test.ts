// The contracts' own test suite (test/contracts, unchanged) against `lucid chain run --dev`'s JSON-RPC: each test
// file runs in its own mocha process with its own nine funded dev accounts, a few files at a time, because each
// transaction waits for a slot (1001 ms here, the shortest PoOT's bounds allow with a 1000 ms leader timeout).
// The property tests run 3 random sequences each instead of 25 (LUCID_PROPERTY_RUNS, the suite's own knob):
// 25 take about 3 minutes per router at one transaction per slot.
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { devAccountKeys, DEV_ACCOUNT_COUNT, DEV_FUNDED_ACCOUNTS } from '../../../node/src/chain/dev.js'
import { startChainProcess, type ChainProcess } from './process.js'

const CONCURRENCY = 9
const PROPERTY_RUNS = '3'
const KEYS_PER_FILE = 9
const mochaBin = createRequire(import.meta.url).resolve('mocha/bin/mocha.js')

interface FileRun { file: string, code: number | null, output: string }

const running = new Set<ChildProcess>()

async function runFile (file: string, url: string, keys: string[]): Promise<FileRun> {
  // own process group: mocha's bin re-spawns node, and a timed-out run must not leave that grandchild behind
  const child = spawn(process.execPath, [mochaBin, file], {
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
  return { file, code, output }
}

describe('chain: the contracts test suite against the dev chain', function () {
  this.timeout(15 * 60_000)
  const home = mkdtempSync(join(tmpdir(), 'lucid-chain-contracts-'))
  let proc: ChainProcess | undefined
  after(async () => {
    for (const c of running) { try { process.kill(-(c.pid as number), 'SIGKILL') } catch {} }
    await proc?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('passes unchanged over JSON-RPC', async () => {
    proc = await startChainProcess(home, 1001)
    const files = readdirSync('test/contracts').filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test/contracts', f))
    const keys = devAccountKeys(DEV_FUNDED_ACCOUNTS).slice(DEV_ACCOUNT_COUNT)
    assert.ok(files.length * KEYS_PER_FILE <= keys.length, 'not enough funded dev accounts for one key set per file')
    const results: FileRun[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++
        results.push(await runFile(files[i], proc!.url, keys.slice(i * KEYS_PER_FILE, (i + 1) * KEYS_PER_FILE)))
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const failed = results.filter((r) => r.code !== 0 || !/\d+ passed, 0 failed/.test(r.output))
    assert.deepEqual(failed.map((r) => `${r.file}:\n${r.output.slice(-3000)}`), [])
    const passed = results.reduce((n, r) => n + Number(/(\d+) passed/.exec(r.output)?.[1] ?? 0), 0)
    assert.ok(passed >= 60, `only ${passed} contract tests ran`)
  })
})
