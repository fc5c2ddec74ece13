/**
 * Memory of a swarm index of 10,000 sessions: 10 recorders with 1,000 sealed sessions each (record, 4 chunk CIDs,
 * seal, status), each session held by its recorder and two other nodes; heap measured after GC, and the time to list
 * the index. Baseline in the same run: the same data as plain JavaScript objects in a Map.
 */
import { listSessions, recordHolding, recordSealed, recordSessionStart, type SwarmState } from '../../crdt/index.js'
import { cid, emit, heapUsed, replica, sid, SESSION, timeMs } from './support.js'

const SESSIONS = 10_000
const RECORDERS = 10
const writers = Array.from({ length: RECORDERS }, (_, i) => replica(i + 1))
const envelopes: Uint8Array[] = []
for (let i = 0; i < SESSIONS; i++) {
  const w = writers[i % RECORDERS]
  const chunks = [cid(4 * i), cid(4 * i + 1), cid(4 * i + 2), cid(4 * i + 3)]
  for (const e of [...recordSessionStart(w, sid(i), { ...SESSION, createdAt: i }), ...recordSealed(w, sid(i), chunks, { manifest: cid(i).replace('bafkrei', 'bafyrei'), merkleRoot: 'ab'.repeat(32), chunkCount: 4, plaintextSize: 4 << 20, sealedAt: i })]) envelopes.push(e.bytes)
  for (const h of [writers[(i + 1) % RECORDERS], writers[(i + 2) % RECORDERS]]) for (const e of recordHolding(h, sid(i), true, i)) envelopes.push(e.bytes)
}

const before = heapUsed()
const index: SwarmState = replica(99)
for (const e of envelopes) if (index.ingest(e).status === 'rejected') throw new Error('rejected')
const after = heapUsed()
const listMs = timeMs(() => { if (listSessions(index).length !== SESSIONS) throw new Error('wrong count') }, 3)
const storedBytes = [...index.allEnvelopes()].reduce((s, e) => s + e.bytes.length, 0)

// Baseline: plain objects.
const b0 = heapUsed()
const plain = new Map<string, unknown>()
for (let i = 0; i < SESSIONS; i++) {
  plain.set(sid(i), { ...SESSION, createdAt: i, chunks: [cid(4 * i), cid(4 * i + 1), cid(4 * i + 2), cid(4 * i + 3)], manifest: cid(i), merkleRoot: 'ab'.repeat(32), chunkCount: 4, status: 2, holders: ['a'.repeat(52), 'b'.repeat(52), 'c'.repeat(52)] })
}
const b1 = heapUsed()

emit({ bench: 'crdt-index-memory', sessions: SESSIONS, recorders: RECORDERS, envelopes: envelopes.length, heapMB: Number(((after - before) / 1e6).toFixed(1)), bytesPerSession: Math.round((after - before) / SESSIONS), storedEnvelopeMB: Number((storedBytes / 1e6).toFixed(1)), encodedStateMB: Number((index.encodeState().length / 1e6).toFixed(1)), listAllMs: listMs, baseline: 'the same data as plain objects in a Map', baselineHeapMB: Number(((b1 - b0) / 1e6).toFixed(1)), keep: plain.size })
