// `lucid seal` killed with SIGKILL at varied moments: the keystore still opens with the same identity, an unfinished
// sealed directory is reported as unfinished (never as a valid or corrupt session), and sealing works again.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LUCID_BIN, runLucid } from '../support/run-lucid.js'

const PASS = { LUCID_PASSPHRASE: 'crash-test-passphrase' }

describe('lucid seal killed mid-way', function () {
  this.timeout(180_000)
  let dir: string
  let home: string
  let input: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lucid-crash-'))
    home = join(dir, 'home')
    input = join(dir, 'big.bin')
    await writeFile(input, randomBytes(48 << 20))
    const r = await runLucid(['init', '--home', home], { env: PASS })
    assert.equal(r.code, 0, r.stderr)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('leaves a clean state after a kill at each of several moments', async () => {
    const identity = await readFile(join(home, 'keystore', 'identity.key'))
    // Kill after waiting 0.3 to 2.1 s: during start-up, key storage, early and late chunks.
    for (const [i, delayMs] of [300, 700, 1100, 1500, 2100].entries()) {
      const out = join(dir, `sealed-${i}`)
      const child = spawn(process.execPath, [LUCID_BIN, 'seal', input, '--out', out, '--chunk-size', '1MiB', '--home', home], { env: { ...process.env, ...PASS }, stdio: 'ignore' })
      const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      child.kill('SIGKILL')
      const signal = await exited
      const verify = await runLucid(['verify', out])
      // Either nothing that passes for a sealed session, or a complete one: a kill that lands after the manifest's
      // rename (the process was exiting) leaves a finished seal, which must verify; never anything in between.
      if (signal !== 'SIGKILL' || verify.code === 0) {
        assert.equal(verify.code, 0, `seal finished before the kill at ${delayMs} ms, so it must verify: ${verify.stdout}`)
      } else {
        assert.match(verify.stderr, /has no manifest\.cbor: not a sealed session directory \(or sealing did not finish\)/, `kill at ${delayMs} ms left a partial seal: ${verify.stderr}`)
      }
      assert.deepEqual(await readFile(join(home, 'keystore', 'identity.key')), identity)
    }
    const again = await runLucid(['seal', input, '--out', join(dir, 'after'), '--home', home, '--json'], { env: PASS })
    assert.equal(again.code, 0, again.stderr)
    const verify = await runLucid(['verify', join(dir, 'after')])
    assert.equal(verify.code, 0, verify.stdout)
  })
})
