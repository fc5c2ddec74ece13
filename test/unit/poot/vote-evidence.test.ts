import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { validateVoteEvidence } from '../../../protocols/poot/vote-evidence.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeAttestation } from '../../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/keys.js'
import { windowSlots } from '../../../protocols/poot/params.js'
import { scheduleFor } from '../../../protocols/poot/schedule.js'
import type { VoteEvidence } from '../../../protocols/poot/block.js'

const f = fixture({ nodes: 12, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const key = f.keys[3]
const h = (n: number) => n.toString(16).padStart(64, '0')
const vote = (slot: number, target: number, sourceSlot: number, k = key) => makeAttestation(k, slot, h(target), { epoch: sourceSlot, hash: h(100 + sourceSlot) })
const why = (e: VoteEvidence) => { const r = validateVoteEvidence(e, f.config.registry); return r.ok ? 'ok' : r.reason }

describe('poot vote equivocation evidence', () => {
  it('accepts a double vote and a surround vote', () => {
    assert.equal(why({ a: vote(10, 1, 9), b: vote(10, 2, 9) }), 'ok')
    assert.equal(why({ a: vote(10, 1, 9), b: vote(10, 1, 8) }), 'ok')
    assert.equal(why({ a: vote(20, 1, 5), b: vote(15, 2, 10) }), 'ok')
    assert.equal(why({ a: vote(15, 2, 10), b: vote(20, 1, 5) }), 'ok')
  })

  it('refuses non-evidence with a reason', () => {
    assert.equal(why({ a: vote(10, 1, 9), b: vote(10, 1, 9, f.keys[4]) }), 'different-nodes')
    const stranger = nodeKeyFromSeed(new Uint8Array(32).fill(3))
    assert.equal(why({ a: vote(10, 1, 9, stranger), b: vote(10, 2, 9, stranger) }), 'unknown-node')
    assert.equal(why({ a: vote(10, 1, 9), b: vote(10, 1, 9) }), 'same-vote')
    assert.equal(why({ a: vote(10, 1, 9), b: vote(11, 2, 10) }), 'not-slashable')
    const forged = vote(10, 2, 9)
    assert.equal(why({ a: vote(10, 1, 9), b: { ...forged, sig: new Uint8Array(64) } }), 'vote-b:bad-signature')
    assert.equal(why({ a: { ...forged, sig: new Uint8Array(64) }, b: vote(10, 1, 9) }), 'vote-a:bad-signature')
  })

  it('property: votes with increasing slots and never-decreasing sources (an honest node\'s) are never evidence', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 })), { minLength: 2, maxLength: 12 }), (steps) => {
      let slot = 1
      let source = 0
      const votes = steps.map(([ds, dsrc]) => {
        slot += ds
        source = Math.min(slot - 1, source + dsrc)
        return vote(slot, slot, source)
      })
      for (const a of votes) for (const b of votes) if (a !== b) assert.equal(why({ a, b }), 'not-slashable')
    }), { numRuns: 100 })
  })

  it('jails the voter\'s entity when included, once', () => {
    const chain = extend(f, genesis(f), 4)
    const e = { a: vote(3, 1, 0), b: vote(3, 2, 0) }
    const jailed = apply(f, chain, nextBlock(f, chain, { body: { voteEvidence: [e] } }))
    const offender = f.config.registry.entityOfNode.get(key.id)!
    assert.equal(jailed.jailedUntil.get(offender), jailed.slot + windowSlots(f.config.params))
    assert.ok(!scheduleFor(jailed, jailed.slot + 1, f.config).includes(offender))
    assert.deepEqual(applyBlock(jailed, nextBlock(f, jailed, { body: { voteEvidence: [e] } }), f.config), { ok: false, reason: 'vote-evidence-0:already-jailed' })
    assert.deepEqual(applyBlock(chain, nextBlock(f, chain, { body: { voteEvidence: [{ a: vote(9, 1, 0), b: vote(9, 2, 0) }] } }), f.config), { ok: false, reason: 'vote-evidence-0:future-evidence' })
  })
})
