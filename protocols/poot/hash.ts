/**
 * Hashes used by PoOT. SHA-256 (node:crypto, OpenSSL) names blocks, mixes randomness and orders ties;
 * BLAKE3 (protocols/session's: native where it loads) is used only for the Merkle trees (challenges, payout batches).
 */
import { createHash } from 'node:crypto'
import { blake3 as sessionBlake3 } from '../session/blake3.js'

export function sha256 (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

export function blake3 (...parts: Uint8Array[]): Uint8Array {
  return sessionBlake3.hash(...parts)
}
