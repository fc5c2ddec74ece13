/**
 * Validity of each kind of task proof, against the parent state of the block that includes it.
 * Common rules: the signer is a registered node; the proof's slot is not after the including block's (future-dated)
 * and at most maxProofAgeSlots before it (stale); its key was not counted on this chain or earlier in the block
 * (replayed / double-counted); signatures verify (forged). Cheap checks run before signature checks.
 */
import type { PootConfig } from './config.js'
import type { ChainState, Challenge } from './state.js'
import type { Attestation, HeartbeatProof, HoldingClaim, HoldingRelease, RelayReceipt, StorageProof, TaskProof } from './proofs.js'
import { attestationMessage, heartbeatMessage, holdingKey, holdingMessage, proofKey, relayMessage, releaseKey, releaseMessage, storageMessage } from './proofs.js'
import { verifySignature } from './keys.js'
import { beatDueMs, beatOrigin, slotOfBeatIn } from './beats.js'
import { leafFromSamples } from './chunk-samples.js'
import { invalid, VALID, type Validity } from './validity.js'
import { sameAnchor, type AnchorLookup } from './anchors.js'

export interface ProofContext {
  readonly config: PootConfig
  readonly parent: ChainState
  /** Slot and time of the including block. */
  readonly slot: number
  readonly timeMs: number
  /** Keys already counted earlier in the including block. */
  readonly blockKeys: ReadonlySet<string>
  /** Challenges still open when this block's answers are checked. */
  readonly openChallenges: readonly Challenge[]
  /** LucidAnchors registrations in the parent's state of the sessions claimed (absent: none is registered). */
  readonly anchors?: AnchorLookup
}

/** Was `key` counted by a block of this chain at or after `sinceSlot`? Proofs older than that are stale anyway. */
export function countedBefore (parent: ChainState, key: string, sinceSlot: number): boolean {
  for (let s: ChainState | null = parent; s !== null && s.slot >= sinceSlot; s = s.parent) {
    if (s.proofKeys.has(key)) return true
  }
  return false
}

// Signature checks are deterministic in the proof object, so their outcome is memoised per object.
const signatureMemo = new WeakMap<TaskProof, boolean>()

function signedBy (proof: TaskProof, check: () => boolean, config: PootConfig): boolean {
  if (config.trustSignatures === true) return true // a replay of blocks checked before (config.ts)
  let ok = signatureMemo.get(proof)
  if (ok === undefined) { ok = check(); signatureMemo.set(proof, ok) }
  return ok
}

function commonChecks (p: TaskProof, ctx: ProofContext): Validity {
  if (!ctx.config.registry.entityOfNode.has(p.node)) return invalid('unknown-node')
  if (!Number.isSafeInteger(p.slot) || p.slot < 0) return invalid('bad-slot')
  if (p.slot > ctx.slot) return invalid('future-slot')
  if (ctx.slot - p.slot > ctx.config.params.maxProofAgeSlots) return invalid('stale')
  const key = proofKey(p)
  if (ctx.blockKeys.has(key) || countedBefore(ctx.parent, key, p.slot)) return invalid('duplicate')
  return VALID
}

export function validateHeartbeat (p: HeartbeatProof, ctx: ProofContext): Validity {
  const common = commonChecks(p, ctx)
  if (!common.ok) return common
  const { params } = ctx.config
  if (!Number.isSafeInteger(p.beat) || p.beat < 0) return invalid('beat-not-in-slot')
  // a beat of the numbering before governance changed the interval (beats.ts)
  if (p.beat < beatOrigin(ctx.config).beat) return invalid('beat-before-interval-change')
  if (slotOfBeatIn(ctx.config, p.beat) !== p.slot) return invalid('beat-not-in-slot')
  if (beatDueMs(ctx.config, p.beat) > ctx.timeMs) return invalid('future-beat')
  if (!Number.isSafeInteger(p.refSlot) || p.refSlot > p.slot) return invalid('future-ref')
  if (p.slot - p.refSlot > params.maxProofAgeSlots) return invalid('stale-ref')
  const ref = blockAtOrBefore(ctx.parent, p.refSlot)
  if (ref.slot !== p.refSlot || ref.hash !== p.refHash) return invalid('unknown-ref')
  if (!signedBy(p, () => verifySignature(p.node, heartbeatMessage(p), p.sig), ctx.config)) return invalid('bad-signature')
  return VALID
}

