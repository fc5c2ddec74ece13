/**
 * Whole sessions in memory: seal a byte array, and open one back. For small recordings, tests and tools; the node
 * streams large ones through the same ManifestBuilder and chunk functions (node/src/seal/).
 */
import { ManifestBuilder, type SessionParams } from './builder.js'
import { chunkKey } from './chunk-key.js'
import { openChunk } from './chunk.js'
import { NONCE_BYTES } from './constants.js'
import { SessionError } from './errors.js'
import { chunkPlaintextLength, decodeSignedManifest, type Manifest } from './manifest.js'
import { parseSessionId } from './session-id.js'
import { SessionVerifier } from './verify.js'

export interface SealedSession {
  manifest: Manifest
  encodedManifest: Uint8Array
  blobs: Uint8Array[]
}

export function sealBytes (data: Uint8Array, params: SessionParams, recorderSecretKey: Uint8Array,
  random: (n: number) => Uint8Array, endedAt = params.startedAt): SealedSession {
  const builder = new ManifestBuilder(params)
  const blobs: Uint8Array[] = []
  let index = 0
  for (let offset = 0; offset < data.length || index === 0; offset += builder.chunkSize, index++) {
    const blob = builder.sealChunk(index, data.subarray(offset, offset + builder.chunkSize), random(NONCE_BYTES))
    builder.add(blob)
    blobs.push(blob)
  }
  const { manifest, encoded } = builder.finish(data.length, endedAt, recorderSecretKey)
  return { manifest, encodedManifest: encoded, blobs }
}

/** Verifies everything, then decrypts; throws a SessionError naming the first chunk and check that failed. */
export function openBytes (encodedManifest: Uint8Array, blobs: ReadonlyArray<Uint8Array | undefined>, sessionKey: Uint8Array): Uint8Array {
  const { manifest } = decodeSignedManifest(encodedManifest)
  const verifier = new SessionVerifier(manifest)
  for (let i = 0; i < manifest.chunkCount; i++) verifier.check(i, blobs[i])
  for (let i = manifest.chunkCount; i < blobs.length; i++) verifier.extraBlob(`#${i}`)
  const report = verifier.finish()
  if (!report.ok) {
    const bad = report.chunks.find((c) => !c.ok)
    if (bad !== undefined) throw new SessionError(bad.code ?? 'cid-mismatch', bad.error ?? `chunk ${bad.index}: failed`, bad.index)
    throw new SessionError(blobs.length > manifest.chunkCount ? 'extra-chunk' : 'merkle-mismatch', report.errors[0])
  }
  const sessionId = parseSessionId(manifest.sessionId)
  const out = new Uint8Array(manifest.plaintextSize)
  let offset = 0
  for (let i = 0; i < manifest.chunkCount; i++) {
    const plain = openChunk({ chunkKey: chunkKey(sessionKey, sessionId, i), sessionId, index: i, blob: blobs[i] as Uint8Array, plaintextLength: chunkPlaintextLength(manifest, i) })
    out.set(plain, offset)
    offset += plain.length
  }
  return out
}
