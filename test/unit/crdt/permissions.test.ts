import { strict as assert } from 'node:assert'
import { Y } from '../../../crdt/index.js'
import {
  MAX_ENVELOPE_BYTES, MAX_UPDATE_BYTES, openEnvelope, recordChunks, recordHolding, recordSealed, recordSessionStart, sessionState, sealEnvelope, encodeEnvelope
} from '../../../crdt/index.js'
import { SESSION, cid, craft, keyOf, node, peerOf, seal, sid } from './helpers.js'
import { ed25519 } from '@noble/curves/ed25519.js'

/** Author 0 records session S with 2 chunks and seals it; node 1 receives everything. */
function setup (): { a: ReturnType<typeof node>, b: ReturnType<typeof node>, S: string } {
  const a = node(0)
  const b = node(1)
  const S = sid(1)
  for (const e of [...recordSessionStart(a, S, SESSION), ...recordSealed(a, S, [cid(1), cid(2)], seal(2))]) {
    assert.equal(b.ingest(e.bytes).status, 'applied')
  }
  return { a, b, S }
}

function expectRejected (b: ReturnType<typeof node>, bytes: Uint8Array, reason: string, detail?: RegExp): void {
  const before = b.stateHash()
  const r = b.ingest(bytes, 'peer-x')
  assert.equal(r.status, 'rejected', JSON.stringify(r))
  if (r.status === 'rejected') {
    assert.equal(r.rejection.reason, reason)
    assert.equal(r.rejection.from, 'peer-x')
    if (detail !== undefined) assert.match(r.rejection.detail, detail)
  }
  assert.equal(b.stateHash(), before, 'state unchanged')
}

