/**
 * The session manifest: canonical dag-cbor, signed with the recording node's Ed25519 key.
 * Encoded form (manifest.cbor): dag-cbor map { manifest: Manifest, signature: bytes(64) }, where
 * signature = Ed25519(recorder key, "lucid/manifest/v1" ‖ 0x00 ‖ dag-cbor(manifest)).
 * Decoding is strict: canonical bytes only, known fields only, every field typed and bounded.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { CODEC, FORMAT_VERSION, MANIFEST_SIGNING_DOMAIN, MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, MAX_MANIFEST_BYTES, MIN_CHUNK_SIZE } from './constants.js'
import { concatBytes, equalBytes, utf8 } from './bytes.js'
import { SessionError } from './errors.js'
import { isSessionId } from './session-id.js'
import { checkChunkCid, sha256, SHA2_256 } from './cid.js'

export interface Manifest {
  version: number
  sessionId: string
  /** Who the recording belongs to (an account address or a peer ID); free text, at most 256 characters. */
  owner: string
  participants: string[]
  codec: string
  chunkSize: number
  chunkCount: number
  plaintextSize: number
  chunks: CID[]
  merkleRoot: Uint8Array
  /** The recording node's Ed25519 public key (its libp2p identity). */
  recorder: Uint8Array
  recorderVersion: string
  deviceFingerprint: string
  policyHash: Uint8Array
  /** Milliseconds since the Unix epoch. */
  startedAt: number
  endedAt: number
}

export interface SignedManifest {
  manifest: Manifest
  signature: Uint8Array
}

const FIELDS = ['version', 'sessionId', 'owner', 'participants', 'codec', 'chunkSize', 'chunkCount', 'plaintextSize',
  'chunks', 'merkleRoot', 'recorder', 'recorderVersion', 'deviceFingerprint', 'policyHash', 'startedAt', 'endedAt'] as const
export const DAG_CBOR_CODEC = 0x71

export function expectedChunkCount (plaintextSize: number, chunkSize: number): number {
  return plaintextSize === 0 ? 1 : Math.ceil(plaintextSize / chunkSize)
}

/** Plaintext length of chunk `index`: full chunks, then the remainder (0 for an empty recording). */
export function chunkPlaintextLength (m: Pick<Manifest, 'chunkSize' | 'chunkCount' | 'plaintextSize'>, index: number): number {
  return index < m.chunkCount - 1 ? m.chunkSize : m.plaintextSize - m.chunkSize * (m.chunkCount - 1)
}

export function checkChunkSize (size: number): number {
  if (!Number.isInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
    throw new SessionError('bad-chunk-size', `chunk size must be an integer between ${MIN_CHUNK_SIZE} (64 KiB) and ${MAX_CHUNK_SIZE} (16 MiB) bytes, got ${size}`)
  }
  return size
}

function fail (message: string): never {
  throw new SessionError('bad-manifest', `manifest: ${message}`)
}

function text (v: unknown, field: string, max: number, min = 0): string {
  if (typeof v !== 'string' || v.length < min || v.length > max) fail(`${field} must be a string of ${min}–${max} characters`)
  return v
}

function bytes (v: unknown, field: string, length: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) fail(`${field} must be ${length} bytes`)
  return v
}

function int (v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) fail(`${field} must be an integer in [${min}, ${max}]`)
  return v
}

