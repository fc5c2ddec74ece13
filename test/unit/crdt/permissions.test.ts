import { strict as assert } from 'node:assert'
import { Y } from '../../../crdt/index.js'
import {
  MAX_ENVELOPE_BYTES, MAX_UPDATE_BYTES, openEnvelope, recordAnchor, recordAnchorFinal, recordChunks, recordHolding, recordSealed, recordSessionStart, sessionState, sealEnvelope, encodeEnvelope
} from '../../../crdt/index.js'
import { SESSION, cid, craft, keyOf, node, peerOf, seal, sid } from './helpers.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import * as encoding from 'lib0/encoding'

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

  it("an anchor's final block: only after the author's own anchor, once, well formed; shown with the anchor", () => {
    const { a, b, S } = setup()
    const TX = '0x' + 'ab'.repeat(32)
    const HASH = '0x' + 'cd'.repeat(32)
    const final = { block: 7, blockHash: HASH, at: 9 }
    // before any anchor: the writer does nothing, and a crafted entry is refused
    assert.deepEqual(recordAnchorFinal(a, S, final), [])
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set(S, final)).bytes, 'forbidden', /needs this author's 'anchors' entry/)
    // node 2's anchor does not let node 0 record a final block
    for (const e of recordAnchor(node(2), S, { tx: TX, chainId: 1, block: 6, at: 8 })) assert.equal(b.ingest(e.bytes).status, 'applied')
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set(S, final)).bytes, 'forbidden', /'anchors' entry/)
    for (const e of recordAnchor(a, S, { tx: TX, chainId: 1, block: 6, at: 8 })) assert.equal(b.ingest(e.bytes).status, 'applied')
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set(S, { ...final, blockHash: '0x12' })).bytes, 'forbidden', /blockHash must be/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set(S, { ...final, tx: TX })).bytes, 'forbidden', /unknown field 'tx'/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set('x', final)).bytes, 'forbidden', /session ID/)
    const mine = sessionState(b, S)?.anchors.find((x) => x.by === peerOf(0))
    assert.equal(mine?.final, null, 'not final yet')
    for (const e of recordAnchorFinal(a, S, final)) assert.equal(b.ingest(e.bytes).status, 'applied')
    assert.deepEqual(sessionState(b, S)?.anchors.find((x) => x.by === peerOf(0)), { tx: TX, chainId: 1, block: 6, at: 8, by: peerOf(0), final })
    // set once: the writer does not write it again, a crafted rewrite or deletion is refused
    assert.deepEqual(recordAnchorFinal(a, S, { ...final, block: 8 }), [])
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').set(S, { ...final, block: 8 })).bytes, 'forbidden', /set once/)
    expectRejected(b, craft(b, 0, (d) => d.getMap('anchorFinal').delete(S)).bytes, 'forbidden', /not removable/)
    assert.deepEqual(a.own((w) => w.anchorsAwaitingFinality()), [])
  })

  it('rejects unknown roots, nested types, text and bad values', () => {
    const { b, S } = setup()
    expectRejected(b, craft(b, 2, (d) => d.getMap('admin').set('x', 1)).bytes, 'forbidden', /unknown root/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('holding').set(S, new Y.Map())).bytes, 'forbidden', /ContentType/)
    expectRejected(b, craft(b, 2, (d) => d.getText('incidents').insert(0, 'x')).bytes, 'forbidden', /ContentString/)
    expectRejected(b, craft(b, 2, (d) => d.getMap('holding').set('not-a-session', { since: 1 })).bytes, 'forbidden', /session ID/)
    expectRejected(b, craft(b, 2, (d) => d.getArray('incidents').push([{ kind: 'gossip', sessionId: '', subject: '', detail: '', at: 1 }])).bytes, 'forbidden', /kind/)
  })

  it('rejects an update with an empty delete range (which Y.applyUpdate throws on, part applied); later updates still apply', () => {
    const { a, b, S } = setup()
    // no structs, then a delete set of one client with one range of length 0, as an author could sign it
    const enc = new Y.UpdateEncoderV1()
    encoding.writeVarUint(enc.restEncoder, 0)
    encoding.writeVarUint(enc.restEncoder, 1)
    encoding.writeVarUint(enc.restEncoder, 12345)
    encoding.writeVarUint(enc.restEncoder, 1)
    enc.writeDsClock(0)
    enc.writeDsLen(0)
    const update = enc.toUint8Array()
    const seq = (b.log(peerOf(0))?.seq ?? 0) + 1
    expectRejected(b, sealEnvelope(update, seq, keyOf(0)).bytes, 'forbidden', /an empty delete range at 12345:0/)
    for (const e of recordHolding(a, S, false, 9)) assert.equal(b.ingest(e.bytes).status, 'applied')
    assert.equal(b.stateHash(), a.stateHash())
  })

  it('rejects equivocation: two different updates under one sequence number', () => {
    const { a, b, S } = setup()
    const first = recordChunks(a, sid(3), [])
    assert.deepEqual(first, [])
    const honest = recordHolding(a, S, false, 9)[0]
    const other = craft(b, 0, (d) => d.getArray('incidents').push([{ kind: 'tamper-detected', sessionId: S, subject: '', detail: 'x', at: 3 }]))
    assert.equal(other.seq, honest.seq)
    assert.equal(b.ingest(other.bytes).status, 'applied')
    const r = b.ingest(honest.bytes, 'peer-x')
    assert.equal(r.status, 'equivocation')
    // The author's document is frozen before the conflicting number: what #n said is gone, later numbers are ignored.
    assert.equal(b.log(peerOf(0))?.seq, honest.seq - 1)
    assert.equal(b.log(peerOf(0))?.frozenAt, honest.seq)
    assert.equal(sessionState(b, S)?.incidents.length, 0)
    assert.deepEqual(sessionState(b, S)?.holders, [peerOf(0)])
    const later = recordHolding(a, S, true, 10)[0]
    assert.equal(b.ingest(later.bytes).status, 'ignored')
    assert.equal(b.ingest(other.bytes).status, 'duplicate')
  })

  it('equivocation evidence travels with catch-up: every replica freezes the author at the same number', () => {
    const m = node(5)
    const replicas = [node(6), node(7), node(8)]
    const e1 = recordSessionStart(m, sid(1), SESSION)[0]
    // Two versions of #2: X (an incident) and Y (a holding entry), #3 after X.
    for (const r of replicas) assert.equal(r.ingest(e1.bytes).status, 'applied')
    const X = craft(replicas[0], 5, (d) => d.getArray('incidents').push([{ kind: 'tamper-detected', sessionId: '', subject: 'x', detail: '', at: 1 }]))
    const Y = craft(replicas[1], 5, (d) => d.getMap('holding').set(sid(1), { since: 1 }))
    assert.equal(replicas[0].ingest(X.bytes).status, 'applied')
    const X3 = craft(replicas[0], 5, (d) => d.getMap('holding').set(sid(2), { since: 2 }))
    assert.equal(replicas[0].ingest(X3.bytes).status, 'applied')
    assert.equal(replicas[1].ingest(Y.bytes).status, 'applied')
    // Replica 2 saw neither. Replicas 0 and 1 hold different #2s: the vectors' hash chains show it (a bare sequence
    // number would not once both reach the same length). Anti-entropy between all pairs, twice.
    for (let round = 0; round < 2; round++) {
      for (const a of replicas) for (const b of replicas) if (a !== b) for (const e of [...a.missing(b.vector())]) b.ingest(e.bytes)
    }
    const hash = replicas[0].stateHash()
    for (const r of replicas) {
      assert.equal(r.stateHash(), hash)
      assert.equal(r.log(peerOf(5))?.frozenAt, 2)
      assert.equal(r.log(peerOf(5))?.seq, 1)
    }
    assert.equal(sessionState(replicas[2], sid(1))?.recorder, peerOf(5), 'what the author said before #2 still counts')
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

describe('crdt: structural checks on hand-encoded updates', () => {
  it('rejects items whose neighbours are in different parents, and updates that skip clocks', () => {
    const b = node(1)
    const a = node(0)
    for (const e of [...recordSessionStart(a, sid(1), SESSION), ...recordHolding(a, sid(2), true, 1)]) assert.equal(b.ingest(e.bytes).status, 'applied')
    const log = b.log(peerOf(0))
    assert.ok(log !== undefined)
    const doc = log.doc
    const items = [...doc.store.clients.values()][0] as Y.Item[]
    const inSessions = items.find((i) => i.parentSub === sid(1) && !(i.content instanceof Y.ContentDeleted) && (i.parent as Y.AbstractType<unknown>) === doc.share.get('sessions'))
    const inHolding = items.find((i) => i.parentSub === sid(2))
    assert.ok(inSessions !== undefined && inHolding !== undefined)
    const clock = Y.getState(doc.store, 777)
    const spliced = new Y.Item(Y.createID(777, clock), null, inHolding.lastId, null, inSessions.id, null, null, new Y.ContentAny([{ since: 2 }]))
    // A holding entry whose right neighbour is the session record: Yjs would splice the two parents' lists.
    const update = encodeItems([spliced])
    const r = craftRaw(b, 0, update)
    assert.equal(r.status, 'rejected')
    if (r.status === 'rejected') assert.match(r.rejection.detail, /different parents|right neighbour/)
    const gap = encodeItems([new Y.Item(Y.createID(778, 5), null, null, null, null, 'holding' as unknown as Y.AbstractType<unknown>, sid(3), new Y.ContentAny([{ since: 2 }]))])
    const r2 = craftRaw(b, 0, gap)
    assert.equal(r2.status, 'rejected')
    if (r2.status === 'rejected') assert.match(r2.rejection.detail, /starts at clock 5/)
  })
})

/** Encodes items of one client as a Yjs v1 update (structs then an empty delete set). */
function encodeItems (items: Y.Item[]): Uint8Array {
  const raw: number[] = []
  const varUint = (n: number): void => { while (n > 127) { raw.push(0x80 | (n & 127)); n = Math.floor(n / 128) } raw.push(n) }
  varUint(1) // one client
  varUint(items.length)
  varUint(items[0].id.client)
  varUint(items[0].id.clock)
  const head = Uint8Array.from(raw)
  const body = new Y.UpdateEncoderV1()
  items.forEach((it) => it.write(body, 0))
  const structs = body.toUint8Array()
  const tail = Uint8Array.of(0) // empty delete set
  const out = new Uint8Array(head.length + structs.length + tail.length)
  out.set(head); out.set(structs, head.length); out.set(tail, head.length + structs.length)
  return out
}

function craftRaw (b: ReturnType<typeof node>, n: number, update: Uint8Array): ReturnType<ReturnType<typeof node>['ingest']> {
  const seq = (b.log(peerOf(n))?.seq ?? 0) + 1
  return b.ingest(sealEnvelope(update, seq, keyOf(n)).bytes)
}
