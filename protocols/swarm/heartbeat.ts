/**
 * Heartbeats on TOPIC_HEARTBEAT: canonical dag-cbor { v, at, addrs, held }. They carry no signature of their own:
 * gossipsub's StrictSign policy signs every message with the sender's peer key, so the sender is the message's `from`.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { isSessionId } from '../session/session-id.js'
import { MAX_ADDRS, MAX_ADDR_LENGTH, MAX_HEARTBEAT_BYTES, MAX_HEARTBEAT_SESSIONS, SWARM_VERSION } from './constants.js'
import { asMap, decodeCanonical, FieldError, int, list, text } from './codec.js'
import type { Verdict } from './announcement.js'

export interface Heartbeat {
  v: number
  at: number
  addrs: string[]
  /** Session IDs this node holds (pinned and verified), sorted. */
  held: string[]
}

function checkSchema (value: unknown): Heartbeat {
  const o = asMap(value, 'heartbeat', ['v', 'at', 'addrs', 'held'])
  if (o.v !== SWARM_VERSION) throw new FieldError(`v must be ${SWARM_VERSION}`)
  int(o.at, 'at', 0, Number.MAX_SAFE_INTEGER)
  list(o.addrs, 'addrs', MAX_ADDRS, (x, n) => text(x, n, MAX_ADDR_LENGTH, 1))
  list(o.held, 'held', MAX_HEARTBEAT_SESSIONS, (x, n) => {
    if (typeof x !== 'string' || !isSessionId(x)) throw new FieldError(`${n} must be a session ID`)
    return x
  })
  return o as unknown as Heartbeat
}

export function encodeHeartbeat (h: Heartbeat): Uint8Array {
  const held = [...h.held].sort().slice(0, MAX_HEARTBEAT_SESSIONS)
  const encoded = dagCbor.encode(checkSchema({ v: h.v, at: h.at, addrs: h.addrs.slice(0, MAX_ADDRS), held }))
  return encoded
}

export function decodeHeartbeat (data: Uint8Array): Verdict<Heartbeat> {
  if (data.length > MAX_HEARTBEAT_BYTES) return { ok: false, reason: 'oversize', detail: `${data.length} bytes is over the ${MAX_HEARTBEAT_BYTES}-byte limit` }
  let value: unknown
  try { value = decodeCanonical(data) } catch (err) { return { ok: false, reason: 'bad-encoding', detail: (err as Error).message } }
  try { return { ok: true, value: checkSchema(value) } } catch (err) { return { ok: false, reason: 'bad-schema', detail: (err as Error).message } }
}
