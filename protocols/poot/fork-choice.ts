/**
 * Fork choice of one node over the valid blocks it knows. Only descendants of the node's finalized block count
 * (no reorg below finality). Head: the chain with the latest justified checkpoint (as in Gasper, so an honest node's
 * vote source never moves back), then the greatest height; between chains equal in both, at the block where they
 * diverge the lower rank wins (the primary's block over a fallback's), then the lower hash. The node's finalized
 * block follows the head's finalized checkpoint and never moves back.
 */
import type { ChainState } from './state.js'
import { ancestorAtHeight, isAncestor } from './state.js'
import { invalid, VALID, type Validity } from './validity.js'

/** Does chain `a` win over chain `b` (both leaves of known blocks)? */
export function preferred (a: ChainState, b: ChainState): boolean {
  const ja = a.justified[a.justified.length - 1].epoch
  const jb = b.justified[b.justified.length - 1].epoch
  if (ja !== jb) return ja > jb
  if (a.height !== b.height) return a.height > b.height
  if (a.hash === b.hash) return false
  // Walk both back to the children of their common ancestor.
  let x = a
  let y = b
  while (x.parent?.hash !== y.parent?.hash) { x = x.parent as ChainState; y = y.parent as ChainState }
  const rx = x.header?.rank ?? 0
  const ry = y.header?.rank ?? 0
  if (rx !== ry) return rx < ry
  return x.hash < y.hash
}

export class ForkChoice {
  private headState: ChainState
  private finalizedState: ChainState
  private readonly known = new Map<string, ChainState>()

  constructor (genesis: ChainState) {
    this.headState = genesis
    this.finalizedState = genesis
    this.known.set(genesis.hash, genesis)
  }

  /**
   * A fork choice resumed at a finalized state (a node restarting from a snapshot): `finalized` is head and
   * finalized, `kept` the other states it knows (its ancestors still kept), parents first.
   */
  static resume (finalized: ChainState, kept: Iterable<ChainState>): ForkChoice {
    const fc = new ForkChoice(finalized)
    fc.known.clear()
    for (const s of kept) fc.known.set(s.hash, s)
    fc.known.set(finalized.hash, finalized)
    return fc
  }

  get head (): ChainState { return this.headState }
  get finalized (): ChainState { return this.finalizedState }
  has (hash: string): boolean { return this.known.has(hash) }
  get size (): number { return this.known.size }
  get (hash: string): ChainState | undefined { return this.known.get(hash) }
  /** Every known state, in insertion order (parents before children). */
  states (): IterableIterator<ChainState> { return this.known.values() }

  /**
   * Forgets a state that can never win: one off the finalized block's line (a side block at or below finality).
   * Refused for the finalized block, its ancestors and the head.
   */
  forget (hash: string): Validity {
    const state = this.known.get(hash)
    if (state === undefined) return invalid('unknown')
    if (state === this.headState || isAncestor(state, this.finalizedState)) return invalid('on-finalized-line')
    this.known.delete(hash)
    return VALID
  }

  /** Drops a state pruned far below finality (retire.ts) from the index; never the finalized state or the head. */
  prune (hash: string): void {
    if (hash !== this.finalizedState.hash && hash !== this.headState.hash) this.known.delete(hash)
  }

  /** Adds a state whose block passed applyBlock. Refused when it does not descend from the finalized block. */
  add (state: ChainState): Validity {
    if (this.known.has(state.hash)) return VALID
    if (state.parent === null || !this.known.has(state.parent.hash)) return invalid('unknown-parent')
    if (!isAncestor(this.finalizedState, state)) return invalid('conflicts-with-finalized')
    this.known.set(state.hash, state)
    if (preferred(state, this.headState)) this.headState = state
    if (this.headState.finalized.height > this.finalizedState.height) {
      this.finalizedState = ancestorAtHeight(this.headState, this.headState.finalized.height) as ChainState
    }
    return VALID
  }
}
