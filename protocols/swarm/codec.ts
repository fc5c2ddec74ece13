/** Canonical dag-cbor helpers shared by the swarm messages: strict decode (canonical bytes only) and field checks. */
import * as dagCbor from '@ipld/dag-cbor'
import { equalBytes } from '../session/bytes.js'

export class FieldError extends Error {}

export function decodeCanonical (bytes: Uint8Array): unknown {
  let value: unknown
  try { value = dagCbor.decode(bytes) } catch (err) { throw new FieldError(`not valid dag-cbor (${(err as Error).message})`) }
  if (!equalBytes(dagCbor.encode(value), bytes)) throw new FieldError('not in canonical dag-cbor form')
  return value
}

export function asMap (value: unknown, what: string, fields: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) throw new FieldError(`${what} must be a map`)
  const obj = value as Record<string, unknown>
  for (const key of Object.keys(obj)) if (!fields.includes(key)) throw new FieldError(`${what}: unknown field '${key.slice(0, 40)}'`)
  for (const key of fields) if (!(key in obj)) throw new FieldError(`${what}: missing field '${key}'`)
  return obj
}

export function text (v: unknown, field: string, max: number, min = 0): string {
  if (typeof v !== 'string' || v.length < min || v.length > max) throw new FieldError(`${field} must be a string of ${min}–${max} characters`)
  return v
}

export function bytes (v: unknown, field: string, length: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) throw new FieldError(`${field} must be ${length} bytes`)
  return v
}

export function int (v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new FieldError(`${field} must be an integer in [${min}, ${max}]`)
  return v
}

export function list<T> (v: unknown, field: string, max: number, item: (x: unknown, name: string) => T): T[] {
  if (!Array.isArray(v) || v.length > max) throw new FieldError(`${field} must be a list of at most ${max} items`)
  return v.map((x, i) => item(x, `${field}[${i}]`))
}
