/**
 * Ed25519 verification as the protocols check signatures: strict RFC 8032 (@noble's `zip215: false`) by default.
 * Verification is injectable because it is the hot path of gossip validation: the node passes OpenSSL's through
 * node:crypto (node/src/state/ed25519-verify.ts), ~15× faster here, which accepts the same signatures.
 */
import { ed25519 } from '@noble/curves/ed25519.js'

export type VerifyFn = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean

export const nobleVerify: VerifyFn = (sig, msg, pub) => {
  try { return ed25519.verify(sig, msg, pub, { zip215: false }) } catch { return false }
}
