/**
 * The kinds of task proof. Each is signed by its node key over a domain-separated message, is bound to a
 * slot, and has a key under which it is counted at most once per chain.
 */
import { concatBytes, fromHex, lp, u32, u64, utf8 } from './bytes.js'
import type { NodeId } from './keys.js'
import type { ChunkSample } from './chunk-samples.js'

export interface HeartbeatProof {
  readonly kind: 'heartbeat'
  readonly node: NodeId
  readonly slot: number
  /** Heartbeat number since genesis; due at beat × heartbeatIntervalMs (beats.ts after an interval change), inside `slot`. */
  readonly beat: number
  /**
   * A block the node knew when it signed (its head): the heartbeat cannot have been signed before that block existed,
   * so a node can pre-sign heartbeats for at most maxProofAgeSlots after the last block it saw.
   */
  readonly refSlot: number
  readonly refHash: string
  readonly sig: Uint8Array
}

export interface StorageProof {
  readonly kind: 'storage'
  readonly node: NodeId
  /** Slot of the block whose randomness issued the challenge. */
  readonly slot: number
  /** Which of that slot's challenges this answers. */
  readonly index: number
  readonly sessionId: string
  readonly chunkIndex: number
  /** The encrypted chunk's length in bytes (its Merkle leaf is BLAKE3 of 0x00 ‖ chunk). */
  readonly chunkBytes: number
  /**
   * The pieces of 0x00 ‖ chunk the challenge samples, each with its BLAKE3 tree path (chunk-samples.ts): they must
   * all lead to one leaf, and the leaf through `path` to the anchored root. Not the chunk itself (up to 16 MiB).
   */
  readonly samples: readonly ChunkSample[]
  readonly path: readonly Uint8Array[]
  readonly sig: Uint8Array
}

export interface RelayReceipt {
  readonly kind: 'relay'
  /** The relaying node, credited. */
  readonly node: NodeId
  readonly receiver: NodeId
  readonly slot: number
  readonly bytes: number
  readonly sig: Uint8Array
  readonly receiverSig: Uint8Array
}

/**
 * A validation vote (Casper FFG style, one vote per node per slot): in slot `slot` the node attests its head
 * `blockHash` (the chain's latest block at or before `slot`) as the target checkpoint (blockHash, slot), linked from
 * the latest justified checkpoint it knows, (sourceHash, sourceSlot).
 */
export interface Attestation {
  readonly kind: 'attestation'
  readonly node: NodeId
  readonly slot: number
  readonly blockHash: string
  readonly sourceSlot: number
  readonly sourceHash: string
  readonly sig: Uint8Array
}

/**
 * A holding claim: the node declares it keeps a session's encrypted chunks (whose Merkle root and count it names),
 * so the chain's catalog lists it as a holder and challenges it from then on. Signed by the holder: nobody can make
 * another node challengeable. Earns no credit by itself; answered challenges do.
 */
export interface HoldingClaim {
  readonly kind: 'holding'
  readonly node: NodeId
  readonly slot: number
  readonly sessionId: string
  readonly root: Uint8Array
  readonly chunkCount: number
  readonly sig: Uint8Array
}

/**
 * A holding release: the node withdraws its holding claim on a session it no longer keeps (a replica handed over to
 * the session's desired holders), so the chain stops issuing it challenges for the session. Challenges issued before
 * the release still have to be answered. Signed by the holder; earns no credit.
 */
export interface HoldingRelease {
  readonly kind: 'release'
  readonly node: NodeId
  readonly slot: number
  readonly sessionId: string
  readonly sig: Uint8Array
}

export type TaskProof = HeartbeatProof | StorageProof | RelayReceipt | Attestation | HoldingClaim | HoldingRelease

const DOMAIN = {
  heartbeat: utf8('lucid/poot/v1/heartbeat'),
  storage: utf8('lucid/poot/v1/storage'),
  relay: utf8('lucid/poot/v1/relay'),
  attestation: utf8('lucid/poot/v1/attestation'),
  holding: utf8('lucid/poot/v1/holding'),
  release: utf8('lucid/poot/v1/release')
}

