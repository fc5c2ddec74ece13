/**
 * Relay receipts from chunk transfers (PoOT's relay task proof, credited to the relayer): the bookkeeping of both
 * sides, pure (no I/O, no clock; the service gives it the slot).
 *
 * - As receiver, a node counts the block bytes each peer delivered to it over bitswap and, once per slot, signs a
 *   receipt for what it owes each relayer. A receipt is made only once it earns at least one credit
 *   (⌊bytes × creditRelayPerMiB / 2^20⌋ ≥ 1); smaller amounts wait for more bytes. Relayers that are not registered
 *   nodes, or are in this node's own entity, earn nothing (PoOT refuses self-relay) and are not counted.
 * - As relayer, a node countersigns a receipt sent to it when the receipt names it and the peer that sent it, is
 *   fresh, carries a valid receiver signature, has not been countersigned before, and asks for no more bytes than it
 *   served and has not yet had receipted. Served bytes are counted for all peers together (what bitswap read from the
 *   store to serve), so this is an honest relayer's sanity bound, not a proof against a colluding pair: that bound is
 *   PoOT's `maxRelayBytesPerReceipt` and its one receipt per (relayer, receiver, slot).
 */
import { relayMessage, verifySignature, type NodeId, type NodeKey, type PootParams, type RelayReceipt } from '../../../protocols/poot/index.js'

/** A receipt signed by its receiver only, on its way to the relayer. */
export type ReceiptRequest = Omit<RelayReceipt, 'sig'>

/** Slots a receipt may lag behind the relayer's clock when it arrives (it is made in the receiver's current slot). */
export const RECEIPT_MAX_LAG_SLOTS = 2

/** Bytes that earn one credit (Infinity when relaying earns nothing). */
export function bytesPerCredit (params: PootParams): number {
  return params.creditRelayPerMiB > 0 ? Math.ceil(1_048_576 / params.creditRelayPerMiB) : Infinity
}

export class RelayAccounts {
  /** receiver side: bytes each relayer delivered that no receipt covers yet */
  private readonly owed = new Map<NodeId, number>()
  /** relayer side: bytes served that no countersigned receipt covers yet */
  private unreceipted = 0
  /** relayer side: `receiver/slot` of receipts countersigned (one per pair and slot, as PoOT counts them) */
  private readonly countersigned = new Map<string, number>()

  /**
   * @param key - this node's PoOT key
   * @param params - the chain's PoOT parameters
   * @param earnsFrom - whether a peer's node id may earn relay credits from this node (registered, another entity)
   */
  constructor (private readonly key: NodeKey, private readonly params: PootParams, private readonly earnsFrom: (node: NodeId) => boolean) {}

  /** Bytes a relayer delivered to this node. */
  received (relayer: NodeId, bytes: number): void {
    if (relayer === this.key.id || !(bytes > 0) || !this.earnsFrom(relayer)) return
    this.owed.set(relayer, (this.owed.get(relayer) ?? 0) + bytes)
  }

  /** Bytes this node served to peers. */
  served (bytes: number): void {
    if (bytes > 0) this.unreceipted += bytes
  }

  /** Bytes still owed to `relayer` (for status and tests). */
  owedTo (relayer: NodeId): number { return this.owed.get(relayer) ?? 0 }

  /** Served bytes not yet receipted. */
  get servedUnreceipted (): number { return this.unreceipted }

  /** The receipts due at `slot`, signed as receiver; their bytes are no longer owed (see `restore`). */
  due (slot: number): ReceiptRequest[] {
    const min = bytesPerCredit(this.params)
    const out: ReceiptRequest[] = []
    for (const [node, owed] of this.owed) {
      if (owed < min) continue
      const bytes = Math.min(owed, this.params.maxRelayBytesPerReceipt)
      const body = { node, receiver: this.key.id, slot, bytes }
      out.push({ kind: 'relay', ...body, receiverSig: this.key.sign(relayMessage(body)) })
      if (owed === bytes) this.owed.delete(node)
      else this.owed.set(node, owed - bytes)
    }
    return out
  }

  /** Puts back the bytes of a receipt that never reached its relayer (they are receipted again in a later slot). */
  restore (r: ReceiptRequest): void {
    this.owed.set(r.node, (this.owed.get(r.node) ?? 0) + r.bytes)
  }

  /**
   * As relayer: the countersigned receipt, or the reason it is refused. `from` is the node id of the peer that sent
   * it; `slot` is this node's current slot; `invalid` (e.g. PoOT's check as the next block would make it) may still
   * refuse the signed receipt, before any served bytes are spent on it.
   */
  countersign (r: ReceiptRequest, from: NodeId, slot: number, invalid: (receipt: RelayReceipt) => string | null = () => null): RelayReceipt | string {
    if (r.node !== this.key.id) return 'not-our-receipt'
    if (r.receiver !== from) return 'receiver-is-not-the-sender'
    if (!Number.isSafeInteger(r.slot) || r.slot > slot) return 'future-slot'
    if (slot - r.slot > RECEIPT_MAX_LAG_SLOTS) return 'stale'
    if (!Number.isSafeInteger(r.bytes) || r.bytes < 1 || r.bytes > this.params.maxRelayBytesPerReceipt) return 'bad-bytes'
    if (!this.earnsFrom(r.receiver)) return 'receiver-cannot-credit-us'
    const pair = `${r.receiver}/${r.slot}`
    if (this.countersigned.has(pair)) return 'duplicate'
    if (r.bytes > this.unreceipted) return 'more-than-served'
    const message = relayMessage(r)
    if (!verifySignature(r.receiver, message, r.receiverSig)) return 'bad-receiver-signature'
    const receipt = { ...r, sig: this.key.sign(message) }
    const why = invalid(receipt)
    if (why !== null) return why
    this.unreceipted -= r.bytes
    this.countersigned.set(pair, r.slot)
    for (const [k, s] of this.countersigned) if (slot - s > RECEIPT_MAX_LAG_SLOTS) this.countersigned.delete(k)
    return receipt
  }
}
