/**
 * Randomised convergence in the spirit of Yjs's own tests: several replicas make random session-flow writes; their
 * envelopes travel in random order with random drops and duplicates; after every delivery the invariants hold on the
 * receiving replica; after a final anti-entropy round (the catch-up protocol's vector exchange) all replicas have
 * byte-identical encoded state and identical views.
 */
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import {
  allIncidents, listSessions, recordAnchor, recordAnchorFinal, recordChunks, recordHolding, recordIncident, recordReplicated, recordSealed, recordSessionStart,
  sessionIds, sessionState, statusLevel, type SwarmState, type VerifiedEnvelope
} from '../../../crdt/index.js'
import { cid, node, rng, seal, sid } from './helpers.js'

const REPLICAS = 4
const SESSIONS = 3

type Op = { kind: 'start' | 'chunks' | 'seal' | 'hold' | 'unhold' | 'replicated' | 'anchor' | 'anchor-final' | 'incident', actor: number, session: number, n: number }

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('start', 'chunks', 'seal', 'hold', 'unhold', 'replicated', 'anchor', 'anchor-final', 'incident'),
  actor: fc.integer({ min: 0, max: REPLICAS - 1 }),
  session: fc.integer({ min: 0, max: SESSIONS - 1 }),
  n: fc.integer({ min: 1, max: 5 })
})

function apply (s: SwarmState, op: Op, clock: number): VerifiedEnvelope[] {
  const S = sid(op.session + 1)
  const listed = s.own((w) => w.chunkCount(S))
  const recorded = s.own((w) => w.recorded(S))
  switch (op.kind) {
    case 'start': return recordSessionStart(s, S, { owner: `o${op.actor}`, participants: [], policyHash: '00'.repeat(32), createdAt: clock })
    case 'chunks': return recorded && s.own((w) => w.currentStatus(S)) < 2 ? recordChunks(s, S, Array.from({ length: listed + op.n }, (_, i) => cid(i))) : []
    case 'seal': return recorded ? recordSealed(s, S, Array.from({ length: Math.max(1, listed) }, (_, i) => cid(i)), seal(Math.max(1, listed))) : []
    case 'hold': return recordHolding(s, S, true, clock)
    case 'unhold': return recordHolding(s, S, false, clock)
    case 'replicated': return recordReplicated(s, S)
    case 'anchor': return s.own((w) => w.currentStatus(S)) < 4 ? recordAnchor(s, S, { tx: '0x' + clock.toString(16).padStart(64, '0'), chainId: 1, block: clock, at: clock }) : []
    case 'anchor-final': return recordAnchorFinal(s, S, { block: clock, blockHash: '0x' + clock.toString(16).padStart(64, '0'), at: clock })
    case 'incident': return recordIncident(s, { kind: 'failed-challenge', sessionId: S, subject: `peer${op.n}`, detail: '', at: clock })
  }
}

/** What a replica has shown so far, to check that nothing moves backwards. */
interface Seen { status: Map<string, number>, sealedChunks: Map<string, string>, finals: Map<string, string>, incidents: number }

function checkInvariants (s: SwarmState, seen: Seen): void {
  for (const id of sessionIds(s)) {
    const v = sessionState(s, id)
    assert.ok(v !== null)
    const level = v.status === null ? 0 : statusLevel(v.status)
    assert.ok(level >= (seen.status.get(id) ?? 0), `status of ${id} moved back`)
    seen.status.set(id, level)
    for (const h of v.holders) assert.ok(s.log(h)?.doc.getMap('holding').has(id), 'every holder holds itself')
    if (v.sealed !== null && v.duplicateClaims.length === 0) {
      assert.equal(v.chunks.length, v.sealed.chunkCount, 'a sealed chunk list has the sealed count')
      const key = `${v.recorder as string}/${id}`
      const chunks = v.chunks.join(',')
      if (seen.sealedChunks.has(key)) assert.equal(seen.sealedChunks.get(key), chunks, 'a sealed chunk list never changes')
      seen.sealedChunks.set(key, chunks)
    }
    for (const a of v.anchors) {
      const key = `${a.by}/${id}`
      if (a.final === null) { assert.ok(!seen.finals.has(key), 'a final anchor block is never taken back'); continue }
      const final = JSON.stringify(a.final)
      if (seen.finals.has(key)) assert.equal(seen.finals.get(key), final, 'a final anchor block never changes')
      seen.finals.set(key, final)
    }
  }
  const n = allIncidents(s).length
  assert.ok(n >= seen.incidents, 'incidents are append-only')
  seen.incidents = n
}

