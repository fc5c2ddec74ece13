/**
 * RLP codec of PoOT task proofs, shared by the block envelope (a block body's proofs) and proof gossip.
 *   heartbeat   [0, node, slot, beat, refSlot, refHash, sig]
 *   storage     [1, node, slot, index, sessionId, chunkIndex, chunkBytes, [[piece, [sibling…]]…], [path…], sig]
 *   relay       [2, node, receiver, slot, bytes, sig, receiverSig]
 *   attestation [3, node, slot, blockHash, sourceSlot, sourceHash, sig]
 *   holding     [4, node, slot, sessionId, root, chunkCount, sig]
 *   release     [5, node, slot, sessionId, sig]
 * Node ids and hashes travel as 32 raw bytes (hex in protocols/poot); numbers as minimal big-endian integers.
 * Decoding is strict: every malformed field is a ProofCodecError naming it.
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToHex, bytesToUtf8, hexToBytes, utf8ToBytes } from '@ethereumjs/util'
import { PIECE_BYTES, SAMPLES_PER_ANSWER, type ChunkSample, type TaskProof } from '../../../protocols/poot/index.js'
import { rlpFields } from './rlp-fields.js'

export class ProofCodecError extends Error {}

/** Bounds on what one proof may carry (a storage answer carries sampled 1 KiB pieces of a chunk, chunk-samples.ts). */
export const MAX_PROOF_PATH = 64
/** The largest encoded proof: a storage answer with full pieces and paths stays well under it. */
export const MAX_PROOF_BYTES = 32 * 1024

const KIND = { heartbeat: 0, storage: 1, relay: 2, attestation: 3, holding: 4, release: 5 } as const

const int = (n: number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n))
const h32 = (hex: string): Uint8Array => {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ProofCodecError(`not a 32-byte hex value: ${hex.slice(0, 80)}`)
  return hexToBytes(`0x${hex}`)
}

export function proofFields (p: TaskProof): unknown[] {
  switch (p.kind) {
    case 'heartbeat': return [int(KIND.heartbeat), h32(p.node), int(p.slot), int(p.beat), int(p.refSlot), h32(p.refHash), p.sig]
    case 'storage': return [int(KIND.storage), h32(p.node), int(p.slot), int(p.index), utf8ToBytes(p.sessionId), int(p.chunkIndex), int(p.chunkBytes), p.samples.map((x) => [x.piece, [...x.siblings]]), [...p.path], p.sig]
    case 'relay': return [int(KIND.relay), h32(p.node), h32(p.receiver), int(p.slot), int(p.bytes), p.sig, p.receiverSig]
    case 'attestation': return [int(KIND.attestation), h32(p.node), int(p.slot), h32(p.blockHash), int(p.sourceSlot), h32(p.sourceHash), p.sig]
    case 'holding': return [int(KIND.holding), h32(p.node), int(p.slot), utf8ToBytes(p.sessionId), p.root, int(p.chunkCount), p.sig]
    case 'release': return [int(KIND.release), h32(p.node), int(p.slot), utf8ToBytes(p.sessionId), p.sig]
  }
}

export function encodeProof (p: TaskProof): Uint8Array {
  return RLP.encode(proofFields(p) as never)
}

function fail (what: string): never { throw new ProofCodecError(`bad task proof: ${what}`) }

const { bytes, num } = rlpFields(fail)

const hex32 = (x: unknown, what: string): string => bytesToHex(bytes(x, what, 32)).slice(2)
const sig = (x: unknown, what: string): Uint8Array => bytes(x, what, 64)

function sessionIdField (x: unknown): string {
  const s = bytesToUtf8(bytes(x, 'sessionId'))
  if (s.length > 64) fail('sessionId is too long')
  return s
}

function hashList (x: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(x)) fail(`${what} is not a list`)
  if (x.length > MAX_PROOF_PATH) fail(`${what} has more than ${MAX_PROOF_PATH} hashes`)
  return x.map((n, i) => bytes(n, `${what}[${i}]`, 32))
}

