// TRON addresses: 21 bytes (0x41 ‖ the 20-byte EVM account) shown as base58check ("T…": payload ‖ the first 4 bytes
// of SHA-256(SHA-256(payload))). The ABI, EIP-712 and ecrecover use the 20 bytes without 0x41.
import { createHash } from 'node:crypto'
import { ethers } from 'ethers'

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
export const TRON_PREFIX = 0x41

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

export function base58Encode (bytes: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'))
  let out = ''
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n }
  for (const b of bytes) { if (b !== 0) break; out = '1' + out }
  return out
}

export function base58Decode (text: string): Uint8Array {
  let n = 0n
  for (const c of text) {
    const v = ALPHABET.indexOf(c)
    if (v < 0) throw new Error(`not base58: character '${c}'`)
    n = n * 58n + BigInt(v)
  }
  let hex = n === 0n ? '' : n.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  const zeros = text.length - text.replace(/^1+/, '').length
  return Uint8Array.from([...new Uint8Array(zeros), ...Buffer.from(hex, 'hex')])
}

export function base58CheckEncode (payload: Uint8Array): string {
  return base58Encode(Uint8Array.from([...payload, ...sha256(sha256(payload)).subarray(0, 4)]))
}

export function base58CheckDecode (text: string): Uint8Array {
  const all = base58Decode(text)
  if (all.length < 5) throw new Error(`not a base58check string: '${text}' is too short`)
  const payload = all.subarray(0, all.length - 4)
  const check = sha256(sha256(payload)).subarray(0, 4)
  if (!Buffer.from(check).equals(Buffer.from(all.subarray(all.length - 4)))) throw new Error(`bad base58check checksum in '${text}'`)
  return payload
}

/** '41' + 40 hex (TRON's hex form) → 'T…'. */
export function hexToBase58 (hex: string): string {
  const h = hex.replace(/^0x/, '').toLowerCase()
  if (!/^41[0-9a-f]{40}$/.test(h)) throw new Error(`not a TRON hex address (41 + 20 bytes): '${hex}'`)
  return base58CheckEncode(Buffer.from(h, 'hex'))
}

/** 'T…' → '41' + 40 hex. */
export function base58ToHex (address: string): string {
  const payload = base58CheckDecode(address)
  if (payload.length !== 21 || payload[0] !== TRON_PREFIX) throw new Error(`not a TRON address (21 bytes starting 0x41): '${address}'`)
  return Buffer.from(payload).toString('hex')
}

export function isTronAddress (address: string): boolean {
  try { base58ToHex(address); return true } catch { return false }
}

/** 'T…' or '41…' → the 20-byte EVM form, 0x-prefixed, lowercase. */
export function toEvmAddress (address: string): string {
  const hex = address.startsWith('T') ? base58ToHex(address) : address.replace(/^0x/, '').toLowerCase()
  if (/^41[0-9a-f]{40}$/.test(hex)) return '0x' + hex.slice(2)
  if (/^[0-9a-f]{40}$/.test(hex)) return '0x' + hex
  throw new Error(`not an address: '${address}'`)
}

/** A 20-byte EVM address → 'T…'. */
export function fromEvmAddress (address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`not a 20-byte address: '${address}'`)
  return hexToBase58('41' + address.slice(2).toLowerCase())
}

/** secp256k1 private key (32 bytes hex) → its 'T…' address (keccak of the public key, as on Ethereum, with 0x41). */
export function privateKeyToTronAddress (privateKey: string): string {
  const key = privateKey.startsWith('0x') ? privateKey : '0x' + privateKey
  return fromEvmAddress(ethers.computeAddress(key))
}
