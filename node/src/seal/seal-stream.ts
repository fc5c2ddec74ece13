/**
 * Streams a recording into a sealed session: re-chunks the input, seals chunks on the worker pool (at most
 * 2 × pool size in flight, so memory stays at a few chunks whatever the input size), hands blobs to the sink in
 * index order, and signs the manifest at the end.
 */
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ManifestBuilder, type SessionParams } from '../../../protocols/session/builder.js'
import { NONCE_BYTES } from '../../../protocols/session/constants.js'
import { RAW_CODEC, SHA2_256 } from '../../../protocols/session/cid.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import type { WorkerPool } from './worker-pool.js'

export interface SealProgress { bytesIn: number, chunks: number, bytesStored: number }

export interface SealStreamOptions {
  params: SessionParams
  recorderSecretKey: Uint8Array
  pool: WorkerPool
  /** Receives each blob in index order; the session is complete only once the caller stores the manifest too. */
  sink: (index: number, blob: Uint8Array, cid: CID) => Promise<void>
  onProgress?: (p: SealProgress) => void
  now?: () => number
}

export interface SealOutcome {
  manifest: Manifest
  encodedManifest: Uint8Array
  plaintextSize: number
  storedBytes: number
}

export async function sealStream (source: AsyncIterable<Uint8Array>, opts: SealStreamOptions): Promise<SealOutcome> {
  const builder = new ManifestBuilder(opts.params)
  const { chunkSize, sessionIdBytes } = builder
  const sessionKey = opts.params.sessionKey
  const maxInFlight = 2 * opts.pool.size
  const inFlight: Array<Promise<{ blob: Uint8Array, cid: CID, leaf: Uint8Array }>> = []
  const progress: SealProgress = { bytesIn: 0, chunks: 0, bytesStored: 0 }
  let nextIndex = 0

  const drainOne = async (): Promise<void> => {
    const done = await (inFlight.shift() as Promise<{ blob: Uint8Array, cid: CID, leaf: Uint8Array }>)
    const { index } = builder.add(done.blob, done.cid, done.leaf)
    await opts.sink(index, done.blob, done.cid)
    progress.chunks++
    progress.bytesStored += done.blob.length
    opts.onProgress?.(progress)
  }

  const dispatch = async (plaintext: Uint8Array): Promise<void> => {
    if (inFlight.length >= maxInFlight) await drainOne()
    const index = nextIndex++
    const job = opts.pool.seal({ sessionKey, sessionId: sessionIdBytes, index, plaintext, nonce: new Uint8Array(randomBytes(NONCE_BYTES)) })
      .then((r) => ({ blob: r.blob, leaf: r.leaf, cid: CID.createV1(RAW_CODEC, Digest.create(SHA2_256, r.cidDigest)) }))
    job.catch(() => {}) // observed when drained; avoids an unhandled rejection while it waits in the queue
    inFlight.push(job)
  }

  let buffer = new Uint8Array(chunkSize)
  let filled = 0
  try {
    for await (const piece of source) {
      let offset = 0
      while (offset < piece.length) {
        const n = Math.min(chunkSize - filled, piece.length - offset)
        buffer.set(piece.subarray(offset, offset + n), filled)
        filled += n
        offset += n
        progress.bytesIn += n
        if (filled === chunkSize) {
          await dispatch(buffer)
          buffer = new Uint8Array(chunkSize)
          filled = 0
        }
      }
    }
    if (filled > 0 || nextIndex === 0) await dispatch(buffer.slice(0, filled))
    while (inFlight.length > 0) await drainOne()
  } catch (err) {
    await Promise.allSettled(inFlight)
    throw err
  }
  const now = opts.now ?? Date.now
  const { manifest, encoded } = builder.finish(progress.bytesIn, now(), opts.recorderSecretKey)
  return { manifest, encodedManifest: encoded, plaintextSize: progress.bytesIn, storedBytes: progress.bytesStored }
}
