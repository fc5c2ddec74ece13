/**
 * Signed envelopes: the only form in which a Yjs update travels or is stored. Each one carries its author's Ed25519
 * public key, the author's sequence number (1, 2, 3, … with no gaps), the update, and a signature over a
 * domain-separated hash of all three. Wire form (lib0 encoding):
 *
 *   varUint version (= 1) ‖ varUint8Array author (32) ‖ varUint seq ‖ varUint8Array update ‖ signature (64)
 *   signature = Ed25519(author key, sha256("lucid/state/v1" ‖ 0x00 ‖ author ‖ u64be(seq) ‖ sha256(update)))
 *
 * Decoding is strict: the bytes must be exactly the encoding of what they decode to (no trailing bytes, minimal
 * varints), so an envelope has one byte form and its hash identifies it.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { ed25519 } from '@noble/curves/ed25519.js'
import { nobleVerify, type VerifyFn } from '../protocols/session/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { MAX_ENVELOPE_BYTES, MAX_UPDATE_BYTES, STATE_SIGNING_DOMAIN, STATE_VERSION } from './constants.js'
import { equalBytes } from './bytes.js'

export interface Envelope {
  author: Uint8Array
  seq: number
  update: Uint8Array
  signature: Uint8Array
}

/** A decoded, signature-checked envelope with its byte form and its author's peer ID. */
export interface VerifiedEnvelope extends Envelope { bytes: Uint8Array, authorId: string }

export type EnvelopeReject = 'oversize' | 'bad-encoding' | 'bad-signature'
export type EnvelopeVerdict = { ok: true, value: VerifiedEnvelope } | { ok: false, reason: EnvelopeReject, detail: string }

export { nobleVerify, type VerifyFn }

const DOMAIN = new TextEncoder().encode(STATE_SIGNING_DOMAIN)

export function signingHash (author: Uint8Array, seq: number, update: Uint8Array): Uint8Array {
  const seqBytes = new Uint8Array(8)
  new DataView(seqBytes.buffer).setBigUint64(0, BigInt(seq))
  const h = sha256.create()
  h.update(DOMAIN); h.update(Uint8Array.of(0)); h.update(author); h.update(seqBytes); h.update(sha256(update))
  return h.digest()
}

export function peerIdOf (publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString()
}

/** The wire form of an envelope (no checks: sealEnvelope signs, openEnvelope checks). */
export function encodeEnvelope (e: Envelope): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, STATE_VERSION)
  encoding.writeVarUint8Array(enc, e.author)
  encoding.writeVarUint(enc, e.seq)
  encoding.writeVarUint8Array(enc, e.update)
  encoding.writeUint8Array(enc, e.signature)
  return encoding.toUint8Array(enc)
}

/** Signs an update as `seq` of the author whose 32-byte secret key is given. */
export function sealEnvelope (update: Uint8Array, seq: number, secretKey: Uint8Array, publicKey: Uint8Array = ed25519.getPublicKey(secretKey)): VerifiedEnvelope {
  if (update.length > MAX_UPDATE_BYTES) throw new RangeError(`update is ${update.length} bytes, over the ${MAX_UPDATE_BYTES}-byte limit`)
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError('seq must be a positive integer')
  const signature = ed25519.sign(signingHash(publicKey, seq, update), secretKey)
  const e = { author: publicKey, seq, update, signature }
  return { ...e, bytes: encodeEnvelope(e), authorId: peerIdOf(publicKey) }
}

/** Size, strict encoding, then signature; returns a reason instead of throwing. */
export function openEnvelope (bytes: Uint8Array, verify: VerifyFn = nobleVerify): EnvelopeVerdict {
  if (bytes.length > MAX_ENVELOPE_BYTES) return { ok: false, reason: 'oversize', detail: `${bytes.length} bytes is over the ${MAX_ENVELOPE_BYTES}-byte limit` }
  let e: Envelope
  try {
    const dec = decoding.createDecoder(bytes)
    const version = decoding.readVarUint(dec)
    if (version !== STATE_VERSION) throw new Error(`unknown envelope version ${version}`)
    const author = decoding.readVarUint8Array(dec)
    const seq = decoding.readVarUint(dec)
    const update = decoding.readVarUint8Array(dec)
    const signature = decoding.readUint8Array(dec, 64)
    if (decoding.hasContent(dec)) throw new Error('trailing bytes')
    if (author.length !== 32) throw new Error('author must be a 32-byte Ed25519 public key')
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error('seq must be a positive integer')
    if (update.length > MAX_UPDATE_BYTES) return { ok: false, reason: 'oversize', detail: `update of ${update.length} bytes is over the ${MAX_UPDATE_BYTES}-byte limit` }
    e = { author, seq, update, signature }
    if (!equalBytes(encodeEnvelope(e), bytes)) throw new Error('not in canonical form')
  } catch (err) {
    return { ok: false, reason: 'bad-encoding', detail: (err as Error).message }
  }
  if (!verify(e.signature, signingHash(e.author, e.seq, e.update), e.author)) {
    return { ok: false, reason: 'bad-signature', detail: 'the signature does not verify against the author key' }
  }
  let authorId: string
  try { authorId = peerIdOf(e.author) } catch (err) { return { ok: false, reason: 'bad-encoding', detail: (err as Error).message } }
  return { ok: true, value: { ...e, bytes, authorId } }
}
