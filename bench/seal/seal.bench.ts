/**
 * Seal and unseal throughput on 256 MiB at 8 MiB chunks, incompressible and compressible, each as MB/s and as a
 * ratio to OpenSSL's ChaCha20-Poly1305 (node:crypto, one core) over the same bytes in this run; then the peak RSS of
 * the real `lucid seal` sealing 1 GiB in its own process. Env: LUCID_BENCH_MIB (default 256), LUCID_BENCH_RSS_MIB (default 1024).
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sealStream } from '../../node/src/seal/seal-stream.js'
import { WorkerPool } from '../../node/src/seal/worker-pool.js'
import { prepareOutDir, writeChunk, writeManifest } from '../../node/src/seal/sealed-dir.js'
import { unsealToFile } from '../../node/src/seal/open-session.js'
import { sessionIdFromRandom } from '../../protocols/session/session-id.js'
import { DEFAULT_CHUNK_SIZE, MIB } from '../../protocols/session/constants.js'
import { ed25519 } from '@noble/curves/ed25519.js'

const TOTAL = Number(process.env.LUCID_BENCH_MIB ?? 256) * MIB
const RSS_MIB = Number(process.env.LUCID_BENCH_RSS_MIB ?? 1024)
const recorder = ed25519.utils.randomSecretKey()

function makeData (kind: 'incompressible' | 'compressible'): Buffer[] {
  const pieces: Buffer[] = []
  for (let off = 0; off < TOTAL; off += DEFAULT_CHUNK_SIZE) {
    if (kind === 'incompressible') { pieces.push(randomBytes(DEFAULT_CHUNK_SIZE)); continue }
    // Audit-event JSON lines with varying fields: compresses about 5-8x with zstd 3, like real event logs.
    const lines: string[] = []
    let size = 0
    for (let i = 0; size < DEFAULT_CHUNK_SIZE; i++) {
      const line = `{"t":${1_700_000_000_000 + off + i * 37},"event":"${['keypress', 'mouse-move', 'focus'][i % 3]}","x":${(i * 7919) % 1920},"y":${(i * 104729) % 1080},"seq":${off + i}}\n`
      lines.push(line)
      size += line.length
    }
    pieces.push(Buffer.from(lines.join('')).subarray(0, DEFAULT_CHUNK_SIZE))
  }
  return pieces
}

function mbps (bytes: number, ms: number): number {
  return Math.round((bytes / 1e6) / (ms / 1000))
}

/** The baseline: OpenSSL ChaCha20-Poly1305 over the same pieces, one core, no compression or hashing. */
function opensslBaseline (pieces: Buffer[]): number {
  const key = randomBytes(32)
  const iv = randomBytes(12)
  const started = performance.now()
  for (const p of pieces) {
    const c = createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 })
    c.update(p); c.final(); c.getAuthTag()
  }
  return mbps(TOTAL, performance.now() - started)
}

async function* source (pieces: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) yield p
}

async function sealOnce (pieces: Buffer[], pool: WorkerPool, outDir: string | undefined): Promise<{ ms: number, stored: number, sessionKey: Uint8Array }> {
  const sessionKey = new Uint8Array(randomBytes(32))
  if (outDir !== undefined) await prepareOutDir(outDir)
  const started = performance.now()
  const outcome = await sealStream(source(pieces), {
    params: { sessionId: sessionIdFromRandom(randomBytes(16)), sessionKey, owner: 'bench', recorderVersion: 'bench', startedAt: Date.now() },
    recorderSecretKey: recorder,
    pool,
    sink: outDir === undefined ? async () => {} : async (i, blob) => { await writeChunk(outDir, i, blob) },
    sinkReleasesBlobs: true
  })
  if (outDir !== undefined) await writeManifest(outDir, outcome.encodedManifest)
  return { ms: performance.now() - started, stored: outcome.storedBytes, sessionKey }
}

const pool = new WorkerPool()
const work = await mkdtemp(join(tmpdir(), 'lucid-bench-seal-'))
try {
  await sealOnce(makeData('incompressible').slice(0, 2), pool, undefined) // warm the workers
  for (const kind of ['incompressible', 'compressible'] as const) {
    const pieces = makeData(kind)
    const openssl = opensslBaseline(pieces)
    const inMemory = await sealOnce(pieces, pool, undefined)
    const dir = join(work, kind)
    const onDisk = await sealOnce(pieces, pool, dir)
    const started = performance.now()
    await unsealToFile(dir, join(work, `${kind}.out`), { pool, sessionKey: onDisk.sessionKey })
    const unsealMs = performance.now() - started
    const sealMBps = mbps(TOTAL, inMemory.ms)
    process.stdout.write(JSON.stringify({
      bench: 'seal', data: kind, mib: TOTAL / MIB, chunkMiB: DEFAULT_CHUNK_SIZE / MIB, workers: pool.size, cores: cpus().length,
      opensslChacha20Poly1305MBps: openssl,
      sealMBps, sealRatioToOpenssl: +(sealMBps / openssl).toFixed(2),
      sealToDiskMBps: mbps(TOTAL, onDisk.ms), sealToDiskRatio: +(mbps(TOTAL, onDisk.ms) / openssl).toFixed(2),
      unsealFromDiskMBps: mbps(TOTAL, unsealMs), unsealRatioToOpenssl: +(mbps(TOTAL, unsealMs) / openssl).toFixed(2),
      storedFraction: +(onDisk.stored / TOTAL).toFixed(3)
    }) + '\n')
    await rm(dir, { recursive: true, force: true })
    await rm(join(work, `${kind}.out`), { force: true })
  }
} finally {
  await pool.close()
  await rm(work, { recursive: true, force: true })
}

// Peak RSS of the real `lucid seal` sealing a 1 GiB file in its own process, as an operator would run it.
const rssDir = await mkdtemp(join(tmpdir(), 'lucid-bench-rss-'))
try {
  const input = join(rssDir, 'recording.bin')
  const handle = await open(input, 'w')
  for (let i = 0; i < RSS_MIB; i++) await handle.write(randomBytes(MIB))
  await handle.close()
  const env = { ...process.env, LUCID_PASSPHRASE: randomBytes(12).toString('hex') }
  const lucid = fileURLToPath(new URL('../../node/bin/lucid.js', import.meta.url))
  const run = (args: string[]): string => {
    const r = spawnSync(process.execPath, [lucid, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (r.status !== 0) throw new Error(`lucid ${args[0]} failed with ${r.status}`)
    return r.stdout
  }
  run(['init', '--home', join(rssDir, 'home')])
  const summary = JSON.parse(run(['seal', input, '--out', join(rssDir, 'sealed'), '--home', join(rssDir, 'home'), '--json'])) as { peakRssMB: number, seconds: number, plaintextSize: number }
  process.stdout.write(JSON.stringify({ bench: 'seal-peak-rss', command: 'lucid seal', inputMiB: RSS_MIB, peakRssMB: summary.peakRssMB, targetMB: 200, withinTarget: summary.peakRssMB < 200, sealToDiskMBps: Math.round(summary.plaintextSize / 1e6 / summary.seconds) }) + '\n')
} finally {
  await rm(rssDir, { recursive: true, force: true })
}
