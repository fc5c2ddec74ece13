/**
 * Block bytes moved over bitswap, as they happen: served to peers (what bitswap read from the store for them) and
 * received, per delivering peer (from bitswap's `bitswap:block` progress event on the node's own fetches). The node's
 * metrics and the chain's relay receipts listen.
 */
import type { PeerId } from '@libp2p/interface'

export class TransferTraffic {
  private readonly servedListeners: Array<(bytes: number) => void> = []
  private readonly receivedListeners: Array<(peer: PeerId, bytes: number) => void> = []

  served (bytes: number): void { for (const fn of this.servedListeners) fn(bytes) }
  received (peer: PeerId, bytes: number): void { for (const fn of this.receivedListeners) fn(peer, bytes) }

  onServed (fn: (bytes: number) => void): void { this.servedListeners.push(fn) }
  onReceived (fn: (peer: PeerId, bytes: number) => void): void { this.receivedListeners.push(fn) }
}
