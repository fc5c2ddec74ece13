/**
 * Follows the node's anchor transactions until their blocks are final, and writes both steps into the session's
 * CRDT state: the block that first included the transaction (`anchors`), then the block it is in once final
 * (`anchorFinal`). A block that includes an anchor is not final: a late primary's block can still win the slot and
 * put the transaction in another block (docs/chain.md, "Fork choice"), so the final block is read again from the
 * finalized line rather than assumed to be the first one. Nothing is lost over a restart: the node follows again
 * every anchor its state records without a final block.
 */
import type { AnchorFinality, AnchorRecord } from '../../../crdt/schema.js'

/** What the tracker reads of the chain: the node's own JSON-RPC (Anchorer.view), or a scripted chain in tests. */
export interface AnchorChainView {
  headNumber: () => Promise<number>
  /** the transaction's receipt on the canonical chain, or null while no canonical block includes it */
  receipt: (tx: string) => Promise<{ block: number, blockHash: string, succeeded: boolean } | null>
  finalizedNumber: () => Promise<number>
  /** the hash of the canonical block at a height, or null above the head */
  blockHash: (height: number) => Promise<string | null>
  /** whether the node knows the transaction at all (in a block or in its mempool) */
  known: (tx: string) => Promise<boolean>
  /**
   * The session's registration in LucidAnchors on the canonical chain (who registered which root, by which
   * transaction in which block), or null while it is not registered.
   */
  registration: (sessionId: string) => Promise<Registration | null>
}

export interface Registration { tx: string, block: number, registrant: string, merkleRoot: string }

/** Head changes after which a transaction the chain does not know at all is given up as lost (never gossiped). */
export const LOST_AFTER_LOOKS = 3

export type AnchorStep =
  | { kind: 'pending' }
  | { kind: 'included' | 'final' | 'reverted', block: number, blockHash: string, succeeded: boolean }

/**
 * One look at an anchor transaction. Read in this order, a 'final' answer cannot be undone: the receipt, then the
 * finalized height, then the canonical hash at the receipt's height. Once that height is at or below the finalized
 * one, the canonical block there is on the finalized line and can no longer change; the receipt counts only when it
 * names that very block (a reorg between the reads gives 'pending', and the next look sees the new block).
 * 'reverted': final, and the transaction failed (e.g. another registrant took the session ID first).
 */
export async function anchorStep (view: AnchorChainView, tx: string): Promise<AnchorStep> {
  const r = await view.receipt(tx)
  if (r === null) return { kind: 'pending' }
  const finalized = await view.finalizedNumber()
  if (r.block > finalized) return { kind: 'included', ...r }
  if (await view.blockHash(r.block) !== r.blockHash) return { kind: 'pending' }
  return { kind: r.succeeded ? 'final' : 'reverted', ...r }
}

export interface AnchorTrackerInit {
  view: AnchorChainView
  chainId: number
  /** the CRDT writes (StateService.anchored / anchorFinal) */
  record: {
    included: (sessionId: string, anchor: AnchorRecord) => Promise<void>
    final: (sessionId: string, finality: AnchorFinality) => Promise<void>
  }
  /**
   * A followed transaction is no longer followed: 'lost' when the chain does not know it (e.g. the node was killed
   * before gossiping it, or a reorg took it out and its nonce went to another), 'reverted' when it failed in a final
   * block (e.g. the session ID was registered first, by another account or by an earlier transaction of ours).
   */
  gone: (sessionId: string, tx: string, why: 'lost' | 'reverted') => Promise<void> | void
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, debug: (o: object, m: string) => void }
  now: () => number
  /** how often the head is looked at; anchors are looked at again only when it moved */
  pollMs?: number
}

interface Followed { tx: string, included: boolean, unknownLooks: number }

export class AnchorTracker {
  private readonly followed = new Map<string, Followed>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private lastHead = -1

  constructor (private readonly init: AnchorTrackerInit) {}

  /** Follows a session's anchor transaction; `included` when its inclusion is already in the state. */
  follow (sessionId: string, tx: string, included = false): void {
    this.followed.set(sessionId, { tx, included, unknownLooks: 0 })
    this.lastHead = -1 // look at it on the next tick even if the head has not moved
  }

  /** Sessions whose anchor is followed. */
  get pending (): string[] { return [...this.followed.keys()] }

  start (): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => { void this.tick() }, this.init.pollMs ?? 1000)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  /** One round over the followed anchors (skipped while the previous one runs or when the head has not moved). */
  async tick (): Promise<void> {
    if (this.running !== undefined || this.followed.size === 0) return
    this.running = this.round().finally(() => { this.running = undefined })
    await this.running
  }

  private async round (): Promise<void> {
    const { view, log } = this.init
    let head: number
    try { head = await view.headNumber() } catch (err) {
      log.debug({ err: (err as Error).message }, 'anchor tracker: chain not readable')
      return
    }
    if (head === this.lastHead) return
    this.lastHead = head
    for (const [sessionId, f] of [...this.followed]) {
      try {
        await this.look(sessionId, f)
      } catch (err) {
        this.lastHead = -1 // look again next time
        log.debug({ sessionId, tx: f.tx, err: (err as Error).message }, 'anchor tracker: look failed')
      }
    }
  }

  private async look (sessionId: string, f: Followed): Promise<void> {
    const { record, log, now, chainId } = this.init
    const step = await anchorStep(this.init.view, f.tx)
    if (step.kind === 'pending') {
      // an included one too: a reorg puts it back in the mempool, where it is known
      if (await this.init.view.known(f.tx)) { f.unknownLooks = 0; return }
      if (++f.unknownLooks < LOST_AFTER_LOOKS) return
      this.followed.delete(sessionId)
      log.info({ sessionId, tx: f.tx }, 'anchor transaction unknown to the chain: lost')
      await this.init.gone(sessionId, f.tx, 'lost')
      return
    }
    if (step.kind === 'reverted') {
      this.followed.delete(sessionId)
      log.info({ sessionId, tx: f.tx, block: step.block }, 'anchor transaction reverted in a final block')
      await this.init.gone(sessionId, f.tx, 'reverted')
      return
    }
    if (!f.included && step.succeeded) {
      await record.included(sessionId, { tx: f.tx, chainId, block: step.block, at: now() })
      f.included = true
      log.info({ sessionId, tx: f.tx, block: step.block }, 'session anchored')
    }
    if (step.kind === 'final') {
      await record.final(sessionId, { block: step.block, blockHash: step.blockHash, at: now() })
      this.followed.delete(sessionId)
      log.info({ sessionId, tx: f.tx, block: step.block }, 'anchor final')
    }
  }
}
