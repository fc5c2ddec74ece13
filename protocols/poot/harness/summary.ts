/**
 * What a harness run came to, as plain data (for `lucid sim` and for researchers' scripts): blocks, who proposed
 * them (by rank), how far finality got on every honest node that is up, whether those nodes agree, and the
 * safety counters (finality reverts and accepted forged proofs must stay 0).
 */
import { isAncestor, type ChainState } from '../state.js'
import { Harness } from './harness.js'

export interface SimSummary {
  nodes: number
  slots: number
  blocksProposed: number
  /** blocks on the first honest online node's chain, by the rank of their proposer (0: primary; the Server's are counted apart) */
  canonicalByRank: Record<string, number>
  serverBlocks: number
  /** over honest nodes that are up at the end */
  headHeight: { min: number, max: number }
  finalizedHeight: { min: number, max: number }
  /** every honest, up node's finalized block is on one chain */
  finalityAgreed: boolean
  finalityReverts: number
  forgedProofsAccepted: number
  /** a forger's replayed copy counted as the original it is, where the network dropped the original */
  replaysCountedAsOriginal: number
  rejectedForgedProofs: Record<string, number>
  rejectedBlocks: Record<string, number>
  equivocationsEvidenced: number
  doubleVotesEvidenced: number
}

/** One slot's line of a trace: where the honest nodes that are up stand after the slot. */
export interface SlotTrace { slot: number, headHeight: { min: number, max: number }, finalizedHeight: { min: number, max: number }, blocksProposed: number, online: number }

function honestUp (h: Harness): { heads: ChainState[], finals: ChainState[] } {
  const honest = h.nodes.filter((n) => n.online && n.behaviour === 'honest')
  return { heads: honest.map((n) => h.head(n.index)), finals: honest.map((n) => h.finalized(n.index)) }
}

function heights (states: ChainState[]): { min: number, max: number } {
  let min = Infinity
  let max = 0
  for (const s of states) { min = Math.min(min, s.height); max = Math.max(max, s.height) }
  return { min: states.length === 0 ? 0 : min, max }
}

export function traceSlot (h: Harness, slot: number): SlotTrace {
  const { heads, finals } = honestUp(h)
  return { slot, headHeight: heights(heads), finalizedHeight: heights(finals), blocksProposed: h.stats.blocksProposed, online: h.nodes.filter((n) => n.online).length }
}

export function summarize (h: Harness, slots: number): SimSummary {
  const { heads, finals } = honestUp(h)
  const canonicalByRank: Record<string, number> = {}
  let serverBlocks = 0
  const server = h.nodes[h.serverIndex].entity
  for (const s of heads.length > 0 ? Harness.chainOf(heads[0]) : []) {
    const header = s.header
    if (header === null) continue
    if (header.proposer === server) serverBlocks++
    else canonicalByRank[String(header.rank)] = (canonicalByRank[String(header.rank)] ?? 0) + 1
  }
  // on one chain: the highest finalized block descends from every other
  const top = finals.reduce<ChainState | undefined>((a, b) => a === undefined || b.height > a.height ? b : a, undefined)
  return {
    nodes: h.nodes.length - 1,
    slots,
    blocksProposed: h.stats.blocksProposed,
    canonicalByRank,
    serverBlocks,
    headHeight: heights(heads),
    finalizedHeight: heights(finals),
    finalityAgreed: top === undefined || finals.every((f) => isAncestor(f, top)),
    finalityReverts: h.stats.finalityReverts,
    forgedProofsAccepted: h.stats.forgedProofsAccepted,
    replaysCountedAsOriginal: h.stats.replaysCountedAsOriginal,
    rejectedForgedProofs: Object.fromEntries(h.stats.rejectedForgedProofs),
    rejectedBlocks: Object.fromEntries(h.stats.rejectedBlocks),
    equivocationsEvidenced: h.stats.equivocations.size,
    doubleVotesEvidenced: h.stats.doubleVotes.size
  }
}