export function validateStorageProof (p: StorageProof, ctx: ProofContext): Validity {
  if (!ctx.config.registry.entityOfNode.has(p.node)) return invalid('unknown-node')
  // Freshness and uniqueness come from the open-challenge list: an answered or expired challenge is no longer open.
  const challenge = ctx.openChallenges.find((c) => c.slot === p.slot && c.index === p.index)
  if (challenge === undefined) return invalid('unknown-challenge')
  if (challenge.holder !== p.node) return invalid('wrong-holder')
  if (challenge.sessionId !== p.sessionId || challenge.chunkIndex !== p.chunkIndex) return invalid('wrong-chunk')
  const session = ctx.parent.catalog.find((s) => s.sessionId === p.sessionId)
  if (session === undefined) return invalid('unknown-session')
  const leaf = leafFromSamples(challenge, p.chunkBytes, p.samples)
  if (leaf === null) return invalid('bad-samples')
  if (!ctx.config.verifyInclusion(session.root, session.chunkCount, p.chunkIndex, leaf, [...p.path])) return invalid('bad-merkle-proof')
  if (!signedBy(p, () => verifySignature(p.node, storageMessage(p), p.sig), ctx.config)) return invalid('bad-signature')
  return VALID
}

export function validateRelayReceipt (p: RelayReceipt, ctx: ProofContext): Validity {
  const common = commonChecks(p, ctx)
  if (!common.ok) return common
  const { registry, params } = ctx.config
  const receiverEntity = registry.entityOfNode.get(p.receiver)
  if (receiverEntity === undefined) return invalid('unknown-receiver')
  // Relaying to oneself, or inside one entity, earns nothing: the receipt must come from someone else.
  if (receiverEntity === registry.entityOfNode.get(p.node)) return invalid('self-relay')
  if (!Number.isSafeInteger(p.bytes) || p.bytes < 1 || p.bytes > params.maxRelayBytesPerReceipt) return invalid('bad-bytes')
  if (!signedBy(p, () => verifySignature(p.node, relayMessage(p), p.sig) && verifySignature(p.receiver, relayMessage(p), p.receiverSig), ctx.config)) {
    return verifySignature(p.node, relayMessage(p), p.sig) ? invalid('bad-receiver-signature') : invalid('bad-signature')
  }
  return VALID
}

/** The latest block of this chain at or before `slot` (walks back at most maxProofAgeSlots blocks). */
export function blockAtOrBefore (parent: ChainState, slot: number): ChainState {
  let s: ChainState = parent
  while (s.slot > slot && s.parent !== null) s = s.parent
  return s
}

/**
 * A vote cast in slot v (< the including slot) counts only if its target is this chain's latest block at or before v
 * and its source is a checkpoint justified on this chain, from an earlier slot.
 */
export function validateAttestation (p: Attestation, ctx: ProofContext): Validity {
  const common = commonChecks(p, ctx)
  if (!common.ok) return common
  if (p.slot >= ctx.slot) return invalid('future-slot')
  if (blockAtOrBefore(ctx.parent, p.slot).hash !== p.blockHash) return invalid('unknown-target')
  if (!Number.isSafeInteger(p.sourceSlot) || p.sourceSlot >= p.slot) return invalid('source-not-before-target')
  if (!ctx.parent.justified.some((c) => c.epoch === p.sourceSlot && c.hash === p.sourceHash)) return invalid('unjustified-source')
  if (!signedBy(p, () => verifySignature(p.node, attestationMessage(p), p.sig), ctx.config)) return invalid('bad-signature')
  return VALID
}

