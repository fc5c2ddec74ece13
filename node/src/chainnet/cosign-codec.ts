/**
 * The co-sign protocol's messages (/lucid/1/chain/cosign/1.0.0), length-prefixed RLP, one request per stream:
 *   → [1 (version), envelope]                      a pool's draft block, signed so far by its leader (envelope.ts)
 *   ← [0, member, pootSig, sealSig] | [1, reason]  the co-signer's signatures (PoOT header hash, EVM block hash), or why not
 * Decoding is strict and names the field that is wrong (CosignCodecError).
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToUtf8, utf8ToBytes } from '@ethereumjs/util'
import { decodeEnvelope, EnvelopeError, type Envelope } from '../chain/envelope.js'
import { rlpFields } from '../chain/rlp-fields.js'
import { MAX_COSIGN_REQUEST_BYTES } from './constants.js'

export const COSIGN_VERSION = 1
export const MAX_COSIGN_ANSWER_BYTES = 512
const MAX_REASON_CHARS = 300

export class CosignCodecError extends Error {}

export interface CosignRequest { raw: Uint8Array, envelope: Envelope }
export type CosignAnswer = { ok: true, member: number, poot: Uint8Array, seal: Uint8Array } | { ok: false, reason: string }

const int = (n: number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n))

function codec (what: string): { fail: (m: string) => never, f: ReturnType<typeof rlpFields>, decode: (data: Uint8Array, max: number) => unknown } {
  const fail = (m: string): never => { throw new CosignCodecError(`cosign ${what}: ${m}`) }
  const decode = (data: Uint8Array, max: number): unknown => {
    if (data.length > max) fail(`${data.length} bytes, more than ${max}`)
    try { return RLP.decode(data) } catch (e) { return fail(`not RLP (${(e as Error).message})`) }
  }
  return { fail, f: rlpFields(fail), decode }
}

export function encodeCosignRequest (envelope: Uint8Array): Uint8Array {
  return RLP.encode([int(COSIGN_VERSION), envelope])
}

export function decodeCosignRequest (data: Uint8Array): CosignRequest {
  const { fail, f, decode } = codec('request')
  const [version, raw] = f.list(decode(data, MAX_COSIGN_REQUEST_BYTES), 'request', 2)
  if (f.num(version, 'version') !== COSIGN_VERSION) fail(`version ${f.num(version, 'version')} is not ${COSIGN_VERSION}`)
  const bytes = f.bytes(raw, 'envelope')
  let envelope: Envelope
  try { envelope = decodeEnvelope(bytes) } catch (e) { return fail(e instanceof EnvelopeError ? e.message : `bad envelope: ${(e as Error).message}`) }
  if (envelope.poot.signed.signatures.length === 0) fail('the draft carries no PoOT signature of its leader')
  if (envelope.seal.length === 0) fail('the draft carries no seal signature of its leader')
  return { raw: bytes, envelope }
}

export function encodeCosignAnswer (a: CosignAnswer): Uint8Array {
  return RLP.encode(a.ok ? [int(0), int(a.member), a.poot, a.seal] : [int(1), utf8ToBytes(a.reason.slice(0, MAX_REASON_CHARS))])
}

export function decodeCosignAnswer (data: Uint8Array): CosignAnswer {
  const { fail, f, decode } = codec('answer')
  const items = f.list(decode(data, MAX_COSIGN_ANSWER_BYTES), 'answer')
  const status = f.num(items[0], 'status')
  if (status === 1) {
    if (items.length !== 2) fail(`a refusal has ${items.length} items, expected 2`)
    return { ok: false, reason: bytesToUtf8(f.bytes(items[1], 'reason')).slice(0, MAX_REASON_CHARS) }
  }
  if (status !== 0) fail(`unknown status ${status}`)
  if (items.length !== 4) fail(`signatures have ${items.length} items, expected 4`)
  return { ok: true, member: f.num(items[1], 'member'), poot: f.bytes(items[2], 'poot signature', 64), seal: f.bytes(items[3], 'seal signature', 64) }
}
