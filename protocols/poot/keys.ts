/**
 * Ed25519 node keys through node:crypto (OpenSSL; several times faster than a pure-JS curve). A node's id is its
 * 32-byte public key in hex, the same key that is its libp2p identity. Key generation takes a seed: randomness
 * is the caller's business.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { concatBytes, fromHex, toHex } from './bytes.js'

const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

export type NodeId = string

export interface NodeKey {
  readonly id: NodeId
  readonly publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

export function nodeKeyFromSeed (seed: Uint8Array): NodeKey {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes')
  const privateKey = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length))
  return {
    id: toHex(publicKey),
    publicKey,
    sign: (message) => new Uint8Array(cryptoSign(null, message, privateKey))
  }
}

// Parsed public keys are memoised: parsing costs about as much as a verification.
const publicKeys = new Map<NodeId, KeyObject | null>()

function publicKeyOf (id: NodeId): KeyObject | null {
  let key = publicKeys.get(id)
  if (key === undefined) {
    try {
      key = /^[0-9a-f]{64}$/.test(id) ? createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, fromHex(id))), format: 'der', type: 'spki' }) : null
    } catch { key = null }
    if (publicKeys.size > 100_000) publicKeys.clear()
    publicKeys.set(id, key)
  }
  return key
}

export function verifySignature (signer: NodeId, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false
  const key = publicKeyOf(signer)
  if (key === null) return false
  try { return cryptoVerify(null, message, key, signature) } catch { return false }
}
