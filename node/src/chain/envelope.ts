/**
 * The block envelope: what a proposer publishes and what gossip and sync will carry. RLP of
 *   [version = 1, evm block RLP, PoOT header fields, PoOT signatures, seal signatures, PoOT body]
 * - the PoOT header (protocols/poot/block.ts) is signed by the proposing entity's members over its SHA-256 hash;
 * - the EVM block's extraData is that PoOT header hash (32 bytes), so the EVM block names its PoOT header;
 * - the seal signatures are the same members' Ed25519 signatures over the EVM block hash (keccak), so nobody can
 *   pair a signed PoOT header with other EVM contents.
 * Body: [session anchors [[sessionId, bytes]], task proofs, equivocation evidence [[signed header a, signed header b]],
 * vote evidence [[attestation a, attestation b]]]; a signed header is [header fields, signatures]; task proofs and
 * attestations use proof-codec.ts.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, bytesToUtf8, bigIntToUnpaddedBytes, utf8ToBytes } from '@ethereumjs/util'
import { proofFields, proofFromFields, ProofCodecError } from './proof-codec.js'
import { rlpFields } from './rlp-fields.js'
import type { Attestation, Block as PootBlock, BlockHeader, EquivocationEvidence, MemberSignature, SessionAnchor, SignedHeader, VoteEvidence } from '../../../protocols/poot/index.js'

export const ENVELOPE_VERSION = 1
/** Generous: a 30M-gas block of calldata is ~7.5 MB at 4 gas per zero byte; gossip may cap lower. */
export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024
export const MAX_ENVELOPE_PROOFS = 4096
/** sessions one block lists at most (a proposer lists 512 at most, chainnet/block-sessions.ts; each is a state read) */
export const MAX_ENVELOPE_SESSIONS = 1024

export interface Envelope {
  evm: Uint8Array
  poot: PootBlock
  seal: MemberSignature[]
}

const int = (n: number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n))

const sigs = (list: readonly MemberSignature[]): Uint8Array[][] => list.map((s) => [int(s.member), s.sig])
const headerFields = (h: BlockHeader): Uint8Array[] => [int(h.slot), utf8ToBytes(h.parent), utf8ToBytes(h.proposer), int(h.rank), int(h.timeMs),
  int(h.revealer), h.reveal, utf8ToBytes(h.bodyHash), int(h.sessions), int(h.sessionBytes)]
const signedFields = (s: SignedHeader): unknown[] => [headerFields(s.header), sigs(s.signatures)]

export function encodeEnvelope (e: Envelope): Uint8Array {
  return RLP.encode([
    int(ENVELOPE_VERSION),
    e.evm,
    headerFields(e.poot.signed.header),
    sigs(e.poot.signed.signatures),
    sigs(e.seal),
    [e.poot.body.sessions.map((s) => [utf8ToBytes(s.sessionId), int(s.bytes)]), e.poot.body.proofs.map(proofFields), e.poot.body.evidence.map((x) => [signedFields(x.a), signedFields(x.b)]), e.poot.body.voteEvidence.map((x) => [proofFields(x.a), proofFields(x.b)])]
  ] as never)
}

export class EnvelopeError extends Error {}

function fail (what: string): never { throw new EnvelopeError(`bad envelope: ${what}`) }

const { bytes, list, num } = rlpFields(fail)

function text (x: unknown, what: string): string {
  const s = bytesToUtf8(bytes(x, what))
  if (s.length > 256) fail(`${what} is too long`)
  return s
}

function sigList (x: unknown, what: string): MemberSignature[] {
  const items = list(x, what)
  if (items.length > 64) fail(`${what}: too many signatures`)
  return items.map((s, i) => {
    const [member, sig] = list(s, `${what}[${i}]`, 2)
    const b = bytes(sig, `${what}[${i}].sig`)
    if (b.length !== 64) fail(`${what}[${i}].sig is not 64 bytes`)
    return { member: num(member, `${what}[${i}].member`), sig: b }
  })
}

