/**
 * Catch-up: import the blocks a source has beyond our head, in order, each one checked and re-executed by
 * importEnvelope, so a new node (from genesis) or a returning one (from its head) reaches the source's state
 * without trusting it. The source is injected: the libp2p sync protocol will be one; `rpcEnvelopeSource` reads
 * another node's JSON-RPC (`lucid_getEnvelopes`).
 */
import { hexToBytes } from '@ethereumjs/util'
import type { Chain } from './chain.js'

export interface EnvelopeSource {
  headNumber: () => Promise<bigint>
  /** envelopes of canonical blocks from..from+count-1 (fewer at the source's head) */
  envelopes: (from: bigint, count: number) => Promise<Uint8Array[]>
}

export interface SyncResult { imported: number, head: bigint }

/** Where a catch-up stands, as Ethereum's `eth_syncing` reports it: the block it started from, the last one it imported, the source's head. */
export interface SyncProgress { startingBlock: bigint, currentBlock: bigint, highestBlock: bigint }

export class SyncError extends Error {
  constructor (readonly number: bigint, readonly reason: string) { super(`sync: block ${number} refused: ${reason}`) }
}

export const SYNC_BATCH = 64

/**
 * Imports the source's canonical blocks from `start` (default: just after our head) up to its head as seen at the
 * start; throws SyncError at the first bad block. Blocks we already have are recognised before re-execution, so a
 * node that may sit on a fork starts from its finalized block and only the differing part is executed.
 * `onProgress` is told where it stands at the start and after each batch.
 */
export async function syncFrom (chain: Chain, source: EnvelopeSource, nowMs: () => number = Date.now, start?: bigint, onProgress?: (p: SyncProgress) => void): Promise<SyncResult> {
  const target = await source.headNumber()
  let imported = 0
  let next = start ?? chain.head.header.number + 1n
  const startingBlock = next - 1n
  onProgress?.({ startingBlock, currentBlock: startingBlock, highestBlock: target })
  while (next <= target) {
    const batch = await source.envelopes(next, SYNC_BATCH)
    if (batch.length === 0) throw new SyncError(next, 'the source sent no blocks')
    for (const env of batch) {
      const r = await chain.importEnvelope(env, nowMs())
      if (!r.ok) throw new SyncError(next, r.reason)
      if (r.known !== true) imported++
      next++
    }
    onProgress?.({ startingBlock, currentBlock: next - 1n, highestBlock: target })
  }
  return { imported, head: chain.head.header.number }
}

export function rpcEnvelopeSource (url: string): EnvelopeSource {
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
    const body = await res.json() as { result?: unknown, error?: { message: string } }
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
    return body.result
  }
  return {
    headNumber: async () => BigInt(await call('eth_blockNumber', []) as string),
    envelopes: async (from, count) => (await call('lucid_getEnvelopes', ['0x' + from.toString(16), count]) as string[]).map((h) => hexToBytes(h as `0x${string}`))
  }
}
