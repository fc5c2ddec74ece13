/**
 * ethereumjs' `DB` interface over a classic-level sublevel. Keys and values keep their type: a key is tagged
 * 'b' (bytes) or 's' (string), a value 0 (bytes), 1 (string) or 2 (JSON), so what comes back is what went in.
 */
import type { AbstractSublevel } from 'abstract-level'
import type { BatchDBOp, DB, DBObject, EncodingOpts } from '@ethereumjs/util'

export type Sublevel = AbstractSublevel<any, any, Uint8Array, Uint8Array>
export type Key = Uint8Array | string | number
export type Value = Uint8Array | string | DBObject

const enc = new TextEncoder()
const dec = new TextDecoder()

export function encodeKey (key: Key): Uint8Array {
  if (key instanceof Uint8Array) { const out = new Uint8Array(key.length + 1); out[0] = 0x62; out.set(key, 1); return out }
  return enc.encode('s' + String(key))
}

export function encodeValue (value: Value): Uint8Array {
  const [tag, body] = value instanceof Uint8Array ? [0, value] : typeof value === 'string' ? [1, enc.encode(value)] : [2, enc.encode(JSON.stringify(value))]
  const out = new Uint8Array(body.length + 1)
  out[0] = tag
  out.set(body, 1)
  return out
}

export function decodeValue (raw: Uint8Array): Value {
  const body = raw.subarray(1)
  if (raw[0] === 0) return body
  if (raw[0] === 1) return dec.decode(body)
  return JSON.parse(dec.decode(body)) as DBObject
}

export class LevelDB implements DB<Key, Value> {
  /**
   * `sliceOps`: a larger batch is written as consecutive batches of that many operations, each awaited (encoding
   * and handing ~6,000 trie nodes to LevelDB at a block's commit is one ~20 ms synchronous stretch). Only for
   * content-addressed data that needs no atomic batch: the state trie, whose nodes are referenced only once the
   * block that needs them is stored, after this batch has completed.
   */
  constructor (private readonly level: Sublevel, private readonly sliceOps = Infinity) {}
  async get (key: Key, _opts?: EncodingOpts): Promise<Value | undefined> {
    const raw = await this.level.get(encodeKey(key))
    return raw === undefined ? undefined : decodeValue(raw)
  }

  async put (key: Key, value: Value, _opts?: EncodingOpts): Promise<void> { await this.level.put(encodeKey(key), encodeValue(value)) }
  async del (key: Key, _opts?: EncodingOpts): Promise<void> { await this.level.del(encodeKey(key)) }
  async batch (ops: Array<BatchDBOp<Key, Value>>): Promise<void> {
    for (let i = 0; i < ops.length; i += this.sliceOps) {
      await this.level.batch(ops.slice(i, i + this.sliceOps).map((op) => op.type === 'put'
        ? { type: 'put' as const, key: encodeKey(op.key), value: encodeValue(op.value) }
        : { type: 'del' as const, key: encodeKey(op.key) }))
    }
  }

  shallowCopy (): DB<Key, Value> { return new LevelDB(this.level, this.sliceOps) }
  async open (): Promise<void> {}
}
