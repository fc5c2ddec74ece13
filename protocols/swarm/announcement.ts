/**
 * Session announcements on TOPIC_ANNOUNCE. Wire form: canonical dag-cbor { announcement, signature } where
 * signature = Ed25519(recorder key, "lucid/announce/v1" ‖ 0x00 ‖ dag-cbor(announcement)). The recorder key is the
 * one that signed the session's manifest, so a replica can check that the manifest it fetches matches.
 * Validation returns a reason instead of throwing, so the node can map it to a gossipsub verdict.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { ed25519 } from '@noble/curves/ed25519.js'
import { nobleVerify, type VerifyFn } from '../session/ed25519.js'
import { concatBytes, utf8 } from '../session/bytes.js'
import { isSessionId } from '../session/session-id.js'
import { MAX_CHUNK_COUNT, MAX_CHUNK_SIZE } from '../session/constants.js'
import { ANNOUNCE_SIGNING_DOMAIN, MAX_ADDRS, MAX_ADDR_LENGTH, MAX_ANNOUNCEMENT_BYTES, MAX_CLOCK_SKEW_MS, SWARM_VERSION } from './constants.js'
import { asMap, bytes, decodeCanonical, FieldError, int, list, text } from './codec.js'

export const DAG_CBOR = 0x71
const MAX_STORED = (MAX_CHUNK_SIZE + 4096) * MAX_CHUNK_COUNT

export interface Announcement {
  v: number
  sessionId: string
  /** CID of the signed manifest block (dag-cbor, sha2-256). */
  manifest: CID
  merkleRoot: Uint8Array
  chunkCount: number
  /** Sum of the chunk blob sizes plus the manifest size. */
  storedBytes: number
  /** The recorder's Ed25519 public key (32 bytes). */
  recorder: Uint8Array
  /** Peer ID of the node that holds the session first. */
  origin: string
  /** Multiaddrs where the origin can be dialled. */
  addrs: string[]
  /** Milliseconds since the Unix epoch, by the origin's clock. */
  issuedAt: number
}

export interface SignedAnnouncement { announcement: Announcement, signature: Uint8Array }

const FIELDS = ['v', 'sessionId', 'manifest', 'merkleRoot', 'chunkCount', 'storedBytes', 'recorder', 'origin', 'addrs', 'issuedAt'] as const

export type RejectReason = 'oversize' | 'bad-encoding' | 'bad-schema' | 'bad-signature' | 'from-the-future'

export type Verdict<T> = { ok: true, value: T } | { ok: false, reason: RejectReason, detail: string }

function signingMessage (a: Announcement): Uint8Array {
  return concatBytes(utf8(ANNOUNCE_SIGNING_DOMAIN), Uint8Array.of(0), dagCbor.encode(a))
}

function checkSchema (value: unknown): Announcement {
  const o = asMap(value, 'announcement', FIELDS)
  if (o.v !== SWARM_VERSION) throw new FieldError(`v must be ${SWARM_VERSION}`)
  if (typeof o.sessionId !== 'string' || !isSessionId(o.sessionId)) throw new FieldError('sessionId must be a lower-case UUIDv4')
  const cid = CID.asCID(o.manifest)
  if (cid === null || cid.version !== 1 || cid.code !== DAG_CBOR || cid.multihash.code !== 0x12 || cid.multihash.digest.length !== 32) {
    throw new FieldError('manifest must be a CIDv1 dag-cbor sha2-256')
  }
  bytes(o.merkleRoot, 'merkleRoot', 32)
  int(o.chunkCount, 'chunkCount', 1, MAX_CHUNK_COUNT)
  int(o.storedBytes, 'storedBytes', 0, MAX_STORED)
  bytes(o.recorder, 'recorder', 32)
  text(o.origin, 'origin', 128, 1)
  list(o.addrs, 'addrs', MAX_ADDRS, (x, n) => text(x, n, MAX_ADDR_LENGTH, 1))
  int(o.issuedAt, 'issuedAt', 0, Number.MAX_SAFE_INTEGER)
  return o as unknown as Announcement
}

/** Builds and signs an announcement with the recorder's 32-byte Ed25519 secret key. */
export function encodeAnnouncement (a: Announcement, secretKey: Uint8Array): Uint8Array {
  const checked = checkSchema(a)
  const encoded = dagCbor.encode({ announcement: checked, signature: ed25519.sign(signingMessage(checked), secretKey) })
  if (encoded.length > MAX_ANNOUNCEMENT_BYTES) throw new FieldError(`announcement is ${encoded.length} bytes, over ${MAX_ANNOUNCEMENT_BYTES}`)
  return encoded
}

/** Size, canonical encoding, schema, signature and clock, in that order; `now` is the receiver's clock. */
export function decodeAnnouncement (data: Uint8Array, now: number, verify: VerifyFn = nobleVerify): Verdict<SignedAnnouncement> {
  if (data.length > MAX_ANNOUNCEMENT_BYTES) return { ok: false, reason: 'oversize', detail: `${data.length} bytes is over the ${MAX_ANNOUNCEMENT_BYTES}-byte limit` }
  let value: unknown
  try { value = decodeCanonical(data) } catch (err) { return { ok: false, reason: 'bad-encoding', detail: (err as Error).message } }
  let signed: SignedAnnouncement
  try {
    const env = asMap(value, 'envelope', ['announcement', 'signature'])
    signed = { announcement: checkSchema(env.announcement), signature: bytes(env.signature, 'signature', 64) }
  } catch (err) {
    return { ok: false, reason: 'bad-schema', detail: (err as Error).message }
  }
  let good = false
  try { good = verify(signed.signature, signingMessage(signed.announcement), signed.announcement.recorder) } catch { good = false }
  if (!good) return { ok: false, reason: 'bad-signature', detail: 'the signature does not verify against the recorder key' }
  if (signed.announcement.issuedAt > now + MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: 'from-the-future', detail: `issuedAt is ${signed.announcement.issuedAt - now} ms ahead of this node's clock` }
  }
  return { ok: true, value: signed }
}

export type SingleUse = 'new' | 'duplicate' | 'conflict'

/** Session IDs are single use: the same ID with the same manifest is a duplicate, with another one a conflict. */
export function checkSingleUse (knownManifest: string | undefined, a: Announcement): SingleUse {
  if (knownManifest === undefined) return 'new'
  return knownManifest === a.manifest.toString() ? 'duplicate' : 'conflict'
}
