// The passphrase prompt on a real terminal (a pseudo-terminal from util-linux `script`): asked twice, never echoed.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LUCID_BIN } from '../support/run-lucid.js'

/** Runs `lucid args` on a pty; answers each prompt (in order) once it appears. */
async function onTerminal (args: string[], answers: string[]): Promise<{ code: number | null, output: string }> {
  const command = [process.execPath, LUCID_BIN, ...args].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LUCID_PASSPHRASE: '' } })
  let output = ''
  let answered = 0
  const onData = (d: Buffer): void => {
    output += d.toString('utf8')
    const prompts = output.match(/passphrase: /gi)?.length ?? 0
    while (answered < prompts && answered < answers.length) child.stdin.write(answers[answered++] + '\r')
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, output }
}

describe('lucid init on a terminal', function () {
  this.timeout(60_000)
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'lucid-tty-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('asks for the passphrase twice without echoing it, and the keystore opens with it', async () => {
    const secret = 'pty-secret-passphrase-42'
    const r = await onTerminal(['init', '--home', join(dir, 'a')], [secret, secret])
    assert.equal(r.code, 0, r.output)
    assert.match(r.output, /Keystore passphrase: [\s\S]*Repeat passphrase: /)
    assert.match(r.output, /peer ID {2}12D3KooW/)
    assert.ok(!r.output.includes(secret), 'the passphrase was echoed')
    const again = await onTerminal(['init', '--home', join(dir, 'a')], ['wrong-passphrase', 'wrong-passphrase'])
    assert.notEqual(again.code, 0)
    assert.match(again.output, /lucid: wrong passphrase/)
  })

  it('shows a progress bar while sealing on a terminal', async () => {
    const input = join(dir, 'recording.bin')
    await writeFile(input, randomBytes(24 << 20))
    const r = await onTerminal(['seal', input, '--out', join(dir, 'sealed'), '--home', join(dir, 'a')], ['pty-secret-passphrase-42'])
    assert.equal(r.code, 0, r.output)
    assert.match(r.output, /sealing \[#+\.*\] +\d+% [\d.]+\/25\.2 MB/)
    assert.match(r.output, /sealing \[#{30}\] 100%/)
  })

  it('refuses two different answers', async () => {
    const r = await onTerminal(['init', '--home', join(dir, 'b')], ['first-passphrase', 'second-passphrase'])
    assert.notEqual(r.code, 0)
    assert.match(r.output, /lucid: the two passphrases differ/)
  })
})
