/**
 * Relay receipts over libp2p (/lucid/1/chain/relay/1.0.0), one receipt per stream, length-prefixed RLP:
 *   → [slot, bytes, receiverSig]       the receiver's half of the receipt; relayer and receiver are the two peers
 *   ← [0, relayerSig] | [1, reason]    countersigned, or refused with a reason
 * Peers are Ed25519 libp2p identities whose public keys are their PoOT node ids.
 */
import { lpStream } from '@libp2p/utils'
import type { PeerId, Stream } from '@libp2p/interface'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToUtf8, utf8ToBytes } from '@ethereumjs/util'
import type { NodeId, RelayReceipt } from '../../../protocols/poot/index.js'
import { rlpFields } from '../chain/rlp-fields.js'
import type { ReceiptRequest } from './relay-accounts.js'
import { RELAY_PROTOCOL, RELAY_TIMEOUT_MS } from './constants.js'
import type { SyncLibp2p } from './sync-protocol.js'

export class RelayProtocolError extends Error {}

const fail = (what: string): never => { throw new RelayProtocolError(`relay receipt: ${what}`) }
const { bytes, num, list } = rlpFields(fail)
const int = (n: number): Uint8Array => bigIntToUnpaddedBytes(BigInt(n))
const MAX_MESSAGE_BYTES = 512

function decode (data: Uint8Array, what: string): unknown {
  try { return RLP.decode(data) } catch (e) { return fail(`${what} is not RLP (${(e as Error).message})`) }
}

/** The PoOT node id of a peer: its Ed25519 public key in hex, or null for another key type. */
export function nodeIdOf (peer: PeerId): NodeId | null {
  return peer.type === 'Ed25519' ? Buffer.from(peer.publicKey.raw).toString('hex') : null
}

/**
 * Serves one receipt on an inbound stream: `countersign` returns the full receipt or the reason it is refused.
 * Throws RelayProtocolError for a malformed request (the caller penalises the peer).
 */
export async function serveRelayReceipt (stream: Stream, relayer: NodeId, receiver: NodeId, countersign: (r: ReceiptRequest) => RelayReceipt | string, signal: AbortSignal): Promise<RelayReceipt | string> {
  const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
  const f = list(decode((await lp.read({ signal })).subarray(), 'request'), 'request', 3)
  const request: ReceiptRequest = { kind: 'relay', node: relayer, receiver, slot: num(f[0], 'slot'), bytes: num(f[1], 'bytes'), receiverSig: bytes(f[2], 'receiverSig', 64) }
  const out = countersign(request)
  await lp.write(RLP.encode(typeof out === 'string' ? [int(1), utf8ToBytes(out)] : [int(0), out.sig]), { signal })
  await stream.close({ signal }).catch(() => {})
  return out
}

/** Sends a receipt to its relayer: the countersigned receipt, or the relayer's reason for refusing it. */
export async function requestCountersignature (libp2p: SyncLibp2p, relayer: PeerId, r: ReceiptRequest): Promise<RelayReceipt | string> {
  const signal = AbortSignal.timeout(RELAY_TIMEOUT_MS)
  const stream = await libp2p.dialProtocol(relayer, RELAY_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
    await lp.write(RLP.encode([int(r.slot), int(r.bytes), r.receiverSig]), { signal })
    const f = list(decode((await lp.read({ signal })).subarray(), 'answer'), 'answer', 2)
    const status = num(f[0], 'status')
    await stream.close({ signal }).catch(() => {})
    if (status === 1) return `refused: ${bytesToUtf8(bytes(f[1], 'reason')).slice(0, 100)}`
    if (status !== 0) fail(`unknown status ${status}`)
    return { ...r, sig: bytes(f[1], 'relayer signature', 64) }
  } catch (e) {
    stream.abort(e as Error)
    throw e
  }
}
