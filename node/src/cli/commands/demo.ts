import { Command } from 'commander'
import { parseWholeFlag } from '../parse.js'
import { mkdtemp, mkdir, readFile, rm, writeFile, open } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { initHome, openHome } from '../../home/home.js'
import { sessionKeyName } from '../../home/keystore.js'
import { sealSession } from '../../seal/seal-session.js'
import { unsealToFile, verifySealedDir } from '../../seal/open-session.js'
import { chunkFileName, CHUNKS_DIR } from '../../seal/sealed-dir.js'
import { WorkerPool } from '../../seal/worker-pool.js'
import { sampleRecording } from '../../demo/sample-recording.js'
import { identityFromPublicKey } from '../../home/peer-id.js'
import { swarmDemo } from '../../devnet/demo.js'

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`

async function flipBit (path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    const one = Buffer.alloc(1)
    await handle.read(one, 0, 1, offset)
    one[0] ^= 0x10
    await handle.write(one, 0, 1, offset)
  } finally { await handle.close() }
}

async function offlineDemo (opts: { dir?: string, keep?: boolean }): Promise<void> {
  const dir = opts.dir !== undefined ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'lucid-demo-'))
  await mkdir(dir, { recursive: true })
  const say = (step: string, text: string): void => { process.stdout.write(`${step.padEnd(10)} ${text}\n`) }
  process.stdout.write('Lucid demo: one local node, embedded defaults, nothing leaves this machine\n')
  try {
    // A throwaway home: its passphrase is random and lives only in this process.
    const homeDir = join(dir, 'home')
    const passphrase = randomBytes(24).toString('base64url')
    const init = await initHome(homeDir, passphrase)
    const home = await openHome(homeDir, passphrase)
    say('node', `home ${homeDir}, peer ID ${init.peerId}`)

    const recording = join(dir, 'recording.bin')
    await writeFile(recording, Buffer.concat([...sampleRecording()]))
    const original = await readFile(recording)
    say('recording', `${mb(original.length)} sample (screen video bursts + JSON audit events)`)

    const out = join(dir, 'sealed')
    const sealed = await sealSession(home, { input: (async function * () { yield original })(), outDir: out, participants: ['alice@example.org', 'support-agent-7'] })
    say('sealed', `session ${sealed.sessionId}: ${sealed.chunkCount} chunks of ${mb(sealed.chunkSize)}, ${mb(sealed.storedBytes)} stored, ${(sealed.plaintextSize / 1e6 / sealed.seconds).toFixed(0)} MB/s`)
    say('', `Merkle root ${sealed.merkleRoot}`)
    say('', `manifest ${sealed.manifestCid}`)

    const verified = await verifySealedDir(out)
    const good = verified.report.chunks.filter((c) => c.ok).length
    say('verified', `${verified.report.ok ? 'ok' : 'FAILED'}: ${good}/${verified.manifest.chunkCount} chunks match their CIDs, Merkle root ${verified.report.merkleOk ? 'matches' : 'does not match'}, signed by ${identityFromPublicKey(verified.manifest.recorder)}`)

    const victim = join(out, CHUNKS_DIR, chunkFileName(1))
    await flipBit(victim, 1000)
    const tampered = await verifySealedDir(out)
    say('tampered', `flipped one bit in chunk 1 → ${tampered.report.ok ? 'NOT DETECTED' : 'detected: ' + tampered.report.errors[0]}`)
    await flipBit(victim, 1000)

    const restored = join(dir, 'restored.bin')
    const pool = new WorkerPool()
    try {
      await unsealToFile(out, restored, { pool, sessionKey: await home.keystore.get(sessionKeyName(sealed.sessionId)) })
    } finally { await pool.close() }
    const back = await readFile(restored)
    const same = back.equals(original)
    say('unsealed', `${mb(back.length)}, ${same ? 'byte-identical to the recording' : 'DIFFERENT from the recording'} (sha256 ${createHash('sha256').update(back).digest('hex').slice(0, 16)}…)`)
    if (!verified.report.ok || tampered.report.ok || !same) throw new Error('the demo found a fault (see above)')
    process.stdout.write(opts.keep === true || opts.dir !== undefined ? `files kept in ${dir}\n` : 'done\n')
  } finally {
    if (opts.keep !== true && opts.dir === undefined) await rm(dir, { recursive: true, force: true })
  }
}

export function demoCommand (): Command {
  return new Command('demo')
    .description('run Lucid end to end on this machine: a local swarm of real node processes, a sample session put on node 1, replicated, fetched back byte-identical from another node (--offline: one node, seal/verify/tamper/unseal, no network)')
    .option('--offline', 'the single-node demo: seal, verify, detect tampering, unseal; no processes, no network')
    .option('--nodes <n>', 'swarm size (2–8)', parseWholeFlag('--nodes', 2, 8), 3)
    .option('--dir <dir>', 'work directory (default: a new temporary directory, removed afterwards)')
    .option('--keep', 'keep the work directory')
    .action(async (opts: { offline?: boolean, nodes: number, dir?: string, keep?: boolean }) => {
      if (opts.offline === true) { await offlineDemo(opts); return }
      await swarmDemo({ nodes: opts.nodes, dir: opts.dir, keep: opts.keep })
    })
}
