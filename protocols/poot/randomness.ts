/**
 * RANDAO-style randomness. Each block carries a reveal: an Ed25519 signature by one member of the proposing entity
 * over the slot number. Ed25519 signatures are deterministic, so a single node cannot choose its reveal; it can only
 * withhold its block (forfeiting the slot), the usual one-bit bias of RANDAO. A pool may pick which member reveals,
 * at most log2(members) bits. mix(block) = SHA-256(mix(parent) ‖ SHA-256(reveal)); the seed of a slot mixes the
 * parent's mix with the slot number, so every skipped slot still gets fresh, checkable randomness.
 */
import { sha256 } from './hash.js'
import { concatBytes, u64, utf8 } from './bytes.js'

const REVEAL = utf8('lucid/poot/v1/randao')
const SEED = utf8('lucid/poot/v1/seed')

export function revealMessage (slot: number): Uint8Array {
  return concatBytes(REVEAL, u64(slot))
}

export function nextMix (parentMix: Uint8Array, reveal: Uint8Array): Uint8Array {
  return sha256(parentMix, sha256(reveal))
}

export function slotSeed (parentMix: Uint8Array, slot: number): Uint8Array {
  return sha256(SEED, parentMix, u64(slot))
}
