/** Ed25519 verification through OpenSSL (node:crypto), ~20× faster than pure JS; strict RFC 8032 like @noble's zip215: false. */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { VerifyFn } from '../../../protocols/session/ed25519.js'

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map<string, KeyObject>()

export const opensslVerify: VerifyFn = (signature, message, publicKey) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  const id = Buffer.from(publicKey).toString('hex')
  let key = keys.get(id)
  if (key === undefined) {
    try { key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }) } catch { return false }
    if (keys.size > 10_000) keys.clear()
    keys.set(id, key)
  }
  try { return verify(null, message, key, signature) } catch { return false }
}