/** Catalog sessions are named like session IDs (a UUID is 36 characters); at most 2³² chunks. */
export const MAX_CATALOG_ID = 64

/**
 * Whether `key` (a claim's or a release's) was counted in a block after `slot`: a claim and a release of the same
 * node and session take effect in the order they were signed, so an older one a proposer kept back cannot undo a
 * newer one (an honest node signs each only once the other is in its head). Both cannot count in one block: a claim
 * needs the node not to hold the session in the parent's catalog, a release needs it to.
 */
function countedAfter (ctx: ProofContext, key: string, slot: number): boolean {
  return countedBefore(ctx.parent, key, slot + 1)
}

function validSessionId (id: unknown): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CATALOG_ID
}

/**
 * A holding claim counts if it names a well-formed session registered in LucidAnchors (in the parent's state) with
 * the root and chunk count it names, and the node is not already one of its holders. The catalog's root is the
 * anchored one, so nobody can squat a session with another root; a genesis catalog entry must agree as well.
 * A claim signed before the node's last release of the session was counted is refused (`released`).
 */
export function validateHoldingClaim (p: HoldingClaim, ctx: ProofContext): Validity {
  const common = commonChecks(p, ctx)
  if (!common.ok) return common
  if (!validSessionId(p.sessionId)) return invalid('bad-session-id')
  if (!(p.root instanceof Uint8Array) || p.root.length !== 32) return invalid('bad-root')
  if (!Number.isSafeInteger(p.chunkCount) || p.chunkCount < 1 || p.chunkCount > 0xffffffff) return invalid('bad-chunk-count')
  const anchored = ctx.anchors?.get(p.sessionId)
  if (anchored === undefined) return invalid('not-anchored')
  if (!sameAnchor(anchored, p)) return invalid('anchor-mismatch')
  const known = ctx.parent.catalog.find((s) => s.sessionId === p.sessionId)
  if (known !== undefined) {
    if (!sameAnchor(known, p)) return invalid('catalog-mismatch')
    if (known.holders.includes(p.node)) return invalid('already-holder')
  }
  if (countedAfter(ctx, releaseKey(p.node, p.sessionId), p.slot)) return invalid('released')
  if (!signedBy(p, () => verifySignature(p.node, holdingMessage(p), p.sig), ctx.config)) return invalid('bad-signature')
  return VALID
}

/**
 * A holding release counts if the node is a holder of the session in the parent's catalog and the claim that made it
 * one was signed before the release (`superseded` otherwise: a kept-back release cannot undo a newer claim).
 */
export function validateHoldingRelease (p: HoldingRelease, ctx: ProofContext): Validity {
  const common = commonChecks(p, ctx)
  if (!common.ok) return common
  if (!validSessionId(p.sessionId)) return invalid('bad-session-id')
  const known = ctx.parent.catalog.find((s) => s.sessionId === p.sessionId)
  if (known === undefined || !known.holders.includes(p.node)) return invalid('not-holder')
  if (countedAfter(ctx, holdingKey(p.node, p.sessionId), p.slot)) return invalid('superseded')
  if (!signedBy(p, () => verifySignature(p.node, releaseMessage(p), p.sig), ctx.config)) return invalid('bad-signature')
  return VALID
}

export function validateProof (p: TaskProof, ctx: ProofContext): Validity {
  switch (p.kind) {
    case 'heartbeat': return validateHeartbeat(p, ctx)
    case 'storage': return validateStorageProof(p, ctx)
    case 'relay': return validateRelayReceipt(p, ctx)
    case 'attestation': return validateAttestation(p, ctx)
    case 'holding': return validateHoldingClaim(p, ctx)
    case 'release': return validateHoldingRelease(p, ctx)
    default: return invalid('unknown-kind')
  }
}
