/**
 * Key-less verification and decryption of a sealed session directory. Unsealing verifies everything first, then
 * decrypts into a temporary file beside the target and renames it into place only when every chunk opened, so a
 * failure never leaves a partial file at the target path.
 */
import { open, rename, rm } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { decodeSignedManifest, chunkPlaintextLength, type Manifest } from '../../../protocols/session/manifest.js'
import { SessionVerifier, type SessionReport } from '../../../protocols/session/verify.js'
import { parseSessionId } from '../../../protocols/session/session-id.js'
import { blobMatchesCid } from '../../../protocols/session/cid.js'
import { SessionError } from '../../../protocols/session/errors.js'
import { listChunkFiles, readChunk, readManifestBytes, chunkFileName } from './sealed-dir.js'
import { tempPathFor, fsyncDir } from '../home/atomic-write.js'
import type { WorkerPool } from './worker-pool.js'
import { dirname } from 'node:path'

export interface VerifyOutcome { manifest: Manifest, report: SessionReport }

export async function verifySealedDir (dir: string, onChunk?: (index: number, bytes: number) => void): Promise<VerifyOutcome> {
  const { manifest } = decodeSignedManifest(await readManifestBytes(dir))
  const verifier = new SessionVerifier(manifest)
  for (let i = 0; i < manifest.chunkCount; i++) {
    const blob = await readChunk(dir, i)
    verifier.check(i, blob)
    onChunk?.(i, blob?.length ?? 0)
  }
  const { indexes, strays } = await listChunkFiles(dir)
  for (const i of indexes) if (i >= manifest.chunkCount) verifier.extraBlob(chunkFileName(i))
  for (const s of strays) verifier.extraBlob(s)
  return { manifest, report: verifier.finish() }
}

/** Throws a SessionError for the first failed check in a report. */
export function assertReportOk (report: SessionReport): void {
  if (report.ok) return
  const bad = report.chunks.find((c) => !c.ok)
  if (bad !== undefined) throw new SessionError(bad.code ?? 'cid-mismatch', bad.error ?? `chunk ${bad.index} failed`, bad.index)
  throw new SessionError(report.errors[0]?.startsWith('extra') === true ? 'extra-chunk' : 'merkle-mismatch', report.errors[0] ?? 'verification failed')
}

export interface UnsealOptions {
  pool: WorkerPool
  sessionKey: Uint8Array
  onProgress?: (bytesOut: number) => void
}

/** Decrypts chunks in order (several in flight on the pool) and writes them to `write`. */
async function decryptInto (dir: string, manifest: Manifest, opts: UnsealOptions, write: (bytes: Uint8Array) => Promise<void>): Promise<void> {
  const sessionId = parseSessionId(manifest.sessionId)
  const inFlight: Array<Promise<Uint8Array>> = []
  let written = 0
  const drain = async (): Promise<void> => {
    const plaintext = await (inFlight.shift() as Promise<Uint8Array>)
    await write(plaintext)
    written += plaintext.length
    opts.onProgress?.(written)
  }
  try {
    for (let i = 0; i < manifest.chunkCount; i++) {
      if (inFlight.length >= 2 * opts.pool.size) await drain()
      const blob = await readChunk(dir, i)
      // Re-checked here: the files could have changed since verification.
      if (blob === undefined || !blobMatchesCid(blob, manifest.chunks[i])) throw new SessionError('cid-mismatch', `chunk ${i}: changed or removed during unsealing`, i)
      const job = opts.pool.open({ sessionKey: opts.sessionKey, sessionId, index: i, blob, plaintextLength: chunkPlaintextLength(manifest, i) }).then((r) => r.plaintext)
      job.catch(() => {})
      inFlight.push(job)
    }
    while (inFlight.length > 0) await drain()
  } catch (err) {
    await Promise.allSettled(inFlight)
    throw err
  }
}

export async function unsealToFile (dir: string, target: string, opts: UnsealOptions): Promise<VerifyOutcome> {
  const outcome = await verifySealedDir(dir)
  assertReportOk(outcome.report)
  const tmp = tempPathFor(target)
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await decryptInto(dir, outcome.manifest, opts, async (bytes) => { await handle.write(bytes) })
    await handle.sync()
    await handle.close()
    await rename(tmp, target)
    await fsyncDir(dirname(target))
  } catch (err) {
    await handle.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
  }
  return outcome
}

/** To a stream (stdout): everything is verified, and a wrong key fails on chunk 0, before the first byte is written. */
export async function unsealToStream (dir: string, out: Writable, opts: UnsealOptions): Promise<VerifyOutcome> {
  const outcome = await verifySealedDir(dir)
  assertReportOk(outcome.report)
  await decryptInto(dir, outcome.manifest, opts, async (bytes) => {
    if (!out.write(bytes)) await new Promise((resolve) => out.once('drain', resolve))
  })
  return outcome
}
