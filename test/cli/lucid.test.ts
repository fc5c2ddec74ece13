// The real `lucid` binary: init, seal, verify, unseal, and every bad-input path giving one clear line and a non-zero exit.
import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, readdir, rm, stat, writeFile, open } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLucid } from '../support/run-lucid.js'

const PASS = { LUCID_PASSPHRASE: 'correct horse battery staple' }

function oneLineError (r: { code: number | null, stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, stderr: ${r.stderr}`)
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`)
  assert.match(lines[0], /^lucid: /)
  assert.match(lines[0], pattern)
}

describe('lucid CLI (real binary)', function () {
  this.timeout(120_000)
  let dir: string
  let home: string
  let recording: Buffer
  let recordingPath: string
  let sealedDir: string
  let sessionId: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lucid-cli-'))
    home = join(dir, 'home')
    recording = Buffer.concat([randomBytes(300_000), Buffer.from('{"event":"keypress"}\n'.repeat(10_000))])
    recordingPath = join(dir, 'recording.bin')
    await writeFile(recordingPath, recording)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('prints help for every command', async () => {
    for (const args of [['--help'], ['init', '--help'], ['seal', '--help'], ['verify', '--help'], ['unseal', '--help'], ['demo', '--help']]) {
      const r = await runLucid(args)
      assert.equal(r.code, 0, args.join(' '))
      assert.match(r.stdout, /Usage: lucid/)
    }
  })

  it('init creates a home and never overwrites its keys', async () => {
    const first = await runLucid(['init', '--home', home, '--json'], { env: PASS })
    assert.equal(first.code, 0, first.stderr)
    const a = JSON.parse(first.stdout) as { peerId: string, created: string[] }
    assert.deepEqual(a.created, ['config', 'keystore', 'identity', 'admin token'])
    assert.match(a.peerId, /^12D3KooW/)
    const identityBefore = await readFile(join(home, 'keystore', 'identity.key'))
    const again = await runLucid(['init', '--home', home, '--json'], { env: PASS })
    assert.equal(again.code, 0, again.stderr)
    const b = JSON.parse(again.stdout) as { peerId: string, kept: string[] }
    assert.equal(b.peerId, a.peerId)
    assert.deepEqual(b.kept, ['config', 'keystore', 'identity', 'admin token'])
    assert.deepEqual(await readFile(join(home, 'keystore', 'identity.key')), identityBefore)
    const mode = (await stat(join(home, 'keystore', 'identity.key'))).mode & 0o777
    assert.equal(mode, 0o600)
    // The secret never appears in plaintext on disk.
    assert.doesNotMatch(identityBefore.toString(), /BEGIN|PRIVATE/)
  })

  it('init refuses a wrong passphrase for an existing keystore, and a missing one without a terminal', async () => {
    oneLineError(await runLucid(['init', '--home', home], { env: { LUCID_PASSPHRASE: 'not the passphrase' } }), /wrong passphrase/)
    oneLineError(await runLucid(['init', '--home', join(dir, 'other')]), /set LUCID_PASSPHRASE/)
  })

  it('seals a file, printing the session as JSON, and exports the key', async () => {
    sealedDir = join(dir, 'sealed')
    const keyFile = join(dir, 'session.key')
    const r = await runLucid(['seal', recordingPath, '--out', sealedDir, '--chunk-size', '64KiB', '--json', '--home', home, '--export-key', keyFile], { env: PASS })
    assert.equal(r.code, 0, r.stderr)
    const s = JSON.parse(r.stdout) as { sessionId: string, merkleRoot: string, chunkCount: number, plaintextSize: number, chunkSize: number }
    sessionId = s.sessionId
    assert.equal(s.plaintextSize, recording.length)
    assert.equal(s.chunkSize, 65536)
    assert.equal(s.chunkCount, Math.ceil(recording.length / 65536))
    assert.match(s.merkleRoot, /^[0-9a-f]{64}$/)
    assert.equal((await readdir(join(sealedDir, 'chunks'))).length, s.chunkCount)
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600)
  })

  it('verifies without a key, and reports a tampered chunk by index with exit 1', async () => {
    const ok = await runLucid(['verify', sealedDir, '--json'])
    assert.equal(ok.code, 0, ok.stderr)
    const report = JSON.parse(ok.stdout) as { ok: boolean, merkleOk: boolean, chunks: unknown[] }
    assert.ok(report.ok && report.merkleOk)

    const victim = join(sealedDir, 'chunks', '00000002.blob')
    const original = await readFile(victim)
    const handle = await open(victim, 'r+')
    await handle.write(Buffer.from([original[100] ^ 1]), 0, 1, 100)
    await handle.close()
    const bad = await runLucid(['verify', sealedDir])
    assert.equal(bad.code, 1)
    assert.match(bad.stdout, /chunk\s+2\s+FAIL/)
    assert.match(bad.stdout, /FAILED: chunk 2: blob does not match its CID/)

    // Unsealing the tampered session fails naming the chunk, and leaves nothing at the target.
    const target = join(dir, 'never.bin')
    oneLineError(await runLucid(['unseal', sealedDir, '--out', target, '--home', home], { env: PASS }), /chunk 2: blob does not match its CID/)
    await assert.rejects(stat(target), /ENOENT/)
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('never')), [])
    await writeFile(victim, original)
  })

  it('unseals byte-identical with the keystore, with a key file, and to stdout', async () => {
    const viaHome = join(dir, 'restored-home.bin')
    const a = await runLucid(['unseal', sealedDir, '--out', viaHome, '--home', home], { env: PASS })
    assert.equal(a.code, 0, a.stderr)
    assert.ok((await readFile(viaHome)).equals(recording))

    const viaKey = join(dir, 'restored-key.bin')
    const b = await runLucid(['unseal', sealedDir, '--out', viaKey, '--key', join(dir, 'session.key')])
    assert.equal(b.code, 0, b.stderr)
    assert.ok((await readFile(viaKey)).equals(recording))

    const c = await runLucid(['unseal', sealedDir, '--out', '-', '--key', join(dir, 'session.key')])
    assert.equal(c.code, 0, c.stderr)
    assert.ok(c.stdoutBytes.equals(recording))

    oneLineError(await runLucid(['unseal', sealedDir, '--out', viaKey, '--key', join(dir, 'session.key')]), /exists; pass --force/)
  })

  it('seals from standard input and round-trips an empty recording', async () => {
    const out = join(dir, 'empty-sealed')
    const r = await runLucid(['seal', '-', '--out', out, '--json', '--home', home], { env: PASS, input: new Uint8Array(0) })
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as { chunkCount: number }).chunkCount, 1)
    const back = await runLucid(['unseal', out, '--out', '-', '--home', home], { env: PASS })
    assert.equal(back.code, 0, back.stderr)
    assert.equal(back.stdoutBytes.length, 0)
  })

  it('refuses bad flags, paths, sizes and files with one clear line', async () => {
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [['seal', recordingPath, '--out', join(dir, 'x1'), '--chunk-size', '1KiB'], /chunk size must be an integer between 65536/],
      [['seal', recordingPath, '--out', join(dir, 'x2'), '--chunk-size', '17MiB'], /chunk size must be/],
      [['seal', recordingPath, '--out', join(dir, 'x3'), '--chunk-size', 'lots'], /'lots' is not a size/],
      [['seal', recordingPath, '--out', join(dir, 'x4'), '--session-id', 'not-a-uuid'], /not a UUIDv4/],
      [['seal', join(dir, 'missing.bin'), '--out', join(dir, 'x5'), '--home', home], /cannot read input .*missing\.bin \(ENOENT\)/, PASS],
      [['seal', dir, '--out', join(dir, 'x6'), '--home', home], /is not a regular file/, PASS],
      [['seal', recordingPath, '--out', sealedDir, '--home', home], /is not empty/, PASS],
      [['seal', recordingPath, '--out', join(dir, 'x7'), '--session-id', sessionId, '--home', home], /already used on this node/, PASS],
      [['seal', recordingPath], /required option '--out <dir>'/],
      [['seal', recordingPath, '--out', join(dir, 'x8'), '--home', join(dir, 'nohome')], /no node home at .*run 'lucid init/, PASS],
      [['seal', recordingPath, '--out', join(dir, 'x9'), '--bogus'], /unknown option '--bogus'/],
      [['verify', join(dir, 'nowhere')], /has no manifest\.cbor: not a sealed session directory/],
      [['unseal', sealedDir, '--out', join(dir, 'y1'), '--key', recordingPath], /not a Lucid key file/],
      [['unseal', sealedDir, '--out', join(dir, 'y2'), '--key', join(dir, 'nokey')], /cannot read --key .* \(ENOENT\)/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['demo', '--nodes', '9'], /--nodes must be a whole number from 2 to 8/],
      [['demo', '--nodes', 'three'], /--nodes must be a whole number from 2 to 8/],
      [['chain', 'run', '--dev', '--slot-ms', '1000'], /--slot-ms must be a whole number from 1001 to 3600000/]
    ]
    for (const [args, pattern, env] of cases) oneLineError(await runLucid(args, { env }), pattern)
  })

  it('refuses a damaged manifest and a key file for another session', async () => {
    const damaged = join(dir, 'damaged')
    const r = await runLucid(['seal', recordingPath, '--out', damaged, '--home', home, '--export-key', join(dir, 'other.key')], { env: PASS })
    assert.equal(r.code, 0, r.stderr)
    oneLineError(await runLucid(['unseal', sealedDir, '--out', join(dir, 'z1'), '--key', join(dir, 'other.key')]), /is for session .*, not /)
    const manifest = await readFile(join(damaged, 'manifest.cbor'))
    manifest[manifest.length - 5] ^= 0xff
    await writeFile(join(damaged, 'manifest.cbor'), manifest)
    oneLineError(await runLucid(['verify', damaged]), /signature does not verify/)
    await writeFile(join(damaged, 'manifest.cbor'), Buffer.from([0xff, 0x00, 0x01]))
    oneLineError(await runLucid(['verify', damaged]), /manifest: not valid dag-cbor/)
    await writeFile(join(damaged, 'manifest.cbor'), 'not cbor at all') // a valid CBOR text string, but no envelope
    oneLineError(await runLucid(['verify', damaged]), /manifest: envelope must be a map/)
  })
})
