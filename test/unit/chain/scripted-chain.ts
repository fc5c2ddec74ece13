/**
 * A scripted canonical chain for the anchoring tests: blocks, reorgs above finality, a mempool, the tracker's view, and
 * LucidAnchors' registrations (a transaction that registers a session fails when an earlier canonical one did).
 */
import type { AnchorChainView, Registration } from '../../../node/src/chainnet/anchor-tracker.js'

interface Block { hash: string, txs: Map<string, boolean> }

/** A canonical chain of blocks (index = height, 0 = genesis) with a finalized height reorgs never go below. */
export class ScriptedChain {
  blocks: Block[] = [{ hash: hashOf(0), txs: new Map() }]
  finalized = 0
  private made = 1
  calls = 0
  /** transactions known to the node but in no canonical block */
  readonly mempool = new Set<string>()
  /** what a transaction registers, when it is a registerSession */
  readonly registers = new Map<string, Omit<Registration, 'tx' | 'block'> & { sessionId: string }>()
  /** run before every read the tracker makes (to change the chain between its reads) */
  beforeRead: () => void = () => {}

  get head (): number { return this.blocks.length - 1 }
  extend (txs: Array<[string, boolean]> = []): void { this.blocks.push({ hash: hashOf(this.made++), txs: new Map(txs) }) }
  /**
   * Replaces the blocks above `height` (never at or below the finalized one) with `count` new ones, `put.tx` in the
   * new one at `put.at` unless the kept blocks have it (a transaction is in one canonical block).
   */
  reorg (height: number, count: number, put?: { tx: string, at: number }): void {
    const from = Math.max(height, this.finalized) + 1
    this.blocks.length = Math.min(this.blocks.length, from)
    const kept = put === undefined || this.where(put.tx) >= 0
    for (let i = 0; i < count; i++) this.extend(!kept && put.at === i ? [[put.tx, true]] : [])
  }

  /** A block with every mempool transaction (succeeded), then everything up to it final. */
  mineAndFinalize (): void {
    this.extend([...this.mempool].filter((tx) => this.where(tx) < 0).map((tx) => [tx, true]))
    this.finalize(this.head)
  }

  finalize (height: number): void { this.finalized = Math.max(this.finalized, Math.min(height, this.head)) }
  where (tx: string): number { return this.blocks.findIndex((b) => b.txs.has(tx)) }

  /** The first canonical transaction that registered the session and did not fail otherwise. */
  registration (sessionId: string): Registration | null {
    for (const [block, b] of this.blocks.entries()) {
      for (const [tx, ok] of b.txs) {
        const r = this.registers.get(tx)
        if (ok && r?.sessionId === sessionId) return { tx, block, registrant: r.registrant, merkleRoot: r.merkleRoot }
      }
    }
    return null
  }

  /** Whether a canonical transaction succeeded: its own outcome, and for a registration, that it came first. */
  succeeded (tx: string, h: number): boolean {
    const ok = this.blocks[h].txs.get(tx) as boolean
    const r = this.registers.get(tx)
    return ok && (r === undefined || this.registration(r.sessionId)?.tx === tx)
  }

  view (): AnchorChainView {
    const read = <T>(f: () => T): T => { this.calls++; this.beforeRead(); return f() }
    return {
      headNumber: async () => read(() => this.head),
      receipt: async (tx) => read(() => {
        const h = this.where(tx)
        return h < 0 ? null : { block: h, blockHash: this.blocks[h].hash, succeeded: this.succeeded(tx, h) }
      }),
      finalizedNumber: async () => read(() => this.finalized),
      blockHash: async (h) => read(() => this.blocks[h]?.hash ?? null),
      known: async (tx) => read(() => this.where(tx) >= 0 || this.mempool.has(tx)),
      registration: async (sessionId) => read(() => this.registration(sessionId))
    }
  }
}

export function hashOf (n: number): string { return '0x' + n.toString(16).padStart(64, '0') }
