/** Parameter parsing for JSON-RPC handlers: every failure names the parameter (params[i] and its role). */
import { hexToBytes, createAddressFromString, type Address } from '@ethereumjs/util'
import { invalidParams } from './errors.js'

export type Params = readonly unknown[]

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i
const DATA = /^0x([0-9a-f]{2})*$/i
const ADDRESS = /^0x[0-9a-f]{40}$/i
const HASH = /^0x[0-9a-f]{64}$/i

export function expectCount (params: Params, min: number, max: number): void {
  if (params.length < min || params.length > max) {
    throw invalidParams(min === max ? `expected ${min} parameter(s), got ${params.length}` : `expected ${min} to ${max} parameters, got ${params.length}`)
  }
}

export function quantity (x: unknown, name: string): bigint {
  if (typeof x !== 'string' || !QUANTITY.test(x)) throw invalidParams(`${name}: expected a hex quantity (0x-prefixed, no leading zeros), got ${JSON.stringify(x)}`)
  if (x.length > 66) throw invalidParams(`${name}: quantity larger than 256 bits`)
  return BigInt(x)
}

/** A quantity some clients send as a JSON number: a whole, non-negative one, or a hex quantity. */
export function numberOrQuantity (x: unknown, name: string): bigint {
  if (typeof x !== 'number') return quantity(x, name)
  if (!Number.isSafeInteger(x) || x < 0) throw invalidParams(`${name}: expected a whole number from 0 or a hex quantity, got ${x}`)
  return BigInt(x)
}

export function data (x: unknown, name: string): Uint8Array {
  if (typeof x !== 'string' || !DATA.test(x)) throw invalidParams(`${name}: expected 0x-prefixed hex bytes, got ${JSON.stringify(x)?.slice(0, 80)}`)
  return hexToBytes(x as `0x${string}`)
}

export function address (x: unknown, name: string): Address {
  if (typeof x !== 'string' || !ADDRESS.test(x)) throw invalidParams(`${name}: expected a 20-byte hex address, got ${JSON.stringify(x)?.slice(0, 80)}`)
  return createAddressFromString(x.toLowerCase())
}

export function hash (x: unknown, name: string): Uint8Array {
  if (typeof x !== 'string' || !HASH.test(x)) throw invalidParams(`${name}: expected a 32-byte hex hash, got ${JSON.stringify(x)?.slice(0, 80)}`)
  return hexToBytes(x as `0x${string}`)
}

export function bool (x: unknown, name: string): boolean {
  if (typeof x !== 'boolean') throw invalidParams(`${name}: expected true or false, got ${JSON.stringify(x)}`)
  return x
}

export type BlockTag = { tag: 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized' } | { number: bigint } | { hash: Uint8Array }

/** A block tag, number, or EIP-1898 object `{ blockHash }` / `{ blockNumber }`; absent means latest. */
export function blockTag (x: unknown, name: string): BlockTag {
  if (x === undefined || x === null) return { tag: 'latest' }
  if (typeof x === 'string') {
    if (['latest', 'pending', 'earliest', 'safe', 'finalized'].includes(x)) return { tag: x as 'latest' }
    if (HASH.test(x)) return { hash: hexToBytes(x as `0x${string}`) }
    return { number: quantity(x, name) }
  }
  if (typeof x === 'object') {
    const o = x as Record<string, unknown>
    if (o.blockHash !== undefined) return { hash: hash(o.blockHash, `${name}.blockHash`) }
    if (o.blockNumber !== undefined) return blockTag(o.blockNumber, `${name}.blockNumber`)
  }
  throw invalidParams(`${name}: expected a block number, tag (latest, pending, earliest, safe, finalized) or block hash, got ${JSON.stringify(x)?.slice(0, 80)}`)
}

export function object (x: unknown, name: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw invalidParams(`${name}: expected an object`)
  return x as Record<string, unknown>
}
