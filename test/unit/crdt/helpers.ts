import { Y } from '../../../crdt/index.js'
import { mulberry32 } from '../../../protocols/poot/harness/prng.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { opensslVerify } from '../../../node/src/state/ed25519-verify.js'
import { SwarmState, sealEnvelope, peerIdOf, encodeEnvelope, type VerifiedEnvelope } from '../../../crdt/index.js'

/** Deterministic 32-bit generator: the harness's mulberry32, scaled to unsigned 32-bit integers. */
export function rng (seed: number): () => number {
  const next = mulberry32(seed)
  return () => Math.floor(next() * 4294967296)
}

export function keyOf (n: number): Uint8Array {
  const k = new Uint8Array(32)
  new DataView(k.buffer).setUint32(0, n + 1)
  k[31] = 7
  return k
}

export function node (n: number): SwarmState {
  return new SwarmState({ secretKey: keyOf(n), random: rng(1000 + n), verify: opensslVerify })
}

export const peerOf = (n: number): string => peerIdOf(ed25519.getPublicKey(keyOf(n)))

export function sid (n: number): string {
  const h = n.toString(16).padStart(12, '0')
  return `00000000-0000-4000-8000-${h}`
}

export function cid (n: number): string {
  return 'bafkrei' + n.toString(32).padStart(52, 'a').replace(/[0-1]/g, 'q').replace(/[8-9]/g, 'z').slice(0, 52)
}

export const SESSION = { owner: 'alice', participants: ['bob'], policyHash: '00'.repeat(32), createdAt: 1 }
export const seal = (chunkCount: number): { manifest: string, merkleRoot: string, chunkCount: number, plaintextSize: number, sealedAt: number } =>
  ({ manifest: 'bafyrei' + 'a'.repeat(52), merkleRoot: 'ab'.repeat(32), chunkCount, plaintextSize: 10, sealedAt: 2 })

/**
 * A hand-made update by author `n` against the author's document as `state` holds it: the change runs on a copy,
 * bypassing the writer (so it can break every rule), and is signed as the author's next sequence number.
 */
export function craft (state: SwarmState, n: number, change: (doc: Y.Doc) => void, signer = n): VerifiedEnvelope {
  const authorId = peerOf(n)
  const log = state.log(authorId)
  const doc = new Y.Doc()
  doc.clientID = 424242 + (log?.seq ?? 0)
  if (log !== undefined) Y.applyUpdate(doc, Y.encodeStateAsUpdate(log.doc))
  let update: Uint8Array | null = null
  doc.on('update', (u: Uint8Array) => { update = u })
  doc.transact(() => change(doc))
  if (update === null) throw new Error('the change changed nothing')
  const env = sealEnvelope(update, (log?.seq ?? 0) + 1, keyOf(signer), ed25519.getPublicKey(keyOf(signer)))
  if (signer === n) return env
  // Claim author n while signing with another key: swap the author field, keep the signature.
  const forged = { author: ed25519.getPublicKey(keyOf(n)), seq: env.seq, update: env.update, signature: env.signature }
  return { ...forged, bytes: encodeEnvelope(forged), authorId }
}
