/**
 * Credit of a single task proof, in whole credits. Credits are not money: they rank entities, so plain integers.
 *   heartbeat: creditHeartbeat; storage answer: creditStorage; validation (attestation): creditValidation;
 *   relay receipt: ⌊bytes × creditRelayPerMiB / 2^20⌋.
 * A missed storage challenge costs storageMissPenalty (transition.ts).
 */
import type { PootParams } from './params.js'
import type { TaskProof } from './proofs.js'
import { ancestorAtHeight, type ChainState } from './state.js'

export function proofCredit (p: TaskProof, params: PootParams): number {
  switch (p.kind) {
    case 'heartbeat': return params.creditHeartbeat
    case 'storage': return params.creditStorage
    case 'attestation': return params.creditValidation
    case 'relay': return Math.floor(p.bytes * params.creditRelayPerMiB / 1_048_576)
    case 'holding': return 0
    case 'release': return 0
  }
}

/** Adds `amount` to `entity` in a mutable tally, dropping zero entries so equal tallies have equal maps. */
export function addCredit (tally: Map<string, number>, entity: string, amount: number): void {
  if (amount === 0) return
  const next = (tally.get(entity) ?? 0) + amount
  if (next === 0) tally.delete(entity)
  else tally.set(entity, next)
}

/**
 * The tally after a block at `slot` on `parent`: the parent's tally plus this block's delta, minus the deltas of the
 * blocks whose slot left the window (slot − windowSlots, slot]. Work: one map copy plus the expiring deltas
 * (usually one block's), instead of summing the whole window.
 */
export function slideWindow (parent: ChainState, slot: number, delta: ReadonlyMap<string, number>, windowSlots: number): { credits: Map<string, number>, windowStart: number } {
  const credits = new Map(parent.credits)
  for (const [e, v] of delta) addCredit(credits, e, v)
  let windowStart = parent.windowStart
  const oldest = slot - windowSlots
  while (windowStart <= parent.height) {
    const old = ancestorAtHeight(parent, windowStart) as ChainState
    if (old.slot > oldest) break
    for (const [e, v] of old.delta) addCredit(credits, e, -v)
    windowStart++
  }
  return { credits, windowStart }
}

/** The same tally summed from scratch over the window (the reference for tests and the benchmark's baseline). */
export function recomputeTally (parent: ChainState, slot: number, delta: ReadonlyMap<string, number>, windowSlots: number): Map<string, number> {
  const credits = new Map<string, number>()
  for (const [e, v] of delta) addCredit(credits, e, v)
  for (let s: ChainState | null = parent; s !== null && s.height > 0 && s.slot > slot - windowSlots; s = s.parent) {
    for (const [e, v] of s.delta) addCredit(credits, e, v)
  }
  return credits
}
