/**
 * Gives the event loop a turn inside long synchronous loops (decoding a block's transactions, recovering their
 * senders, building tries): `turn()` yields through setImmediate once `sliceMs` has passed since the last turn, so
 * timers, gossip and RPC run between slices of a few ms instead of waiting for the whole loop.
 */
export class Slicer {
  private last: number

  /** `now`: a millisecond clock (injected by tests) */
  constructor (private readonly sliceMs = 4, private readonly now: () => number = () => performance.now()) {
    this.last = now()
  }

  async turn (): Promise<void> {
    if (this.now() - this.last < this.sliceMs) return
    await new Promise((resolve) => setImmediate(resolve))
    this.last = this.now()
  }
}
