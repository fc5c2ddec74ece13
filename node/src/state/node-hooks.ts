/**
 * The hook points between the node runtime (node/src/runtime/node.ts) and the session state: what the session flow
 * writes (a put creates and seals the entry; replication adds and removes this node as holder, and asserts
 * 'replicated' when the target is reached; a session-ID conflict is an incident) and what the API reads.
 * Kept here so that node.ts only calls these functions.
 */
import type { Manifest } from '../../../protocols/session/manifest.js'
import type { StateService } from './service.js'
import { holdersOf, type SessionState } from '../../../crdt/views.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * After a put: the session's entry (recording), its chunk list, the seal, and this node as its first holder.
 * Both writes are made (in order, to the in-memory state) at once and then stored and published together: the put
 * publishes its announcement only after this resolves, and waiting for the first write's store and publish before
 * making the second added a LevelDB round trip to every announcement's latency (bench/swarm/announce.bench.ts).
 */
export async function recordPut (svc: StateService, manifest: Manifest, manifestCid: string): Promise<void> {
  const started = svc.sessionStarted(manifest.sessionId, {
    owner: manifest.owner.slice(0, 256),
    participants: manifest.participants,
    policyHash: hex(manifest.policyHash),
    createdAt: manifest.startedAt
  })
  const sealed = svc.sessionSealed(manifest.sessionId, manifest.chunks.map((c) => c.toString()), {
    manifest: manifestCid,
    merkleRoot: hex(manifest.merkleRoot),
    chunkCount: manifest.chunkCount,
    plaintextSize: manifest.plaintextSize,
    sealedAt: manifest.endedAt
  })
  await Promise.all([started, sealed])
}

/**
 * Makes this node's `holding` entries equal to what it holds (verified and pinned), and asserts 'replicated' for
 * held sessions whose holders reached the replication target. Idempotent: run it whenever holdings may have changed.
 */
export async function reconcileHoldings (svc: StateService, held: string[], replication: number): Promise<void> {
  if (svc.state.ownLogIncomplete) return
  const want = new Set(held)
  const have = new Set(svc.state.own((w) => w.holdings()))
  for (const id of want) if (!have.has(id)) await svc.holding(id, true)
  for (const id of have) if (!want.has(id)) await svc.holding(id, false)
  for (const id of want) {
    if (svc.state.own((w) => w.currentStatus(id)) < 3 && holdersOf(svc.state, id).length >= replication) await svc.replicated(id)
  }
}

export interface StateSummary {
  status: SessionState['status']
  recorder: string | null
  holders: string[]
  anchors: SessionState['anchors']
  incidents: SessionState['incidents']
  duplicateClaims: string[]
}

/** What the API shows of a session's CRDT state (null when the state does not know the session yet). */
export function stateSummary (svc: StateService, sessionId: string): StateSummary | null {
  const s = svc.session(sessionId)
  if (s === null) return null
  return { status: s.status, recorder: s.recorder, holders: s.holders, anchors: s.anchors, incidents: s.incidents, duplicateClaims: s.duplicateClaims }
}
