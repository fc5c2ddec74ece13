/** Byte helpers and the fixed-width big-endian encodings used by every PoOT signing message. */
const encoder = new TextEncoder()

export function utf8 (text: string): Uint8Array {
  return encoder.encode(text)
}

export function u8 (value: number): Uint8Array {
  return Uint8Array.of(value & 0xff)
}

export function u32 (value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value >>> 0, false)
  return out
}

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

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) { out.set(p, offset); offset += p.length }
  return out
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

export function fromHex (hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not a hex string: '${hex.slice(0, 16)}'`)
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** The first 6 bytes of a digest as an integer in [0, 2^48): uniform enough to pick an index by modulo. */
export function uint48 (digest: Uint8Array, offset = 0): number {
  let v = 0
  for (let i = 0; i < 6; i++) v = v * 256 + digest[offset + i]
  return v
}