function samplesField (x: unknown): ChunkSample[] {
  if (!Array.isArray(x)) fail('samples is not a list')
  if (x.length !== SAMPLES_PER_ANSWER) fail(`samples has ${x.length} entries, not ${SAMPLES_PER_ANSWER}`)
  return x.map((s, i) => {
    if (!Array.isArray(s) || s.length !== 2) fail(`samples[${i}] is not a [piece, siblings] pair`)
    const piece = bytes(s[0], `samples[${i}].piece`)
    if (piece.length > PIECE_BYTES) fail(`samples[${i}].piece is ${piece.length} bytes, more than ${PIECE_BYTES}`)
    return { piece, siblings: hashList(s[1], `samples[${i}].siblings`) }
  })
}

function fields (x: unknown, n: number, kind: string): unknown[] {
  if (!Array.isArray(x)) fail('not a list')
  if (x.length !== n) fail(`a ${kind} proof has ${n} fields, got ${x.length}`)
  return x
}

export function proofFromFields (x: unknown): TaskProof {
  if (!Array.isArray(x) || x.length === 0) fail('not a non-empty list')
  const kind = num(x[0], 'kind')
  switch (kind) {
    case KIND.heartbeat: {
      const f = fields(x, 7, 'heartbeat')
      return { kind: 'heartbeat', node: hex32(f[1], 'node'), slot: num(f[2], 'slot'), beat: num(f[3], 'beat'), refSlot: num(f[4], 'refSlot'), refHash: hex32(f[5], 'refHash'), sig: sig(f[6], 'sig') }
    }
    case KIND.storage: {
      const f = fields(x, 10, 'storage')
      const sessionId = sessionIdField(f[4])
      return { kind: 'storage', node: hex32(f[1], 'node'), slot: num(f[2], 'slot'), index: num(f[3], 'index'), sessionId, chunkIndex: num(f[5], 'chunkIndex'), chunkBytes: num(f[6], 'chunkBytes'), samples: samplesField(f[7]), path: hashList(f[8], 'path'), sig: sig(f[9], 'sig') }
    }
    case KIND.relay: {
      const f = fields(x, 7, 'relay')
      return { kind: 'relay', node: hex32(f[1], 'node'), receiver: hex32(f[2], 'receiver'), slot: num(f[3], 'slot'), bytes: num(f[4], 'bytes'), sig: sig(f[5], 'sig'), receiverSig: sig(f[6], 'receiverSig') }
    }
    case KIND.attestation: {
      const f = fields(x, 7, 'attestation')
      return { kind: 'attestation', node: hex32(f[1], 'node'), slot: num(f[2], 'slot'), blockHash: hex32(f[3], 'blockHash'), sourceSlot: num(f[4], 'sourceSlot'), sourceHash: hex32(f[5], 'sourceHash'), sig: sig(f[6], 'sig') }
    }
    case KIND.holding: {
      const f = fields(x, 7, 'holding')
      return { kind: 'holding', node: hex32(f[1], 'node'), slot: num(f[2], 'slot'), sessionId: sessionIdField(f[3]), root: bytes(f[4], 'root', 32), chunkCount: num(f[5], 'chunkCount'), sig: sig(f[6], 'sig') }
    }
    case KIND.release: {
      const f = fields(x, 5, 'release')
      return { kind: 'release', node: hex32(f[1], 'node'), slot: num(f[2], 'slot'), sessionId: sessionIdField(f[3]), sig: sig(f[4], 'sig') }
    }
    default: return fail(`unknown kind ${kind}`)
  }
}

export function decodeProof (raw: Uint8Array, maxBytes = MAX_PROOF_BYTES): TaskProof {
  if (raw.length > maxBytes) fail(`${raw.length} bytes, more than ${maxBytes}`)
  let x: unknown
  try { x = RLP.decode(raw) } catch (e) { fail(`not RLP (${(e as Error).message})`) }
  return proofFromFields(x)
}
