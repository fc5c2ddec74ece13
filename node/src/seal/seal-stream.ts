/**
 * Streams a recording into a sealed session: re-chunks the input, seals chunks on the worker pool (at most
 * one per worker in flight, so memory stays at a few chunks whatever the input size), hands blobs to the sink in
 * index order, and signs the manifest at the end. Plaintext buffers travel to a worker and back and are refilled,
 * and (for sinks that release them) so do blob buffers: steady-state sealing allocates no chunk-sized buffers.
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
  /**
   * Set when the sink is finished with a blob once its promise resolves (it copies or writes it, keeps no
   * reference): blob buffers are then recycled for later chunks. Leave unset for sinks that may hold on to blobs.
   */
  sinkReleasesBlobs?: boolean
  onProgress?: (p: SealProgress) => void
  now?: () => number
}

export interface SealOutcome {
  manifest: Manifest
  encodedManifest: Uint8Array
  plaintextSize: number
  storedBytes: number
}

/** Where plaintext comes from: `fill` writes up to `buffer.length` bytes and returns how many (fewer only at the end). */
export interface ChunkSource {
  fill: (buffer: Uint8Array) => Promise<number>
}

/** Any byte stream (stdin, an upload): its pieces are copied into chunk buffers. */
export function iterableSource (iterable: AsyncIterable<Uint8Array>): ChunkSource {
  const it = iterable[Symbol.asyncIterator]()
  let rest: Uint8Array | undefined
  let done = false
  return {
    async fill (buffer) {
      let filled = 0
      while (filled < buffer.length && !done) {
        if (rest === undefined || rest.length === 0) {
          const next = await it.next()
          if (next.done === true) { done = true; break }
          rest = next.value
          continue
        }
        const n = Math.min(buffer.length - filled, rest.length)
        buffer.set(rest.subarray(0, n), filled)
        rest = rest.subarray(n)
        filled += n
      }
      return filled
    }
  }
}

export async function sealStream (input: AsyncIterable<Uint8Array> | ChunkSource, opts: SealStreamOptions): Promise<SealOutcome> {
  const source = 'fill' in input ? input : iterableSource(input)
  const builder = new ManifestBuilder(opts.params)
  const { chunkSize, sessionIdBytes } = builder
  const sessionKey = opts.params.sessionKey
  const maxInFlight = opts.pool.size
  const free: Uint8Array[] = []
  const spareBlobs: Uint8Array[] = []
  const inFlight: Array<Promise<{ blob: Uint8Array, cid: CID, leaf: Uint8Array }>> = []
  const progress: SealProgress = { bytesIn: 0, chunks: 0, bytesStored: 0 }
  let nextIndex = 0

  const drainOne = async (): Promise<void> => {
    const done = await (inFlight.shift() as Promise<{ blob: Uint8Array, cid: CID, leaf: Uint8Array }>)
    const { index } = builder.add(done.blob, done.cid, done.leaf)
    await opts.sink(index, done.blob, done.cid)
    if (opts.sinkReleasesBlobs === true) spareBlobs.push(new Uint8Array(done.blob.buffer))
    progress.chunks++
    progress.bytesStored += done.blob.length
    opts.onProgress?.(progress)
  }

  const dispatch = (plaintext: Uint8Array): void => {
    const index = nextIndex++
    const job = opts.pool.seal({ sessionKey, sessionId: sessionIdBytes, index, plaintext, nonce: new Uint8Array(randomBytes(NONCE_BYTES)), spare: spareBlobs.pop() })
      .then((r) => {
        if (r.plaintext.length === chunkSize) free.push(r.plaintext)
        return { blob: r.blob, leaf: r.leaf, cid: CID.createV1(RAW_CODEC, Digest.create(SHA2_256, r.cidDigest)) }
      })
    job.catch(() => {}) // observed when drained; avoids an unhandled rejection while it waits in the queue
    inFlight.push(job)
  }

  try {
    for (;;) {
      // Drain first, so the buffer to fill is one a worker just handed back: one plaintext buffer per worker.
      if (inFlight.length >= maxInFlight) await drainOne()
      const buffer = free.pop() ?? new Uint8Array(chunkSize)
      const filled = await source.fill(buffer)
      progress.bytesIn += filled
      if (filled === chunkSize) { dispatch(buffer); continue }
      if (filled > 0 || nextIndex === 0) dispatch(buffer.slice(0, filled))
      break
    }
    while (inFlight.length > 0) await drainOne()
  } catch (err) {
    await Promise.allSettled(inFlight)
    throw err
  }
  const now = opts.now ?? Date.now
  const { manifest, encoded } = builder.finish(progress.bytesIn, now(), opts.recorderSecretKey)
  return { manifest, encodedManifest: encoded, plaintextSize: progress.bytesIn, storedBytes: progress.bytesStored }
}
