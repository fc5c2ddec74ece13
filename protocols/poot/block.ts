/**
 * Blocks: a header signed by the proposing entity (threshold-many member signatures over the header hash) and a
 * body of task proofs, session anchors and equivocation evidence (double blocks, double or surround votes).
 */
import { sha256 } from './hash.js'
import { concatBytes, lp, toHex, u32, u64, utf8 } from './bytes.js'
import type { EntityId } from './entities.js'
import { encodeProof, type Attestation, type TaskProof } from './proofs.js'

export interface BlockHeader {
  readonly slot: number
  readonly parent: string
  readonly proposer: EntityId
  /** Position of the proposer in the slot's schedule: 0 = primary. */
  readonly rank: number
  /** Milliseconds since the epoch; must lie inside the slot, after rank × slotTimeoutMs. */
  readonly timeMs: number
  /** Index of the member whose reveal this is. */
  readonly revealer: number
  readonly reveal: Uint8Array
  readonly bodyHash: string
  /** S: sessions anchored in this block. */
  readonly sessions: number
  /** B: compressed bytes of those sessions. */
  readonly sessionBytes: number
}

export interface MemberSignature { readonly member: number, readonly sig: Uint8Array }

export interface SignedHeader {
  readonly header: BlockHeader
  /** Strictly increasing member indexes. */
  readonly signatures: readonly MemberSignature[]
}

/** Two headers signed by one proposer for one slot. */
export interface EquivocationEvidence {
  readonly a: SignedHeader
  readonly b: SignedHeader
}

/** Two votes by one node that no honest node casts: two in one slot, or one surrounding the other. */
export interface VoteEvidence {
  readonly a: Attestation
  readonly b: Attestation
}

export interface SessionAnchor { readonly sessionId: string, readonly bytes: number }

export interface BlockBody {
  readonly proofs: readonly TaskProof[]
  readonly sessions: readonly SessionAnchor[]
  readonly evidence: readonly EquivocationEvidence[]
  readonly voteEvidence: readonly VoteEvidence[]
}

export interface Block {
  readonly signed: SignedHeader
  readonly body: BlockBody
}

const HEADER = utf8('lucid/poot/v1/header')

export function encodeHeader (h: BlockHeader): Uint8Array {
  return concatBytes(HEADER, u64(h.slot), lp(utf8(h.parent)), lp(utf8(h.proposer)), u32(h.rank), u64(h.timeMs),
    u32(h.revealer), lp(h.reveal), lp(utf8(h.bodyHash)), u32(h.sessions), u64(h.sessionBytes))
}

const hashes = new WeakMap<BlockHeader, string>()

/** SHA-256 of the canonical header encoding, in hex: the block's name and what members sign. */
export function headerHash (h: BlockHeader): string {
  let out = hashes.get(h)
  if (out === undefined) { out = toHex(sha256(encodeHeader(h))); hashes.set(h, out) }
  return out
}

export function blockHash (b: Block): string {
  return headerHash(b.signed.header)
}

function encodeSigned (s: SignedHeader): Uint8Array {
  return concatBytes(encodeHeader(s.header), u32(s.signatures.length), ...s.signatures.map((m) => concatBytes(u32(m.member), m.sig)))
}

export function bodyHash (body: BlockBody): string {
  const parts: Uint8Array[] = [u32(body.proofs.length)]
  for (const p of body.proofs) parts.push(lp(encodeProof(p)))
  parts.push(u32(body.sessions.length))
  for (const s of body.sessions) parts.push(lp(utf8(s.sessionId)), u64(s.bytes))
  parts.push(u32(body.evidence.length))
  for (const e of body.evidence) parts.push(lp(encodeSigned(e.a)), lp(encodeSigned(e.b)))
  parts.push(u32(body.voteEvidence.length))
  for (const e of body.voteEvidence) parts.push(lp(encodeProof(e.a)), lp(encodeProof(e.b)))
  return toHex(sha256(...parts))
}
