/** Byte helpers and the fixed-width big-endian encodings used by every PoOT signing message. */
import { concatBytes, u32be } from '../session/bytes.js'

export { concatBytes, equalBytes, fromHex, toHex, utf8 } from '../session/bytes.js'

export function u8 (value: number): Uint8Array {
  return Uint8Array.of(value & 0xff)
}

export const u32 = u32be

/** An unsigned integer below 2^53 as 8 bytes big-endian (slots, milliseconds, byte counts). */
export function u64 (value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(value), false)
  return out
}

/** A non-negative bigint as 32 bytes big-endian (amounts, like an ABI uint256). */
export function u256 (value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('u256 out of range')
  const out = new Uint8Array(32)
  let v = value
  for (let i = 31; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n }
  return out
}

/** Length-prefixed (u32) bytes, so concatenated variable fields stay unambiguous. */
export function lp (bytes: Uint8Array): Uint8Array {
  return concatBytes(u32(bytes.length), bytes)
}

/** The first 6 bytes of a digest as an integer in [0, 2^48): uniform enough to pick an index by modulo. */
export function uint48 (digest: Uint8Array, offset = 0): number {
  let v = 0
  for (let i = 0; i < 6; i++) v = v * 256 + digest[offset + i]
  return v
}
