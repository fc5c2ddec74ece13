/**
 * The node's seal operation: a fresh single-use session ID and key (the key is in the keystore before the first
 * chunk is written, so no sealed byte is ever unrecoverable), chunks streamed through the worker pool into a sealed
 * directory, the signed manifest written last.
 */
import { randomBytes, createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { sessionIdFromRandom } from '../../../protocols/session/session-id.js'
import { SESSION_KEY_BYTES } from '../../../protocols/session/constants.js'
import { manifestCid, manifestHash } from '../../../protocols/session/manifest.js'
import { toHex } from '../../../protocols/session/bytes.js'
import type { OpenHome } from '../home/home.js'
import { sessionKeyName } from '../home/keystore.js'
import { RECORDER_VERSION } from '../version.js'
import { prepareOutDir, writeChunk, writeManifest } from './sealed-dir.js'
import { sealStream, type SealProgress } from './seal-stream.js'
import { WorkerPool } from './worker-pool.js'

export interface SealRequest {
  input: AsyncIterable<Uint8Array>
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

export function deviceFingerprint (): string {
  return createHash('sha256').update(`lucid-device:${hostname()}`).digest('hex').slice(0, 32)
}

export async function sealSession (home: OpenHome, req: SealRequest): Promise<SealSummary> {
  const started = performance.now()
  const sessionId = req.sessionId ?? sessionIdFromRandom(new Uint8Array(randomBytes(16)))
  const keyName = sessionKeyName(sessionId)
  if (await home.keystore.has(keyName)) throw new Error(`session ID ${sessionId} was already used on this node; session IDs are single-use`)
  await prepareOutDir(req.outDir)
  const sessionKey = new Uint8Array(randomBytes(SESSION_KEY_BYTES))
  await home.keystore.put(keyName, sessionKey)
  await req.onKey?.(sessionId, sessionKey)
  const pool = new WorkerPool()
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
      sink: async (index, blob) => { await writeChunk(req.outDir, index, blob) },
      onProgress: req.onProgress
    })
    await writeManifest(req.outDir, outcome.encodedManifest)
    return {
      sessionId,
      merkleRoot: toHex(outcome.manifest.merkleRoot),
      manifestCid: manifestCid(outcome.encodedManifest).toString(),
      manifestHash: toHex(manifestHash(outcome.encodedManifest)),
      chunkCount: outcome.manifest.chunkCount,
      chunkSize: outcome.manifest.chunkSize,
      plaintextSize: outcome.plaintextSize,
      storedBytes: outcome.storedBytes,
      out: req.outDir,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    await pool.close()
  }
}
