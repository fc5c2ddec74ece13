/**
 * Deterministic randomness for the harness: a seeded sequential generator (mulberry32) and a stateless hash of
 * integers, so draws that must not depend on the order of events (a message's delay to one receiver) stay fixed.
 */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit hash of a few integers (murmur3 finaliser per word). */
export function hash32 (...values: number[]): number {
  let h = 0x9e3779b9
  for (const v of values) {
    let k = Math.imul(v | 0, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Uniform in [0, 1) from hash32. */
export function unit (...values: number[]): number {
  return hash32(...values) / 4294967296
}

/** 32 bytes from a seed and an index (node keys, chunk contents). */
export function seedBytes (seed: number, index: number, salt: number): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) new DataView(out.buffer).setUint32(i * 4, hash32(seed, index, salt, i), false)
  return out
}
