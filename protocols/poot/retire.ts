/**
 * Retiring old PoOT states. Every state links to its parent, so a running chain keeps one state per block; most of a
 * state (its proof keys, credits, vote links, tallies) is read only while it is the parent of a block being checked.
 * A state far enough below finality can never be a parent again, and the rules read only its place in the chain
 * (hash, slot, height, parent, skip: ancestor lookups, references) and, while its block is inside the credit window,
 * its delta (subtracted when it leaves); its header (cooldown, fork choice) and mix (schedule, randomness) are read
 * only within a few dozen blocks of a parent. Retiring drops the rest in place (a retired state's header is null).
 *
 * Once a retired block has also left the finalized state's credit window, no rule reads it at all: it is pruned, cut
 * off the chain (its parent and skip links dropped, and with them every state below it), so what a long-running node
 * keeps is bounded by the credit window (bench/chain/chain-growth.bench.ts). Ancestor lookups below the pruned floor
 * answer null or a pruned state a kept skip pointer still leads to (state.ts ancestorAtHeight), and so does a new
 * state's skip pointer whose target is below it: no lookup at or above the floor takes such a pointer. The pruned
 * states are returned, for whatever indexes them by hash.
 *
 * This is the one place that writes to a state after it was made: a retired state answers nothing but its place in
 * the chain and must not be used as a parent, a head or a view. The depths keep every rule's walk-back clear of
 * what is dropped: proof replays look back maxProofAgeSlots ≤ 64 slots, cooldown ≤ 64 slots, and a block at or
 * below the finalized one cannot be built on.
 */
import { ancestorAtHeight, type ChainState } from './state.js'

/** States at least this many blocks below the finalized one are retired (≥ the largest walk-back of the rules). */
export const RETIRE_DEPTH = 128

const NONE = new Map<never, never>()
const NO_KEYS = new Set<string>()
const NO_BEATS = { due: 0, counted: NONE }
const NO_MIX = new Uint8Array(0)
const NO_CHALLENGES = Object.freeze([])
const NO_SESSIONS = Object.freeze([])

type Retirable = { -readonly [K in keyof ChainState]: ChainState[K] }

/**
 * How far retiring has gone: states below `below` are retired, those below `prunedBelow` pruned; `pruned`: the
 * states the call that returned it pruned, newest first.
 */
export interface Retired { readonly below: number, readonly prunedBelow: number, readonly pruned: readonly ChainState[] }
export const NOTHING_RETIRED: Retired = { below: 1, prunedBelow: 1, pruned: [] }

/**
 * Retires the states of the chain ending at `finalized` from `RETIRE_DEPTH` blocks below it down to where the
 * previous call stopped (`done`), and prunes the retired blocks below the finalized state's credit window start:
 * every block still to come descends from the finalized one, and a window's start never moves back along a chain, so
 * no block will subtract their deltas again (the head's start would not do: a side branch whose tip is in an earlier
 * slot still has to subtract some). Genesis is never touched. Returns how far it went, for the next call, which then
 * costs only the new states.
 */
export function retireStates (finalized: ChainState, done: Retired): Retired {
  const top = finalized.height - RETIRE_DEPTH
  const prunedTo = Math.min(top, finalized.windowStart - 1)
  // each range collected from its top down (found through the skip pointers), genesis excluded
  const range = (from: number, to: number): Retirable[] => {
    const out: Retirable[] = []
    for (let s = ancestorAtHeight(finalized, from); s !== null && s.height >= Math.max(to, 1); s = s.parent) out.push(s as Retirable)
    return out
  }
  for (const r of range(top, done.below)) {
    r.proofKeys = NO_KEYS
    r.credits = NONE
    r.links = NONE
    r.missed = NONE
    r.jailedUntil = NONE
    r.earned = NONE
    r.uptime = NONE
    r.epochBeats = NO_BEATS
    r.openChallenges = NO_CHALLENGES
    r.catalog = NO_SESSIONS
    r.justified = [r.finalized]
    // read only of a parent (schedule, randomness) or within the walk-backs' depth (cooldown, fork choice)
    r.header = null
    r.mix = NO_MIX
  }
  const pruned = range(prunedTo, done.prunedBelow)
  for (const r of pruned) {
    r.delta = NONE
    r.parent = null
    r.skip = null
  }
  return { below: Math.max(done.below, top + 1), prunedBelow: Math.max(done.prunedBelow, prunedTo + 1), pruned }
}
