/**
 * Ed25519 verification through OpenSSL (node:crypto), ~15× faster than pure JS, for the swarm's and the CRDT's
 * injectable checks: the same verifier (and public-key cache) PoOT uses for node keys (protocols/poot/keys.ts).
 */
import type { VerifyFn } from '../../../protocols/session/ed25519.js'
import { verifySignature } from '../../../protocols/poot/keys.js'

export const opensslVerify: VerifyFn = (signature, message, publicKey) =>
  publicKey.length === 32 && verifySignature(Buffer.from(publicKey).toString('hex'), message, signature)
