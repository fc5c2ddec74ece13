// Holding releases: a holder that handed a session over withdraws its claim, so the chain stops challenging it for
// the session (challenges issued before the release must still be answered). A claim and a release of the same node
// and session take effect in the order they were signed: an older one kept back by a proposer cannot undo a newer
// one. The catalog then lists exactly the nodes whose last counted act was a claim (property against a model).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeHoldingClaim, makeHoldingRelease } from '../../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/keys.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { leafHash, merkleRoot } from '../../../protocols/poot/merkle.js'
import { encodeProof, proofKey, type TaskProof } from '../../../protocols/poot/proofs.js'
import type { AnchorLookup } from '../../../protocols/poot/anchors.js'
import type { ChainState } from '../../../protocols/poot/state.js'

const f = fixture({ catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { params } = f.config
const base = extend(f, genesis(f), 3)
const [a, b] = [f.keys[2], f.keys[3]]
const root = merkleRoot([1, 2, 3, 4].map((i) => leafHash(new Uint8Array(100).fill(i))))
const session = { sessionId: '6f1c0a4e-0000-4000-8000-0000000000aa', root, chunkCount: 4 }
const ANCHORS: AnchorLookup = new Map([session.sessionId, 's-0', 's-1', 's-2'].map((id) => [id, { root, chunkCount: 4, registeredAt: 0, bytes: 0 }]))

function reason (p: TaskProof, parent: ChainState, blockKeys = new Set<string>()): string {
  const slot = parent.slot + 1
  const r = validateProof(p, { config: f.config, parent, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys, openChallenges: parent.openChallenges, anchors: ANCHORS })
  return r.ok ? 'ok' : r.reason
}

const withProofs = (parent: ChainState, proofs: TaskProof[]): ChainState => apply(f, parent, nextBlock(f, parent, { body: { proofs } }), ANCHORS)
const holdersOf = (s: ChainState, id = session.sessionId): string[] => [...(s.catalog.find((c) => c.sessionId === id)?.holders ?? [])]

describe('poot holding releases', () => {
  const held = withProofs(base, [makeHoldingClaim(a, base.slot, session), makeHoldingClaim(b, base.slot, session)])

  it('a release takes the node out of the session\'s holders; the last release takes the session out of the catalog', () => {
    assert.deepEqual(holdersOf(held), [a.id, b.id].sort())
    const r = makeHoldingRelease(a, held.slot, session.sessionId)
    assert.equal(reason(r, held), 'ok')
    const one = withProofs(held, [r])
    assert.deepEqual(holdersOf(one), [b.id])
    const none = withProofs(one, [makeHoldingRelease(b, one.slot, session.sessionId)])
    assert.equal(none.catalog.length, 0)
  })

  it('no new challenge names a released holder; one issued before the release must still be answered', () => {
    // challenges issued while a held the session
    let s = held
    while (!s.openChallenges.some((c) => c.holder === a.id)) s = extend(f, s, 1)
    const before = s.openChallenges.filter((c) => c.holder === a.id)
    const released = withProofs(s, [makeHoldingRelease(a, s.slot, session.sessionId)])
    assert.ok(before.every((c) => released.openChallenges.some((o) => o.slot === c.slot && o.index === c.index)), 'a release cancelled an open challenge')
    let later = released
    for (let i = 0; i < 20; i++) {
      later = extend(f, later, 1)
      for (const c of later.openChallenges) if (c.slot > released.slot) assert.equal(c.holder, b.id)
    }
  })

  it('refuses bad releases with their reason', () => {
    const r = makeHoldingRelease(a, held.slot, session.sessionId)
    const flipped = new Uint8Array(r.sig); flipped[5] ^= 1
    assert.equal(reason({ ...r, sig: flipped }, held), 'bad-signature')
    assert.equal(reason(makeHoldingRelease(f.keys[4], held.slot, session.sessionId), held), 'not-holder')
    assert.equal(reason(makeHoldingRelease(a, held.slot, 's-1'), held), 'not-holder')
    assert.equal(reason(makeHoldingRelease(a, held.slot, ''), held), 'bad-session-id')
    assert.equal(reason(makeHoldingRelease(a, held.slot, 'x'.repeat(65)), held), 'bad-session-id')
    assert.equal(reason(makeHoldingRelease(nodeKeyFromSeed(new Uint8Array(32).fill(9)), held.slot, session.sessionId), held), 'unknown-node')
    assert.equal(reason(makeHoldingRelease(a, held.slot + 5, session.sessionId), held), 'future-slot')
    assert.equal(reason(r, held, new Set([proofKey(r)])), 'duplicate')
    const released = withProofs(held, [r])
    assert.equal(reason(r, released), 'duplicate')
    assert.equal(reason(makeHoldingRelease(a, released.slot, session.sessionId), released), 'duplicate', 'the release just counted')
    const settled = extend(f, released, params.maxProofAgeSlots + 1)
    assert.equal(reason(makeHoldingRelease(a, settled.slot, session.sessionId), settled), 'not-holder')
    // a release and a claim of the same node and session cannot both count in one block
    const settledClaim = makeHoldingClaim(a, settled.slot, session)
    assert.deepEqual(applyBlock(settled, nextBlock(f, settled, { body: { proofs: [settledClaim, makeHoldingRelease(a, settled.slot, session.sessionId)] } }), f.config, ANCHORS), { ok: false, reason: 'proof-1:release:not-holder' })
    const rel = makeHoldingRelease(b, held.slot, session.sessionId)
    assert.deepEqual(applyBlock(held, nextBlock(f, held, { body: { proofs: [rel, makeHoldingClaim(b, held.slot + 1, session)] } }), f.config, ANCHORS), { ok: false, reason: 'proof-1:holding:already-holder' })
  })

  it('a node can claim a session again after releasing it, and release it again', () => {
    const released = withProofs(held, [makeHoldingRelease(a, held.slot, session.sessionId)])
    const reclaimed = withProofs(released, [makeHoldingClaim(a, released.slot, session)])
    assert.deepEqual(holdersOf(reclaimed), [a.id, b.id].sort())
    const again = withProofs(reclaimed, [makeHoldingRelease(a, reclaimed.slot, session.sessionId)])
    assert.deepEqual(holdersOf(again), [b.id])
  })

  it('a claim kept back and replayed after the node\'s release is refused (released); a release replayed after a newer claim too (superseded)', () => {
    const oldClaim = makeHoldingClaim(a, held.slot, session)
    const release = makeHoldingRelease(a, held.slot + 1, session.sessionId)
    // a claim signed after the node's first claim was counted but before its release was: kept back, then replayed
    const released = withProofs(extend(f, held, 1), [release])
    const replayed = makeHoldingClaim(a, held.slot + 1, session) // signed before the release was counted
    assert.equal(reason(replayed, released), 'released')
    assert.equal(reason(oldClaim, released), 'duplicate', 'the very claim counted before')
    // an honest claim, signed after the node saw its release counted
    const fresh = makeHoldingClaim(a, released.slot, session)
    assert.equal(reason(fresh, released), 'ok')
    const reclaimed = withProofs(extend(f, released, 2), [fresh])
    // a release signed before the re-claim was counted (kept back by a proposer) cannot undo it
    const keptBack = makeHoldingRelease(a, released.slot + 1, session.sessionId)
    assert.equal(reason(keptBack, reclaimed), 'superseded')
    assert.equal(reason(makeHoldingRelease(a, reclaimed.slot, session.sessionId), reclaimed), 'ok')
  })

  it('the release\'s bytes are bound by the signature (encoding distinct from a claim\'s)', () => {
    const r = makeHoldingRelease(a, held.slot, session.sessionId)
    assert.equal(reason({ ...r, node: b.id }, held), 'bad-signature')
    assert.equal(reason({ ...r, slot: r.slot + 1 }, extend(f, held, 1)), 'bad-signature')
    assert.equal(reason({ ...r, sessionId: 's-0' }, held), 'not-holder')
    assert.notDeepEqual(encodeProof(r).subarray(0, 4), encodeProof(makeHoldingClaim(a, held.slot, session)).subarray(0, 4))
  })

  it('after any signed sequence of claims and releases the catalog lists exactly the nodes whose last counted act was a claim (property)', () => {
    const nodes = [f.keys[2], f.keys[3], f.keys[4]]
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.boolean(), fc.nat({ max: 4 })), { minLength: 1, maxLength: 16 }), (acts) => {
      let s = base
      /** node/session → the last act counted and the slot of the block that counted it */
      const last = new Map<string, { claim: boolean, at: number }>()
      for (const [n, sess, isClaim, age] of acts) {
        const id = `s-${sess}`
        const key = nodes[n]
        const signedAt = Math.max(0, s.slot - age) // some proofs signed a little before the head, as gossip delivers them
        const p = isClaim ? makeHoldingClaim(key, signedAt, { sessionId: id, root, chunkCount: 4 }) : makeHoldingRelease(key, signedAt, id)
        const prev = last.get(`${key.id}/${id}`)
        const isHolder = prev?.claim === true
        const why = reason(p, s)
        if (isClaim && isHolder) assert.ok(why === 'already-holder' || why === 'duplicate', why)
        if (!isClaim && !isHolder) assert.ok(why === 'not-holder' || why === 'duplicate', why)
        // order refusals only where the other act was counted after this one was signed
        if (why === 'released') assert.ok(prev !== undefined && !prev.claim && prev.at > signedAt)
        if (why === 'superseded') assert.ok(prev !== undefined && prev.claim && prev.at > signedAt)
        // counted: the other act, signed no later than this one was counted (not kept back and replayed after it)
        if (why === 'ok') assert.ok(prev === undefined || (prev.claim !== isClaim && prev.at <= signedAt))
        s = why === 'ok' ? withProofs(s, [p]) : extend(f, s, 1)
        if (why === 'ok') last.set(`${key.id}/${id}`, { claim: isClaim, at: s.slot })
      }
      for (const id of ['s-0', 's-1', 's-2']) {
        const want = nodes.filter((k) => last.get(`${k.id}/${id}`)?.claim === true).map((k) => k.id).sort()
        assert.deepEqual(holdersOf(s, id), want, id)
      }
      assert.ok(s.catalog.every((c) => c.holders.length > 0))
    }), { numRuns: 150 })
  })
})
