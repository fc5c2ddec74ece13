/**
 * Takes the sealed sessions this node knows only from the session state (CRDT) into its session index, so that the
 * replicator plans, fetches and verifies them like announced ones and the node serves their content: a node that
 * joined after an announcement (or missed all its publications) can then hold and serve the session. Which entries
 * may be taken is decided by protocols/swarm/state-seal.ts; a refused entry is reported once (an incident) and never
 * fetched. Runs shortly after a peer's state update is applied, and on every heartbeat tick.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { checkStateSeal, type StateSealRefusal } from '../../../protocols/swarm/state-seal.js'
import { recordFromState, type SessionIndex } from '../store/session-index.js'
import type { StateService } from '../state/service.js'

export interface StateSessionsDeps {
  state: StateService
  index: SessionIndex
  now: () => number
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
  /** A state entry refused (once per session and process): the node records the incident. */
  onRefused: (sessionId: string, recorder: string, reason: StateSealRefusal, detail: string) => void
}

/** The 32-byte Ed25519 key inside a peer ID, or null (another key type, or not a peer ID). */
function ed25519KeyOf (peerId: string): Uint8Array | null {
  try {
    const key = peerIdFromString(peerId).publicKey
    return key?.type === 'Ed25519' ? key.raw : null
  } catch { return null }
}

export class StateSessions {
  /** Session IDs decided for good: adopted, known here with the same manifest, or refused. */
  private readonly settled = new Set<string>()

  constructor (private readonly d: StateSessionsDeps) {}

  /** Adopts every sealed state session not known here yet; returns how many were adopted. */
  async adopt (): Promise<number> {
    let adopted = 0
    for (const sessionId of this.d.state.sessionIds()) {
      if (this.settled.has(sessionId)) continue
      const s = this.d.state.session(sessionId)
      if (s === null) continue
      const recorderKey = s.recorder === null ? null : ed25519KeyOf(s.recorder)
      const known = this.d.index.get(sessionId)?.manifest
      const verdict = checkStateSeal({ sessionId, recorder: s.recorder, recorderKey, sealed: s.sealed, duplicateClaims: s.duplicateClaims }, known)
      if (verdict.action === 'skip') {
        if (known !== undefined && s.sealed !== null) this.settled.add(sessionId)
        continue
      }
      this.settled.add(sessionId)
      const recorder = s.recorder as string
      if (verdict.action === 'refuse') {
        this.d.log.warn({ sessionId, recorder, reason: verdict.reason, detail: verdict.detail }, 'session state entry refused')
        this.d.onRefused(sessionId, recorder, verdict.reason, verdict.detail)
        continue
      }
      // s.sealed is set: checkStateSeal adopts only sealed entries
      await this.d.index.put(recordFromState(sessionId, recorder, verdict.recorderKey, s.sealed as NonNullable<typeof s.sealed>, this.d.now()))
      this.d.log.info({ sessionId, recorder }, 'session adopted from the session state (no announcement received)')
      adopted++
    }
    return adopted
  }
}