export function heartbeatMessage (p: Pick<HeartbeatProof, 'node' | 'slot' | 'beat' | 'refSlot' | 'refHash'>): Uint8Array {
  return concatBytes(DOMAIN.heartbeat, fromHex(p.node), u64(p.slot), u64(p.beat), u64(p.refSlot), fromHex(p.refHash))
}

/** Signs the samples whole (pieces and tree paths), so no part of an answer can be swapped after signing. */
export function storageMessage (p: Omit<StorageProof, 'kind' | 'sig' | 'path'>): Uint8Array {
  const samples = p.samples.flatMap((x) => [lp(x.piece), u32(x.siblings.length), ...x.siblings])
  return concatBytes(DOMAIN.storage, fromHex(p.node), u64(p.slot), u32(p.index), lp(utf8(p.sessionId)), u32(p.chunkIndex), u64(p.chunkBytes), u32(p.samples.length), ...samples)
}

/** Signed by both the relayer and the receiver. */
export function relayMessage (p: Pick<RelayReceipt, 'node' | 'receiver' | 'slot' | 'bytes'>): Uint8Array {
  return concatBytes(DOMAIN.relay, fromHex(p.node), fromHex(p.receiver), u64(p.slot), u64(p.bytes))
}

export function attestationMessage (p: Pick<Attestation, 'node' | 'slot' | 'blockHash' | 'sourceSlot' | 'sourceHash'>): Uint8Array {
  return concatBytes(DOMAIN.attestation, fromHex(p.node), u64(p.slot), fromHex(p.blockHash), u64(p.sourceSlot), fromHex(p.sourceHash))
}

export function holdingMessage (p: Pick<HoldingClaim, 'node' | 'slot' | 'sessionId' | 'root' | 'chunkCount'>): Uint8Array {
  return concatBytes(DOMAIN.holding, fromHex(p.node), u64(p.slot), lp(utf8(p.sessionId)), lp(p.root), u64(p.chunkCount))
}

export function releaseMessage (p: Pick<HoldingRelease, 'node' | 'slot' | 'sessionId'>): Uint8Array {
  return concatBytes(DOMAIN.release, fromHex(p.node), u64(p.slot), lp(utf8(p.sessionId)))
}

/** Keys of a node's claims and releases of a session: each rule looks for the other's (proof-rules.ts). */
export const holdingKey = (node: NodeId, sessionId: string): string => `c/${node}/${sessionId}`
export const releaseKey = (node: NodeId, sessionId: string): string => `x/${node}/${sessionId}`

/** The key under which a proof is counted once. Storage answers are keyed by their challenge. */
export function proofKey (p: TaskProof): string {
  switch (p.kind) {
    case 'heartbeat': return `h/${p.node}/${p.beat}`
    case 'storage': return `s/${p.slot}/${p.index}`
    case 'relay': return `r/${p.node}/${p.receiver}/${p.slot}`
    case 'attestation': return `a/${p.node}/${p.slot}`
    case 'holding': return holdingKey(p.node, p.sessionId)
    case 'release': return releaseKey(p.node, p.sessionId)
  }
}

/** Canonical bytes of a proof (for the block body hash). */
export function encodeProof (p: TaskProof): Uint8Array {
  switch (p.kind) {
    case 'heartbeat': return concatBytes(u32(0), heartbeatMessage(p), p.sig)
    case 'storage': return concatBytes(u32(1), storageMessage(p), u32(p.path.length), ...p.path, p.sig)
    case 'relay': return concatBytes(u32(2), relayMessage(p), p.sig, p.receiverSig)
    case 'attestation': return concatBytes(u32(3), attestationMessage(p), p.sig)
    case 'holding': return concatBytes(u32(4), holdingMessage(p), p.sig)
    case 'release': return concatBytes(u32(5), releaseMessage(p), p.sig)
  }
}