/** Pairwise catch-up rounds until nothing changes (a round can unlock envelopes a replica held back as pending). */
function antiEntropy (replicas: SwarmState[], byzantine = false): void {
  for (let round = 0; round < 10; round++) {
    let changed = false
    for (const a of replicas) {
      for (const b of replicas) {
        if (a === b) continue
        for (const e of [...a.missing(b.vector())]) {
          const r = b.ingest(e.bytes)
          // A forked author's update can be incompatible with the other fork's history until the fork is found.
          assert.ok(r.status !== 'rejected' || (byzantine && r.rejection.reason === 'forbidden'), JSON.stringify(r))
          if (r.status === 'applied' || r.status === 'equivocation') changed = true
        }
      }
    }
    if (!changed) return
  }
  assert.fail('anti-entropy did not reach a fixpoint in 10 rounds')
}

describe('crdt: random delivery order, drops and duplicates converge', () => {
  it('converges to byte-identical state with the invariants holding after every merge', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (ops, seed) => {
      const random = rng(seed)
      const replicas = Array.from({ length: REPLICAS }, (_, i) => node(i))
      const seen: Seen[] = replicas.map(() => ({ status: new Map(), sealedChunks: new Map(), finals: new Map(), incidents: 0 }))
      const inFlight: Array<{ to: number, bytes: Uint8Array }> = []
      const deliverSome = (): void => {
        const k = random() % 4
        for (let i = 0; i < k && inFlight.length > 0; i++) {
          const idx = random() % inFlight.length
          const m = inFlight[idx]
          const fate = random() % 10
          if (fate === 0) { inFlight.splice(idx, 1); continue } // dropped
          if (fate !== 1) inFlight.splice(idx, 1) // fate 1: delivered and duplicated (stays in flight)
          const r = replicas[m.to].ingest(m.bytes)
          assert.ok(r.status !== 'rejected', JSON.stringify(r))
          checkInvariants(replicas[m.to], seen[m.to])
        }
      }
      ops.forEach((op, clock) => {
        for (const e of apply(replicas[op.actor], op, clock + 1)) {
          for (let to = 0; to < REPLICAS; to++) if (to !== op.actor) inFlight.push({ to, bytes: e.bytes })
        }
        checkInvariants(replicas[op.actor], seen[op.actor])
        deliverSome()
      })
      while (inFlight.length > 0) deliverSome()
      antiEntropy(replicas)
      const hash = replicas[0].stateHash()
      const view = JSON.stringify(listSessions(replicas[0]))
      for (const r of replicas) {
        assert.equal(r.stateHash(), hash)
        assert.equal(JSON.stringify(listSessions(r)), view)
        assert.equal(r.pendingSize, 0)
      }
      replicas.forEach((r, i) => checkInvariants(r, seen[i]))
    }), { numRuns: 150 })
  })
})

describe('crdt: an equivocating author still lets replicas converge', () => {
  it('random writes of a forked author, random delivery: all replicas freeze it at the same number', () => {
    const M = 9
    fc.assert(fc.property(fc.array(fc.record({ branch: fc.integer({ min: 0, max: 2 }), session: fc.integer({ min: 1, max: 3 }), to: fc.integer({ min: 0, max: REPLICAS - 1 }) }), { minLength: 2, maxLength: 25 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (writes, seed) => {
      const random = rng(seed)
      const replicas = Array.from({ length: REPLICAS }, (_, i) => node(i))
      // Two instances of author M with the same key: branch 0 is the shared history until a write with branch > 0,
      // after which branches 1 and 2 go separate ways (each node gets whatever reached it).
      const a = node(M)
      const b = node(M)
      let forked = false
      const inFlight: Array<{ to: number, bytes: Uint8Array }> = []
      writes.forEach((w, i) => {
        if (w.branch > 0) forked = true
        const target = !forked || w.branch !== 2 ? a : b
        const envs = recordHolding(target, sid(w.session), i % 2 === 0, i)
        for (const e of envs) {
          if (!forked) b.ingest(e.bytes)
          inFlight.push({ to: w.to, bytes: e.bytes })
          if (random() % 2 === 0) inFlight.push({ to: random() % REPLICAS, bytes: e.bytes })
        }
      })
      while (inFlight.length > 0) {
        const m = inFlight.splice(random() % inFlight.length, 1)[0]
        replicas[m.to].ingest(m.bytes)
      }
      antiEntropy(replicas, true)
      const hash = replicas[0].stateHash()
      for (const r of replicas) assert.equal(r.stateHash(), hash)
    }), { numRuns: 100 })
  })
})
