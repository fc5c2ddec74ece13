/**
 * Key-less verification and decryption of a sealed session directory. Unsealing checks every blob and the Merkle
 * root while it decrypts into a temporary file beside the target, renamed into place only when every check held,
 * so a failure never leaves a partial file at the target path.
 */
import type { Writable } from 'node:stream'
import { decodeSignedManifest, chunkPlaintextLength, type Manifest } from '../../../protocols/session/manifest.js'
import { SessionVerifier, type SessionReport } from '../../../protocols/session/verify.js'
import { parseSessionId } from '../../../protocols/session/session-id.js'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { RAW_CODEC, SHA2_256 } from '../../../protocols/session/cid.js'
import type { OpenResult } from './worker-protocol.js'
import { SessionError } from '../../../protocols/session/errors.js'
import { listChunkFiles, readChunk, readManifestBytes, chunkFileName } from './sealed-dir.js'
import { writeFileAtomicFrom } from '../home/atomic-write.js'
import type { WorkerPool } from './worker-pool.js'

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
  /** Chunks in flight (read + open); default one per worker. */
  readAhead?: number
}

/**
 * Verified plaintext, chunk by chunk in order, from any blob source (a sealed directory, the node's blockstore):
 * several chunks in flight on the pool, where each worker hashes its blob (CID and Merkle leaf) and decrypts it only
 * when the CID holds. A chunk is yielded only after its checks; the Merkle root is checked after the last one, so
 * the generator throws at its end on a root mismatch and callers publish nothing before it completes.
 */
export async function * openChunkStream (manifest: Manifest, readBlob: (index: number) => Promise<Uint8Array | undefined>, opts: UnsealOptions): AsyncGenerator<Uint8Array> {
  const verifier = new SessionVerifier(manifest)
  const sessionId = parseSessionId(manifest.sessionId)
  const inFlight: Array<Promise<{ index: number, size: number, result: OpenResult }>> = []
  let written = 0
  const next = async (): Promise<Uint8Array> => {
    const { index, size, result } = await (inFlight.shift() as Promise<{ index: number, size: number, result: OpenResult }>)
    const report = verifier.record(index, { size, cid: CID.createV1(RAW_CODEC, Digest.create(SHA2_256, result.cidDigest)), leaf: result.leaf })
    if (!report.ok || result.plaintext === undefined) throw new SessionError(report.code ?? 'cid-mismatch', report.error ?? `chunk ${index}: failed`, index)
    written += result.plaintext.length
    opts.onProgress?.(written)
    return result.plaintext
  }
  try {
    for (let i = 0; i < manifest.chunkCount; i++) {
      if (inFlight.length >= (opts.readAhead ?? opts.pool.size)) yield await next()
      // The read is part of the job, so blobs fetched over the network arrive concurrently too.
      const job = (async () => {
        const blob = await readBlob(i)
        if (blob === undefined) throw new SessionError('missing-chunk', `chunk ${i}: missing`, i)
        const result = await opts.pool.open({ sessionKey: opts.sessionKey, sessionId, index: i, blob, plaintextLength: chunkPlaintextLength(manifest, i), expectedDigest: manifest.chunks[i].multihash.digest })
        return { index: i, size: blob.length, result }
      })()
      job.catch(() => {})
      inFlight.push(job)
    }
    while (inFlight.length > 0) yield await next()
  } finally {
    await Promise.allSettled(inFlight)
  }
  assertReportOk(verifier.finish())
}

/** A sealed directory's chunks through `openChunkStream`, after refusing blobs the manifest does not list. */
async function openChunks (dir: string, manifest: Manifest, opts: UnsealOptions, write: (bytes: Uint8Array) => Promise<void>): Promise<void> {
  const { indexes, strays } = await listChunkFiles(dir)
  const extra = [...indexes.filter((i) => i >= manifest.chunkCount).map(chunkFileName), ...strays]
  if (extra.length > 0) throw new SessionError('extra-chunk', `extra chunk '${extra[0]}': not listed in the manifest`)
  for await (const plaintext of openChunkStream(manifest, async (i) => await readChunk(dir, i), opts)) await write(plaintext)
}

/** Verifies and decrypts in one pass into a temporary file beside `target`, renamed into place only when all held. */
export async function unsealToFile (dir: string, target: string, opts: UnsealOptions): Promise<Manifest> {
  const { manifest } = decodeSignedManifest(await readManifestBytes(dir))
  await writeFileAtomicFrom(target, async (write) => { await openChunks(dir, manifest, opts, write) })
  return manifest
}

/**
 * To a stream (stdout), whose bytes cannot be taken back: a key-less verification pass first, so only a wrong key
 * can still fail, and it fails on chunk 0 before the first byte is written.
 */
export async function unsealToStream (dir: string, out: Writable, opts: UnsealOptions): Promise<Manifest> {
  const { manifest, report } = await verifySealedDir(dir)
  assertReportOk(report)
  await openChunks(dir, manifest, opts, async (bytes) => {
    if (!out.write(bytes)) await new Promise((resolve) => out.once('drain', resolve))
  })
  return manifest
}
