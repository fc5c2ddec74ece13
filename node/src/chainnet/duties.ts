/**
 * A node's own task proofs, decided purely from (key, head, time): one validation vote per slot, cast once the
 * slot's last proposer turn has passed and its block had time to arrive (as the PoOT harness does), and the
 * heartbeat that is due (once the head is recent enough for it to count). The service calls this on a timer and gossips what it returns.
 */
import { beatAt, blockAtOrBefore, makeHeartbeat, makeVote, slotOfBeatIn, slotStartMs, type ChainState, type NodeKey, type PootConfig, type PootParams, type TaskProof } from '../../../protocols/poot/index.js'

export interface DutyState { lastAttestedSlot: number, lastBeat: number }

export const freshDuties = (): DutyState => ({ lastAttestedSlot: -1, lastBeat: -1 })

/** Milliseconds into a slot at which votes are cast: half-way between the last fallback turn and the slot's end. */
export function attestOffsetMs (params: PootParams): number {
  const lastTurn = (params.maxFallbacks + 1) * params.slotTimeoutMs
  return lastTurn + Math.floor((params.slotMs - lastTurn) / 2)
}

/** What duties read of the config of the current slot: timing, and where heartbeat numbering stands. */
export type DutyClock = Pick<PootConfig, 'params' | 'genesisMs' | 'beatOrigin'>

/** The proofs due at `nowMs` (and the updated state); none before genesis. */
export function dueProofs (key: NodeKey, head: ChainState, clock: DutyClock, nowMs: number, st: DutyState): { proofs: TaskProof[], state: DutyState } {
  const { params, genesisMs } = clock
  if (nowMs < genesisMs) return { proofs: [], state: st }
  const proofs: TaskProof[] = []
  const slot = Math.floor((nowMs - genesisMs) / params.slotMs)
  let { lastAttestedSlot, lastBeat } = st
  // a vote's source (the head's latest justified checkpoint) must come from an earlier slot, or it never counts
  const sourceEpoch = head.justified[head.justified.length - 1].epoch
  if (slot > lastAttestedSlot && slot > sourceEpoch && nowMs >= slotStartMs(genesisMs, params, slot) + attestOffsetMs(params) && head.slot <= slot) {
    proofs.push(makeVote(key, head, slot))
    lastAttestedSlot = slot
  }
  const beat = beatAt(clock, nowMs)
  if (beat > lastBeat) {
    const beatSlot = slotOfBeatIn(clock, beat)
    const ref = blockAtOrBefore(head, beatSlot)
    // a head more than maxProofAgeSlots behind (syncing, or the chain stalled) gives only a stale reference, which
    // every node refuses: the beat waits for a fresher head instead of being spent
    if (beatSlot - ref.slot <= params.maxProofAgeSlots) {
      proofs.push(makeHeartbeat(key, beatSlot, beat, { slot: ref.slot, hash: ref.hash }))
      lastBeat = beat
    }
  }
  return { proofs, state: { lastAttestedSlot, lastBeat } }
}

/** Duties of several keys (a node's own, or every key of a one-process development chain). */
export class Duties {
  private readonly states = new Map<string, DutyState>()

  constructor (private readonly keys: readonly NodeKey[]) {}

  due (head: ChainState, clock: DutyClock, nowMs: number): TaskProof[] {
    const out: TaskProof[] = []
    for (const key of this.keys) {
      const r = dueProofs(key, head, clock, nowMs, this.states.get(key.id) ?? freshDuties())
      this.states.set(key.id, r.state)
      out.push(...r.proofs)
    }
    return out
  }
}
