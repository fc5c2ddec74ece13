/**
 * Hashes used by PoOT. SHA-256 (node:crypto, OpenSSL) names blocks, mixes randomness and orders ties;
 * BLAKE3 (@noble/hashes, synchronous) is used only for the project's Merkle trees (storage challenges, payout batches).
 */
import { createHash } from 'node:crypto'
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js'
import { concatBytes } from './bytes.js'

export function sha256 (...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

export function blake3 (...parts: Uint8Array[]): Uint8Array {
  return nobleBlake3(parts.length === 1 ? parts[0] : concatBytes(...parts))
}
