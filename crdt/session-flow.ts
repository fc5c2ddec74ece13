/**
 * The writes of a node's session flow, each returning the envelopes it produced (to publish): a put creates the
 * entry, sealing closes the chunk list, replication adds or removes the node as holder, anchoring records the
 * transaction. Long chunk lists are split into updates of CHUNK_BATCH CIDs, each under the update size limit.
 */
import { CHUNK_BATCH } from './constants.js'
import type { VerifiedEnvelope } from './envelope.js'
import type { SwarmState } from './state.js'
import type { AnchorFinality, AnchorRecord, Incident, SealRecord, SessionRecord } from './schema.js'

const some = (e: VerifiedEnvelope | null): VerifiedEnvelope[] => e === null ? [] : [e]

export function recordSessionStart (state: SwarmState, sessionId: string, record: SessionRecord): VerifiedEnvelope[] {
  return some(state.write((w) => { if (!w.recorded(sessionId)) w.createSession(sessionId, record) }))
}

/** Appends chunk CIDs from index `from` on (entries already listed are skipped, so a retry is harmless). */
export function recordChunks (state: SwarmState, sessionId: string, cids: string[]): VerifiedEnvelope[] {
  const out: VerifiedEnvelope[] = []
  let done = state.own((w) => w.chunkCount(sessionId))
  while (done < cids.length) {
    const batch = cids.slice(done, done + CHUNK_BATCH)
    out.push(...some(state.write((w) => w.appendChunks(sessionId, batch))))
    done += batch.length
  }
  return out
}

/** Lists the chunks (if not yet listed), then seals; the recorder also holds the session. */
export function recordSealed (state: SwarmState, sessionId: string, cids: string[], seal: SealRecord): VerifiedEnvelope[] {
  const out = recordChunks(state, sessionId, cids)
  out.push(...some(state.write((w) => {
    if (w.currentStatus(sessionId) < 2) w.seal(sessionId, seal)
    w.hold(sessionId, seal.sealedAt)
  })))
  return out
}

export function recordHolding (state: SwarmState, sessionId: string, held: boolean, at: number): VerifiedEnvelope[] {
  return some(state.write((w) => { if (held) w.hold(sessionId, at); else w.unhold(sessionId) }))
}

/** A holder that sees the replication target reached asserts 'replicated'. */
export function recordReplicated (state: SwarmState, sessionId: string): VerifiedEnvelope[] {
  return some(state.write((w) => { if (w.holds(sessionId)) w.setStatus(sessionId, 'replicated') }))
}

export function recordAnchor (state: SwarmState, sessionId: string, anchor: AnchorRecord): VerifiedEnvelope[] {
  return some(state.write((w) => w.recordAnchor(sessionId, anchor)))
}

/** The anchor's block became final on the author's chain (a no-op before the anchor is recorded, or twice). */
export function recordAnchorFinal (state: SwarmState, sessionId: string, finality: AnchorFinality): VerifiedEnvelope[] {
  return some(state.write((w) => w.recordAnchorFinal(sessionId, finality)))
}

export function recordIncident (state: SwarmState, incident: Incident): VerifiedEnvelope[] {
  return some(state.write((w) => w.addIncident(incident)))
}