describe('crdt: envelopes and permission checks', () => {
  it('round-trips an envelope and rejects tampering, non-canonical forms and bad signatures', () => {
    const env = sealEnvelope(Uint8Array.of(0, 0), 1, keyOf(3))
    const ok = openEnvelope(env.bytes)
    assert.ok(ok.ok)
    if (ok.ok) assert.equal(ok.value.authorId, peerOf(3))
    const flipped = env.bytes.slice(); flipped[flipped.length - 70] ^= 1
    assert.equal((openEnvelope(flipped) as { reason: string }).reason, 'bad-signature')
    const trailing = new Uint8Array([...env.bytes, 0])
    assert.equal((openEnvelope(trailing) as { reason: string }).reason, 'bad-encoding')
    const wrongVersion = env.bytes.slice(); wrongVersion[0] = 2
    assert.equal((openEnvelope(wrongVersion) as { reason: string }).reason, 'bad-encoding')
    assert.throws(() => sealEnvelope(new Uint8Array(MAX_UPDATE_BYTES + 1), 1, keyOf(3)), /over the/)
    assert.equal((openEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1)) as { reason: string }).reason, 'oversize')
  })

  it('rejects an oversized update even inside a well-signed envelope', () => {
    const { b } = setup()
    const e = { author: ed25519.getPublicKey(keyOf(5)), seq: 1, update: new Uint8Array(MAX_UPDATE_BYTES + 10), signature: new Uint8Array(64) }
    expectRejected(b, encodeEnvelope(e), 'oversize')
  })

  it('rejects an update claiming another author (forged signature); state unchanged', () => {
    const { b } = setup()
    // Node 2 writes "node 0 holds nothing / new session" but signs with its own key while claiming to be node 0.
    const forged = craft(b, 0, (d) => d.getMap('holding').set(sid(9), { since: 1 }), 2)
    expectRejected(b, forged.bytes, 'bad-signature')
  })

  it('a node cannot mark another node as holder: holders are the authors of holding entries', () => {
    const { b, S } = setup()
    for (const e of recordHolding(b, S, true, 5)) assert.ok(e)
    const view = sessionState(b, S)
    assert.deepEqual(view?.holders, [peerOf(0), peerOf(1)].sort())
    // Whatever node 2 writes lands in node 2's own document; there is no field naming another holder.
    const fake = craft(b, 2, (d) => d.getMap('holding').set(S, { since: 1, holder: peerOf(3) }))
    expectRejected(b, fake.bytes, 'forbidden', /unknown field 'holder'/)
  })

  it('nobody rewrites a chunk list: no insertion before, no deletion, no append after sealing', () => {
    const { b, S } = setup()
    expectRejected(b, craft(b, 0, (d) => d.getArray(`chunks/${S}`).insert(0, [cid(9)])).bytes, 'forbidden', /append-only/)
    expectRejected(b, craft(b, 0, (d) => d.getArray(`chunks/${S}`).delete(0, 1)).bytes, 'forbidden', /not removable/)
    expectRejected(b, craft(b, 0, (d) => d.getArray(`chunks/${S}`).push([cid(9)])).bytes, 'forbidden', /closed once sealed/)
    // Another author cannot list chunks for S: it is not the recorder.
    expectRejected(b, craft(b, 2, (d) => d.getArray(`chunks/${S}`).push([cid(9)])).bytes, 'forbidden', /only the recorder/)
    assert.deepEqual(sessionState(b, S)?.chunks, [cid(1), cid(2)])
  })

  it('set-once entries, status order and status evidence', () => {
    const { b, S } = setup()
    expectRejected(b, craft(b, 0, (d) => d.getMap('sessions').set(S, { ...SESSION, owner: 'mallory' })).bytes, 'forbidden', /set once/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('sessions').delete(S)).bytes, 'forbidden', /not removable/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('status').set(S, 1)).bytes, 'forbidden', /only move forward/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('status').delete(S)).bytes, 'forbidden', /not removable/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('status').set(S, 3)).bytes, 'forbidden', /needs this author's 'holding'/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('status').set(S, 4)).bytes, 'forbidden', /'anchors'/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('sealed').set(sid(7), seal(1))).bytes, 'forbidden', /only the recorder seals/)
    const c = craft(b, 0, (d) => { d.getMap('sessions').set(sid(8), SESSION); d.getArray(`chunks/${sid(8)}`).push([cid(1)]); d.getMap('sealed').set(sid(8), seal(3)) })
    expectRejected(b, c.bytes, 'forbidden', /chunk count 3 differs/)
  })

  it('rejects unknown roots, nested types, text and bad values', () => {
    const { b, S } = setup()
    expectRejected(b, craft(b, 2, (d) => d.getMap('admin').set('x', 1)).bytes, 'forbidden', /unknown root/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('holding').set(S, new Y.Map())).bytes, 'forbidden', /ContentType/)
    expectRejected(b, craft(b, 2, (d) => d.getText('incidents').insert(0, 'x')).bytes, 'forbidden', /ContentString/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('holding').set('not-a-session', { since: 1 })).bytes, 'forbidden', /session ID/)
    expectRejected(b, craft(b, 2, (d) => d.getArray('incidents').push([{ kind: 'gossip', sessionId: '', subject: '', detail: '', at: 1 }])).bytes, 'forbidden', /kind/)
  })

  it('rejects equivocation: two different updates under one sequence number', () => {
    const { a, b, S } = setup()
    const first = recordChunks(a, sid(3), [])
    assert.deepEqual(first, [])
    const honest = recordHolding(a, S, false, 9)[0]
    const other = craft(b, 0, (d) => d.getArray('incidents').push([{ kind: 'tamper-detected', sessionId: S, subject: '', detail: 'x', at: 3 }]))
    assert.equal(other.seq, honest.seq)
    assert.equal(b.ingest(other.bytes).status, 'applied')
    expectRejected(b, honest.bytes, 'equivocation')
  })

  it('buffers an envelope that arrives before its predecessor, then applies both', () => {
    const a = node(0)
    const b = node(1)
    const envs = [...recordSessionStart(a, sid(1), SESSION), ...recordChunks(a, sid(1), [cid(1)]), ...recordChunks(a, sid(1), [cid(1), cid(2)])]
    assert.equal(b.ingest(envs[2].bytes).status, 'pending')
    assert.equal(b.ingest(envs[1].bytes).status, 'pending')
    assert.equal(b.ingest(envs[1].bytes).status, 'duplicate')
    const r = b.ingest(envs[0].bytes)
    assert.equal(r.status, 'applied')
    if (r.status === 'applied') assert.equal(r.applied.length, 3)
    assert.equal(b.pendingSize, 0)
    assert.equal(b.stateHash(), a.stateHash())
  })

  it('splits long chunk lists into updates under the size limit', () => {
    const a = node(0)
    recordSessionStart(a, sid(1), SESSION)
    const cids = Array.from({ length: 3000 }, (_, i) => cid(i))
    const envs = recordChunks(a, sid(1), cids)
    assert.ok(envs.length >= 6)
    for (const e of envs) assert.ok(e.update.length <= MAX_UPDATE_BYTES)
    assert.equal(sessionState(a, sid(1))?.chunks.length, 3000)
  })
})
