/**
 * The node's seal operation: a fresh single-use session ID and key (the key is in the keystore before the first
 * chunk is written, so no sealed byte is ever unrecoverable), chunks streamed through the worker pool into a sealed
 * directory, the signed manifest written last.
 */
import { randomBytes, createHash } from 'node:crypto'
import type { CID } from 'multiformats/cid'
import { hostname } from 'node:os'
import { sessionIdFromRandom } from '../../../protocols/session/session-id.js'
import { SESSION_KEY_BYTES } from '../../../protocols/session/constants.js'
import { manifestCid, manifestHash, type Manifest } from '../../../protocols/session/manifest.js'
import { toHex } from '../../../protocols/session/bytes.js'
import type { OpenHome } from '../home/home.js'
import { sessionKeyName } from '../home/keystore.js'
import { RECORDER_VERSION } from '../version.js'
import { prepareOutDir, writeChunk, writeManifest } from './sealed-dir.js'
import { sealStream, type ChunkSource, type SealProgress } from './seal-stream.js'
import { WorkerPool } from './worker-pool.js'

export interface SealRequest {
  input: AsyncIterable<Uint8Array> | ChunkSource
  /** The sealed directory to write (for `sealSession`); `sealSessionTo` takes a target instead. */
  outDir: string
  chunkSize?: number
  sessionId?: string
  owner?: string
  participants?: string[]
  policyHash?: Uint8Array
  onProgress?: (p: SealProgress) => void
  /** Called with the session key right after it is stored (e.g. to export it). */
  onKey?: (sessionId: string, key: Uint8Array) => Promise<void>
}

export interface SealSummary {
  sessionId: string
  merkleRoot: string
  manifestCid: string
  manifestHash: string
  chunkCount: number
  chunkSize: number
  plaintextSize: number
  storedBytes: number
  out: string
  seconds: number
}

/** Where sealed blobs go: a sealed directory, or the node's blockstore. The manifest is stored last. */
export interface SealTarget {
  prepare?: (sessionId: string) => Promise<void>
  putChunk: (index: number, blob: Uint8Array, cid: CID) => Promise<void>
  putManifest: (encoded: Uint8Array, cid: CID) => Promise<void>
  /** True when putChunk keeps no reference to a blob once it resolves, so blob buffers can be recycled. */
  releasesBlobs?: boolean
  /** Called when sealing fails after prepare (to remove partial output). */
  abort?: (sessionId: string) => Promise<void>
}

export interface SealResult { summary: SealSummary, manifest: Manifest, encodedManifest: Uint8Array }

export function dirTarget (outDir: string): SealTarget {
  return {
    prepare: async () => { await prepareOutDir(outDir) },
    putChunk: async (index, blob) => { await writeChunk(outDir, index, blob) },
    releasesBlobs: true,
    putManifest: async (encoded) => { await writeManifest(outDir, encoded) }
  }
}

export function deviceFingerprint (): string {
  return createHash('sha256').update(`lucid-device:${hostname()}`).digest('hex').slice(0, 32)
}

export async function sealSession (home: OpenHome, req: SealRequest): Promise<SealSummary> {
  return (await sealSessionTo(home, req, dirTarget(req.outDir))).summary
}

export async function sealSessionTo (home: OpenHome, req: Omit<SealRequest, 'outDir'> & { outDir?: string, pool?: WorkerPool }, target: SealTarget): Promise<SealResult> {
  const started = performance.now()
  const sessionId = req.sessionId ?? sessionIdFromRandom(new Uint8Array(randomBytes(16)))
  const keyName = sessionKeyName(sessionId)
  if (await home.keystore.has(keyName)) throw new Error(`session ID ${sessionId} was already used on this node; session IDs are single-use`)
  await target.prepare?.(sessionId)
  const sessionKey = new Uint8Array(randomBytes(SESSION_KEY_BYTES))
  await home.keystore.put(keyName, sessionKey)
  await req.onKey?.(sessionId, sessionKey)
  const pool = req.pool ?? new WorkerPool()
  try {
    const outcome = await sealStream(req.input, {
      params: {
        sessionId,
        sessionKey,
        chunkSize: req.chunkSize ?? home.config.seal.chunkSize,
        owner: req.owner ?? home.config.owner ?? home.identity.peerId,
        participants: req.participants ?? [],
        recorderVersion: RECORDER_VERSION,
        deviceFingerprint: deviceFingerprint(),
        policyHash: req.policyHash,
        startedAt: Date.now()
      },
      recorderSecretKey: home.identity.secretKey,
      pool,
      sink: target.putChunk,
      sinkReleasesBlobs: target.releasesBlobs,
      onProgress: req.onProgress
    })
    const cid = manifestCid(outcome.encodedManifest)
    await target.putManifest(outcome.encodedManifest, cid)
    const summary: SealSummary = {
      sessionId,
      merkleRoot: toHex(outcome.manifest.merkleRoot),
      manifestCid: cid.toString(),
      manifestHash: toHex(manifestHash(outcome.encodedManifest)),
      chunkCount: outcome.manifest.chunkCount,
      chunkSize: outcome.manifest.chunkSize,
      plaintextSize: outcome.plaintextSize,
      storedBytes: outcome.storedBytes,
      out: req.outDir ?? '',
      seconds: (performance.now() - started) / 1000
    }
    return { summary, manifest: outcome.manifest, encodedManifest: outcome.encodedManifest }
  } catch (err) {
    await target.abort?.(sessionId)
    throw err
  } finally {
    if (req.pool === undefined) await pool.close()
  }
}
