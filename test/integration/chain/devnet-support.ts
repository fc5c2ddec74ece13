// Helpers for tests against a devnet's chain: JSON-RPC calls, decoded envelopes, and a forged second block.
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { NodeKey } from '../../../protocols/poot/index.js'
import { decodeEnvelope, type Envelope } from '../../../node/src/chain/envelope.js'
import type { Genesis } from '../../../node/src/chain/genesis.js'
import { nudged, reforge } from './reforge.js'

export async function rpc<T = any> (url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(10_000) })
  const body = await res.json() as { result?: T, error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

export interface Finality { head: { number: string, hash: string, slot: number, pootHash: string }, finalized: { number: string, hash: string }, justified: Array<{ pootHash: string, height: number, epoch: number }> }

/** Envelopes of `count` canonical blocks from `from` (fewer past the head), asked again where an answer stopped at its size cap. */
export async function envelopes (url: string, from: number, count: number): Promise<Envelope[]> {
  const out: Envelope[] = []
  while (out.length < count) {
    const raw = await rpc<string[]>(url, 'lucid_getEnvelopes', ['0x' + (from + out.length).toString(16), count - out.length])
    if (raw.length === 0) break
    out.push(...raw.map((h) => decodeEnvelope(hexToBytes(h as `0x${string}`))))
  }
  return out
}

export const headNumber = async (url: string): Promise<number> => Number(await rpc<string>(url, 'eth_blockNumber'))

/**
 * A second block for the same slot by the same proposer (an equivocation): the PoOT header's time moved by 1 ms,
 * the EVM block rebuilt around the new header hash, both signed with the proposer's key.
 */
export function equivocate (genesis: Genesis, original: Envelope, key: NodeKey): Uint8Array {
  return reforge(genesis.common, original, { timeMs: nudged(original.poot.signed.header.timeMs), signers: [{ member: 0, key }] })
}

export const hex = (b: Uint8Array): string => bytesToHex(b)
