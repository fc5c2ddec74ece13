/** Per-chunk keys: HKDF with BLAKE2b-512, ikm = session key, salt = session ID (16 bytes), info = "lucid/chunk/v1" ‖ index (u32 BE). */
import { hkdf } from '@noble/hashes/hkdf.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { CHUNK_KEY_INFO, SESSION_KEY_BYTES } from './constants.js'
import { concatBytes, u32be, utf8 } from './bytes.js'
import { SessionError } from './errors.js'

const INFO = utf8(CHUNK_KEY_INFO)

export function chunkKey (sessionKey: Uint8Array, sessionId: Uint8Array, index: number): Uint8Array {
  if (sessionKey.length !== SESSION_KEY_BYTES) throw new SessionError('bad-input', `session key must be ${SESSION_KEY_BYTES} bytes, got ${sessionKey.length}`)
  if (sessionId.length !== 16) throw new SessionError('bad-session-id', `session ID must be 16 bytes, got ${sessionId.length}`)
  return hkdf(blake2b, sessionKey, sessionId, concatBytes(INFO, u32be(index)), 32)
}
