/**
 * Assembles a session's manifest as its chunk blobs are produced (in index order), so a streaming sealer never holds
 * more than the CID and leaf hash of each chunk. Pure: blobs come in, the signed manifest bytes come out.
 */
import type { CID } from 'multiformats/cid'
import { ed25519 } from '@noble/curves/ed25519.js'
import { blobCid } from './cid.js'
import { leafHash, merkleRoot } from './merkle.js'
import { CODEC, DEFAULT_CHUNK_SIZE, FORMAT_VERSION, MAX_CHUNK_COUNT } from './constants.js'
import { checkChunkSize, expectedChunkCount, signManifest, type Manifest } from './manifest.js'
import { chunkKey } from './chunk-key.js'
import { sealChunk } from './chunk.js'
import { parseSessionId } from './session-id.js'
import { SessionError } from './errors.js'

export interface SessionParams {
  sessionId: string
  sessionKey: Uint8Array
  chunkSize?: number
  owner: string
  participants?: string[]
  recorderVersion: string
  deviceFingerprint?: string
  policyHash?: Uint8Array
  startedAt: number
}

export class ManifestBuilder {
  readonly chunkSize: number
  readonly sessionIdBytes: Uint8Array
  private readonly cids: CID[] = []
  private readonly leaves: Uint8Array[] = []

  constructor (readonly params: SessionParams) {
    this.chunkSize = checkChunkSize(params.chunkSize ?? DEFAULT_CHUNK_SIZE)
    this.sessionIdBytes = parseSessionId(params.sessionId)
  }

  get count (): number {
    return this.cids.length
  }

  /** Seals plaintext chunk `index` (pure; the nonce is injected). Safe to call out of order or on another thread. */
  sealChunk (index: number, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
    return sealChunk({ chunkKey: chunkKey(this.params.sessionKey, this.sessionIdBytes, index), sessionId: this.sessionIdBytes, index, plaintext, nonce })
  }

  /** Records the next blob; blobs must arrive in index order. */
  add (blob: Uint8Array, cid: CID = blobCid(blob), leaf: Uint8Array = leafHash(blob)): { index: number, cid: CID } {
    if (this.cids.length >= MAX_CHUNK_COUNT) throw new SessionError('bad-input', `a session holds at most ${MAX_CHUNK_COUNT} chunks`)
    this.cids.push(cid)
    this.leaves.push(leaf)
    return { index: this.cids.length - 1, cid }
  }

  /** Builds and signs the manifest. `recorderSecretKey` is the node's 32-byte Ed25519 secret key. */
  finish (plaintextSize: number, endedAt: number, recorderSecretKey: Uint8Array): { manifest: Manifest, encoded: Uint8Array } {
    const chunkCount = expectedChunkCount(plaintextSize, this.chunkSize)
    if (chunkCount !== this.cids.length) {
      throw new SessionError('bad-input', `${this.cids.length} chunks were sealed but ${plaintextSize} bytes need ${chunkCount}`)
    }
    const p = this.params
    const manifest: Manifest = {
      version: FORMAT_VERSION,
      sessionId: p.sessionId.toLowerCase(),
      owner: p.owner,
      participants: p.participants ?? [],
      codec: CODEC,
      chunkSize: this.chunkSize,
      chunkCount,
      plaintextSize,
      chunks: this.cids,
      merkleRoot: merkleRoot(this.leaves),
      recorder: ed25519.getPublicKey(recorderSecretKey),
      recorderVersion: p.recorderVersion,
      deviceFingerprint: p.deviceFingerprint ?? '',
      policyHash: p.policyHash ?? new Uint8Array(32),
      startedAt: p.startedAt,
      endedAt: Math.max(endedAt, p.startedAt)
    }
    return { manifest, encoded: signManifest(manifest, recorderSecretKey) }
  }
}
