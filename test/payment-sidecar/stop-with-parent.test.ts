// The stand-in (like the sidecar) started by a program that then dies outright (SIGKILL) stops by itself: the
// environment names its starter (LUCID_STOP_WITH_PARENT, set by `lucid demo`), and once its parent PID is no longer
// that one it raises SIGTERM on itself. Without the variable it runs on (its starter stops it).
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { waitFor } from '../support/wait-for.js'

const STAND_IN = fileURLToPath(new URL('../../payment-sidecar/bin/lucid-tron-stand-in.js', import.meta.url))
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

/** A starter process that runs the stand-in (with or without the variable naming it) and prints the stand-in's PID. */
async function starter (watch: boolean): Promise<{ starterPid: number, standInPid: number }> {
  const script = `
    const { spawn } = require('node:child_process')
    const env = { ...process.env, ${watch ? 'LUCID_STOP_WITH_PARENT: String(process.pid)' : ''} }
    const c = spawn(process.execPath, [${JSON.stringify(STAND_IN)}, '--block-ms', '500'], { stdio: ['ignore', 'pipe', 'inherit'], env })
    c.stdout.once('data', () => { console.log(c.pid) })
    setInterval(() => {}, 1000)`
  const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
  for await (const line of createInterface({ input: p.stdout })) return { starterPid: p.pid as number, standInPid: Number(line) }
  throw new Error('the starter printed nothing')
}

describe('payment sidecar: stop with the starter', function () {
  this.timeout(60_000)
  const started: number[] = []
  after(() => { for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL') })

  it('a stand-in whose starter was SIGKILLed stops; one not told to watch it runs on', async () => {
    const watched = await starter(true)
    const unwatched = await starter(false)
    started.push(watched.standInPid, unwatched.standInPid)
    assert.ok(alive(watched.standInPid) && alive(unwatched.standInPid))
    process.kill(watched.starterPid, 'SIGKILL')
    process.kill(unwatched.starterPid, 'SIGKILL')
    await waitFor('the watching stand-in gone', async () => !alive(watched.standInPid), 20_000, 100)
    assert.ok(alive(unwatched.standInPid), 'without the variable the orphan is not stopped (nothing told it whom to watch)')
  })
})
