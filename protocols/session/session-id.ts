import { SessionError } from './errors.js'
import { fromHex, toHex } from './bytes.js'

/** Session IDs are single-use UUIDv4s. On chain they are bytes32: the 16 UUID bytes followed by 16 zero bytes. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export function isSessionId (text: string): boolean {
  return UUID_V4.test(text)
}

export function parseSessionId (text: string): Uint8Array {
  const lower = text.toLowerCase()
  if (!isSessionId(lower)) throw new SessionError('bad-session-id', `session ID must be a UUIDv4 (like 3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f), got '${text}'`)
  return fromHex(lower.replace(/-/g, ''))
}

export function formatSessionId (bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new SessionError('bad-session-id', `session ID must be 16 bytes, got ${bytes.length}`)
  const h = toHex(bytes)
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  if (!isSessionId(id)) throw new SessionError('bad-session-id', `bytes are not a UUIDv4: ${h}`)
  return id
}

/** A new UUIDv4 from 16 injected random bytes. */
export function sessionIdFromRandom (random: Uint8Array): string {
  if (random.length !== 16) throw new SessionError('bad-session-id', 'a session ID needs 16 random bytes')
  const b = Uint8Array.from(random)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  return formatSessionId(b)
}

/** The on-chain form: `0x` + 16 UUID bytes + 16 zero bytes. */
export function sessionIdToBytes32 (id: string): string {
  return '0x' + toHex(parseSessionId(id)) + '00'.repeat(16)
}
