/**
 * Chain sync over libp2p (/lucid/1/chain/sync/1.0.0), one request per stream, length-prefixed RLP:
 *   → [0]                       status     ← [headNumber, headHash, finalizedNumber, genesisHash]
 *   → [1, from, count]          blocks     ← one message per canonical envelope from `from`, then an empty message
 * The server answers at most SYNC_MAX_BLOCKS blocks or SYNC_MAX_ANSWER_BYTES per request. The client side is an
 * EnvelopeSource for chain/sync.ts, so every block received is checked and re-executed by importEnvelope.
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Chain } from '../chain/chain.js'
import type { EnvelopeSource } from '../chain/sync.js'
import { MAX_SYNC_MESSAGE_BYTES, SYNC_MAX_ANSWER_BYTES, SYNC_MAX_BLOCKS, SYNC_PROTOCOL, SYNC_TIMEOUT_MS } from './constants.js'

export interface ChainStatus { head: bigint, headHash: string, finalized: bigint, genesisHash: string }

export class SyncProtocolError extends Error {}

export interface SyncLibp2p {
  handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, opts?: { maxInboundStreams?: number }) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  dialProtocol: (peer: PeerId, protocol: string, opts?: { signal?: AbortSignal }) => Promise<Stream>
}

const big = (n: bigint): Uint8Array => bigIntToUnpaddedBytes(n)

function bad (what: string): never { throw new SyncProtocolError(`chain sync: ${what}`) }

function bytesField (x: unknown, what: string): Uint8Array {
  if (!(x instanceof Uint8Array)) bad(`${what} is not a byte string`)
  return x
}

function quantity (x: unknown, what: string): bigint {
  const b = bytesField(x, what)
  if (b.length > 8) bad(`${what} is too large`)
  return bytesToBigInt(b)
}

function decode (data: Uint8Array, what: string): unknown[] {
  let x: unknown
  try { x = RLP.decode(data) } catch (e) { bad(`${what} is not RLP (${(e as Error).message})`) }
  if (!Array.isArray(x) || x.length === 0) bad(`${what} is not a non-empty list`)
  return x
}

/** The PoOT height of the finalized block is its EVM number (one EVM block per PoOT block from genesis). */
export function chainStatus (chain: Chain): ChainStatus {
  return {
    head: chain.head.header.number,
    headHash: bytesToHex(chain.head.hash()),
    finalized: BigInt(chain.headPoot.finalized.height),
    genesisHash: bytesToHex(chain.blockchain.genesisBlock.hash())
  }
}

/** Serves one request on an inbound stream; throws SyncProtocolError for a malformed request (the caller penalises). */
export async function serveSync (chain: Chain, stream: Stream, signal: AbortSignal): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: 1024 }) // requests are tiny; writes are not bounded by this
  const req = decode((await lp.read({ signal })).subarray(), 'request')
  const type = quantity(req[0], 'request type')
  if (type === 0n) {
    const s = chainStatus(chain)
    await lp.write(RLP.encode([big(s.head), hexToBytes(s.headHash as `0x${string}`), big(s.finalized), hexToBytes(s.genesisHash as `0x${string}`)]), { signal })
  } else if (type === 1n) {
    if (req.length !== 3) bad('a blocks request has 3 fields')
    const from = quantity(req[1], 'from')
    const count = Number(quantity(req[2], 'count'))
    if (count < 1 || count > SYNC_MAX_BLOCKS) bad(`count must be 1..${SYNC_MAX_BLOCKS}, got ${count}`)
    for (const env of await chain.envelopes(from, count, SYNC_MAX_ANSWER_BYTES)) await lp.write(env, { signal })
    await lp.write(new Uint8Array(0), { signal })
  } else {
    bad(`unknown request type ${type}`)
  }
  await stream.close({ signal }).catch(() => {})
}

async function request<T> (libp2p: SyncLibp2p, peer: PeerId, body: Uint8Array, read: (lp: ReturnType<typeof lpStream>, signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
  const stream = await libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES })
    await lp.write(body, { signal })
    const out = await read(lp, signal)
    await stream.close({ signal }).catch(() => {})
    return out
  } catch (e) {
    stream.abort(e as Error)
    throw e
  }
}

export async function requestStatus (libp2p: SyncLibp2p, peer: PeerId): Promise<ChainStatus> {
  return await request(libp2p, peer, RLP.encode([big(0n)]), async (lp, signal) => {
    const f = decode((await lp.read({ signal })).subarray(), 'status')
    if (f.length !== 4) bad('a status has 4 fields')
    return { head: quantity(f[0], 'head'), headHash: bytesToHex(bytesField(f[1], 'head hash')), finalized: quantity(f[2], 'finalized'), genesisHash: bytesToHex(bytesField(f[3], 'genesis hash')) }
  })
}

export async function requestBlocks (libp2p: SyncLibp2p, peer: PeerId, from: bigint, count: number): Promise<Uint8Array[]> {
  return await request(libp2p, peer, RLP.encode([big(1n), big(from), big(BigInt(count))]), async (lp, signal) => {
    const out: Uint8Array[] = []
    for (;;) {
      const msg = (await lp.read({ signal })).subarray()
      if (msg.length === 0) return out
      if (out.length >= count) bad(`the peer sent more than the ${count} blocks asked for`)
      out.push(msg)
    }
  })
}

/** A peer as the source of a catch-up (chain/sync.ts). */
export function peerEnvelopeSource (libp2p: SyncLibp2p, peer: PeerId, status?: ChainStatus): EnvelopeSource {
  return {
    headNumber: async () => (status ?? await requestStatus(libp2p, peer)).head,
    envelopes: async (from, count) => await requestBlocks(libp2p, peer, from, Math.min(count, SYNC_MAX_BLOCKS))
  }
}
