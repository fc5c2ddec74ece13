/**
 * Strict readers of decoded RLP fields for the chain's codecs (envelopes, task proofs): each failure goes to the
 * codec's own `fail`, which names the field and throws the codec's error class.
 */
import { bytesToBigInt } from '@ethereumjs/util'

export type Fail = (what: string) => never

export function rlpFields (fail: Fail) {
  const bytes = (x: unknown, what: string, length?: number): Uint8Array => {
    if (!(x instanceof Uint8Array)) fail(`${what} is not a byte string`)
    if (length !== undefined && x.length !== length) fail(`${what} is ${x.length} bytes, expected ${length}`)
    return x
  }
  const num = (x: unknown, what: string): number => {
    const b = bytes(x, what)
    if (b.length > 0 && b[0] === 0) fail(`${what} has leading zeros`)
    if (b.length > 7) fail(`${what} is too large`)
    const n = Number(bytesToBigInt(b))
    if (!Number.isSafeInteger(n)) fail(`${what} is too large`)
    return n
  }
  const list = (x: unknown, what: string, length?: number): unknown[] => {
    if (!Array.isArray(x)) fail(`${what} is not a list`)
    if (length !== undefined && x.length !== length) fail(`${what} has ${x.length} items, expected ${length}`)
    return x
  }
  return { bytes, num, list }
}
