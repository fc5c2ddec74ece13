/** Signed task proofs, made with a node key (the honest side of every rule; used by nodes, the harness and tests). */
import type { NodeKey } from './keys.js'
import type { ChainState, Challenge } from './state.js'
import type { Attestation, HeartbeatProof, HoldingClaim, HoldingRelease, RelayReceipt, StorageProof } from './proofs.js'
import { sampleChunk, type ChunkSample } from './chunk-samples.js'
import { attestationMessage, heartbeatMessage, holdingMessage, relayMessage, releaseMessage, storageMessage } from './proofs.js'

/** `ref` is the node's head (any block with a slot and hash) when it signs. */
export function makeHeartbeat (key: NodeKey, slot: number, beat: number, ref: { readonly slot: number, readonly hash: string }): HeartbeatProof {
  const body = { node: key.id, slot, beat, refSlot: ref.slot, refHash: ref.hash }
  return { kind: 'heartbeat', ...body, sig: key.sign(heartbeatMessage(body)) }
}

export function makeAttestation (key: NodeKey, slot: number, blockHash: string, source: { readonly epoch: number, readonly hash: string }): Attestation {
  const body = { node: key.id, slot, blockHash, sourceSlot: source.epoch, sourceHash: source.hash }
  return { kind: 'attestation', ...body, sig: key.sign(attestationMessage(body)) }
}

/** The honest vote in `slot` of a node whose head is `head`: target = head, source = head's latest justified checkpoint. */
export function makeVote (key: NodeKey, head: ChainState, slot: number): Attestation {
  return makeAttestation(key, slot, head.hash, head.justified[head.justified.length - 1])
}

/** The relayer signs; the receiver countersigns the same message. */
export function makeRelayReceipt (relayer: NodeKey, receiver: NodeKey, slot: number, bytes: number): RelayReceipt {
  const body = { node: relayer.id, receiver: receiver.id, slot, bytes }
  const message = relayMessage(body)
  return { kind: 'relay', ...body, sig: relayer.sign(message), receiverSig: receiver.sign(message) }
}

type AnsweredChallenge = Pick<Challenge, 'slot' | 'index' | 'sessionId' | 'chunkIndex' | 'sample'>

/** The answer to `challenge` from the chunk itself: the pieces the challenge samples (chunk-samples.ts), and the leaf's Merkle `path`. */
export function makeStorageProof (key: NodeKey, challenge: AnsweredChallenge, blob: Uint8Array, path: Uint8Array[]): StorageProof {
  return makeStorageAnswer(key, challenge, blob.length, sampleChunk(challenge, blob), path)
}

/** The answer to `challenge` from samples already made (chunk-samples.ts `chunkSampler`) of a chunk of `chunkBytes`. */
export function makeStorageAnswer (key: NodeKey, challenge: AnsweredChallenge, chunkBytes: number, samples: ChunkSample[], path: Uint8Array[]): StorageProof {
  const body = { node: key.id, slot: challenge.slot, index: challenge.index, sessionId: challenge.sessionId, chunkIndex: challenge.chunkIndex, chunkBytes, samples }
  return { kind: 'storage', ...body, path, sig: key.sign(storageMessage(body)) }
}

/** The holder's claim to keep a session (root and chunk count from its manifest), made in `slot`. */
export function makeHoldingClaim (key: NodeKey, slot: number, session: { sessionId: string, root: Uint8Array, chunkCount: number }): HoldingClaim {
  const body = { node: key.id, slot, sessionId: session.sessionId, root: session.root, chunkCount: session.chunkCount }
  return { kind: 'holding', ...body, sig: key.sign(holdingMessage(body)) }
}

/** The holder's release of a session it no longer keeps, made in `slot`. */
export function makeHoldingRelease (key: NodeKey, slot: number, sessionId: string): HoldingRelease {
  const body = { node: key.id, slot, sessionId }
  return { kind: 'release', ...body, sig: key.sign(releaseMessage(body)) }
}
