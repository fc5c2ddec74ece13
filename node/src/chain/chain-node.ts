/**
 * Block production: wakes at each slot start and each fallback turn, asks the injected decision whether this
 * process may propose, and builds the block. Clock and decision are injected (tests drive them; the network
 * layer will add gossip of the produced envelopes through `onBlock`).
 */
import type { Block } from '@ethereumjs/block'
import { slotStartMs } from '../../../protocols/poot/index.js'
import type { Chain } from './chain.js'
import type { ProposeDecision } from './local-proposer.js'

export interface Clock {
  now: () => number
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms)
    function done (): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve() }
    signal.addEventListener('abort', done, { once: true })
  })
}

export interface ChainNodeOptions {
  clock?: Clock
  decide: ProposeDecision
  /** called with each block this node produced and its envelope (gossip hooks in here) */
  onBlock?: (block: Block, envelope: Uint8Array) => void
  onError?: (err: Error) => void
  /** further instants of a slot to wake at besides the rank turns (a pool member's leading turn, pool-member.ts) */
  wakes?: (chain: Chain, slot: number) => number[]
}

export class ChainNode {
  private readonly clock: Clock
  private abort = new AbortController()
  private loop: Promise<void> | undefined

  constructor (readonly chain: Chain, private readonly opts: ChainNodeOptions) {
    this.clock = opts.clock ?? systemClock
  }

  currentSlot (nowMs = this.clock.now()): number {
    const { genesisMs, params } = this.chain.genesis.poot
    return Math.max(0, Math.floor((nowMs - genesisMs) / params.slotMs))
  }

  start (): void {
    if (this.loop !== undefined) return
    this.abort = new AbortController()
    this.loop = this.run(this.abort.signal)
  }

  async stop (): Promise<void> {
    this.abort.abort()
    await this.loop
    this.loop = undefined
  }

  /** One decision at the current instant; returns the block built, if any. */
  async tick (): Promise<Block | null> {
    const now = this.clock.now()
    const proposal = this.opts.decide(this.chain, this.currentSlot(now), now)
    if (proposal === null) return null
    const block = await this.chain.build(proposal)
    const envelope = await this.chain.envelopeOf(block)
    if (envelope !== undefined) this.opts.onBlock?.(block, envelope)
    return block
  }

  private async run (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try { await this.tick() } catch (e) { this.opts.onError?.(e as Error) }
      if (signal.aborted) break
      // next wake: the next fallback turn in this slot, or the next slot's start
      const now = this.clock.now()
      const slot = this.currentSlot(now)
      const { genesisMs, params } = this.chain.configAt(slot)
      const start = slotStartMs(genesisMs, params, slot)
      const sinceStart = now - start
      const nextTurn = start + (Math.floor(sinceStart / params.slotTimeoutMs) + 1) * params.slotTimeoutMs
      const extra = (this.opts.wakes?.(this.chain, slot) ?? []).filter((t) => t > now)
      const wake = Math.min(nextTurn, start + params.slotMs, ...extra)
      await this.clock.sleep(Math.max(1, wake - now), signal)
    }
  }
}