export function decodeEnvelope (raw: Uint8Array): Envelope {
  if (raw.length > MAX_ENVELOPE_BYTES) fail(`${raw.length} bytes, more than ${MAX_ENVELOPE_BYTES}`)
  let top: unknown
  try { top = RLP.decode(raw) } catch (e) { fail(`not RLP (${(e as Error).message})`) }
  const [version, evm, header, pootSigs, seal, body] = list(top, 'envelope', 6)
  if (num(version, 'version') !== ENVELOPE_VERSION) fail(`version ${bytesToHex(bytes(version, 'version'))} is not ${ENVELOPE_VERSION}`)
  const h = decodeHeader(header, 'header')
  const [sessions, proofs, evidence, voteEvidence] = list(body, 'body', 4)
  const proofItems = list(proofs, 'body.proofs')
  if (proofItems.length > MAX_ENVELOPE_PROOFS) fail(`body.proofs: more than ${MAX_ENVELOPE_PROOFS} items`)
  const taskProofs = proofItems.map((x, i) => {
    try { return proofFromFields(x) } catch (e) { return fail(`body.proofs[${i}]: ${e instanceof ProofCodecError ? e.message : String(e)}`) }
  })
  const evidenceItems = list(evidence, 'body.evidence')
  if (evidenceItems.length > 16) fail('body.evidence: more than 16 items')
  const equivocations: EquivocationEvidence[] = evidenceItems.map((x, i) => {
    const [a, b] = list(x, `body.evidence[${i}]`, 2)
    return { a: decodeSigned(a, `body.evidence[${i}].a`), b: decodeSigned(b, `body.evidence[${i}].b`) }
  })
  const voteItems = list(voteEvidence, 'body.voteEvidence')
  if (voteItems.length > 16) fail('body.voteEvidence: more than 16 items')
  const votes: VoteEvidence[] = voteItems.map((x, i) => {
    const [a, b] = list(x, `body.voteEvidence[${i}]`, 2)
    return { a: attestation(a, `body.voteEvidence[${i}].a`), b: attestation(b, `body.voteEvidence[${i}].b`) }
  })
  const sessionItems = list(sessions, 'body.sessions')
  if (sessionItems.length > MAX_ENVELOPE_SESSIONS) fail(`body.sessions: more than ${MAX_ENVELOPE_SESSIONS} items`)
  const anchors: SessionAnchor[] = sessionItems.map((s, i) => {
    const [id, n] = list(s, `body.sessions[${i}]`, 2)
    return { sessionId: text(id, `body.sessions[${i}].sessionId`), bytes: num(n, `body.sessions[${i}].bytes`) }
  })
  return {
    evm: bytes(evm, 'evm block'),
    poot: { signed: { header: h, signatures: sigList(pootSigs, 'poot signatures') }, body: { proofs: taskProofs, sessions: anchors, evidence: equivocations, voteEvidence: votes } },
    seal: sigList(seal, 'seal signatures')
  }
}

function attestation (x: unknown, what: string): Attestation {
  let p
  try { p = proofFromFields(x) } catch (e) { return fail(`${what}: ${e instanceof ProofCodecError ? e.message : String(e)}`) }
  if (p.kind !== 'attestation') fail(`${what} is a ${p.kind} proof, not a vote`)
  return p
}

function decodeHeader (x: unknown, what: string): BlockHeader {
  const f = list(x, what, 10)
  return {
    slot: num(f[0], `${what}.slot`),
    parent: text(f[1], `${what}.parent`),
    proposer: text(f[2], `${what}.proposer`),
    rank: num(f[3], `${what}.rank`),
    timeMs: num(f[4], `${what}.timeMs`),
    revealer: num(f[5], `${what}.revealer`),
    reveal: bytes(f[6], `${what}.reveal`),
    bodyHash: text(f[7], `${what}.bodyHash`),
    sessions: num(f[8], `${what}.sessions`),
    sessionBytes: num(f[9], `${what}.sessionBytes`)
  }
}

function decodeSigned (x: unknown, what: string): SignedHeader {
  const [header, signatures] = list(x, what, 2)
  return { header: decodeHeader(header, `${what}.header`), signatures: sigList(signatures, `${what}.signatures`) }
}