/** Checks every field of an untrusted manifest object; returns it typed, or throws naming the first bad field. */
export function validateManifest (value: unknown): Manifest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('must be a map')
  const obj = value as Record<string, unknown>
  for (const key of Object.keys(obj)) if (!(FIELDS as readonly string[]).includes(key)) fail(`unknown field '${key.slice(0, 40)}'`)
  for (const key of FIELDS) if (!(key in obj)) fail(`missing field '${key}'`)
  if (obj.version !== FORMAT_VERSION) fail(`version must be ${FORMAT_VERSION}, got ${String(obj.version)}`)
  if (typeof obj.sessionId !== 'string' || !isSessionId(obj.sessionId)) fail('sessionId must be a lower-case UUIDv4')
  text(obj.owner, 'owner', 256, 1)
  if (!Array.isArray(obj.participants) || obj.participants.length > 256) fail('participants must be a list of at most 256 names')
  obj.participants.forEach((p, i) => text(p, `participants[${i}]`, 256, 1))
  if (obj.codec !== CODEC) fail(`codec must be '${CODEC}'`)
  const chunkSize = int(obj.chunkSize, 'chunkSize', MIN_CHUNK_SIZE, MAX_CHUNK_SIZE)
  const plaintextSize = int(obj.plaintextSize, 'plaintextSize', 0, MAX_CHUNK_SIZE * MAX_CHUNK_COUNT)
  const chunkCount = int(obj.chunkCount, 'chunkCount', 1, MAX_CHUNK_COUNT)
  if (chunkCount !== expectedChunkCount(plaintextSize, chunkSize)) fail(`chunkCount ${chunkCount} does not fit plaintextSize ${plaintextSize} at chunkSize ${chunkSize}`)
  if (!Array.isArray(obj.chunks) || obj.chunks.length !== chunkCount) fail(`chunks must list exactly chunkCount (${chunkCount}) CIDs`)
  obj.chunks.forEach((c, i) => {
    const cid = CID.asCID(c)
    if (cid === null) fail(`chunks[${i}] is not a CID`)
    try { checkChunkCid(cid) } catch (err) { fail(`chunks[${i}]: ${(err as Error).message}`) }
  })
  bytes(obj.merkleRoot, 'merkleRoot', 32)
  bytes(obj.recorder, 'recorder', 32)
  text(obj.recorderVersion, 'recorderVersion', 64)
  text(obj.deviceFingerprint, 'deviceFingerprint', 256)
  bytes(obj.policyHash, 'policyHash', 32)
  const startedAt = int(obj.startedAt, 'startedAt', 0, Number.MAX_SAFE_INTEGER)
  int(obj.endedAt, 'endedAt', startedAt, Number.MAX_SAFE_INTEGER)
  return obj as unknown as Manifest
}

function signingMessage (manifest: Manifest): Uint8Array {
  return concatBytes(utf8(MANIFEST_SIGNING_DOMAIN), Uint8Array.of(0), dagCbor.encode(manifest))
}

/** Signs with the recorder's 32-byte Ed25519 secret key, which must match `manifest.recorder`. */
export function signManifest (manifest: Manifest, secretKey: Uint8Array): Uint8Array {
  validateManifest(manifest)
  if (!equalBytes(ed25519.getPublicKey(secretKey), manifest.recorder)) {
    throw new SessionError('bad-signature', 'the signing key is not the manifest\'s recorder key')
  }
  return dagCbor.encode({ manifest, signature: ed25519.sign(signingMessage(manifest), secretKey) })
}

export function verifyManifestSignature ({ manifest, signature }: SignedManifest): boolean {
  try {
    return ed25519.verify(signature, signingMessage(manifest), manifest.recorder, { zip215: false })
  } catch {
    return false
  }
}

/** Decodes manifest.cbor bytes: size, canonical form, schema, then the signature against the embedded recorder key. */
export function decodeSignedManifest (encoded: Uint8Array): SignedManifest {
  if (encoded.length > MAX_MANIFEST_BYTES) fail(`${encoded.length} bytes is over the ${MAX_MANIFEST_BYTES}-byte limit`)
  let value: unknown
  try { value = dagCbor.decode(encoded) } catch (err) { fail(`not valid dag-cbor (${(err as Error).message})`) }
  if (!equalBytes(dagCbor.encode(value), encoded)) fail('not in canonical dag-cbor form')
  if (value === null || typeof value !== 'object') fail('envelope must be a map')
  const env = value as Record<string, unknown>
  const keys = Object.keys(env).sort()
  if (keys.length !== 2 || keys[0] !== 'manifest' || keys[1] !== 'signature') fail('envelope must have exactly the fields manifest and signature')
  const signed = { manifest: validateManifest(env.manifest), signature: bytes(env.signature, 'signature', 64) }
  if (!verifyManifestSignature(signed)) {
    throw new SessionError('bad-signature', 'manifest: the signature does not verify against the recorder key it names')
  }
  return signed
}

/** sha2-256 of manifest.cbor: the manifest's CID digest and the `manifestHash` anchored on chain. */
export function manifestHash (encoded: Uint8Array): Uint8Array {
  return sha256(encoded)
}

export function manifestCid (encoded: Uint8Array): CID {
  return CID.createV1(DAG_CBOR_CODEC, Digest.create(SHA2_256, manifestHash(encoded)))
}
