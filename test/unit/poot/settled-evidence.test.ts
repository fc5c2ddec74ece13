/**
 * settled-evidence.ts: evidence a node may forget once a state is final. Checked against the transition itself: what
 * it calls settled, no later block takes; what it keeps, some later block still takes.
 */
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { windowSlots } from '../../../protocols/poot/params.js'
import { blockOffence, offenceSettled, voteOffence } from '../../../protocols/poot/settled-evidence.js'
import { makeAttestation } from '../../../protocols/poot/make-proofs.js'
import type { ChainState } from '../../../protocols/poot/state.js'
import type { EquivocationEvidence, VoteEvidence } from '../../../protocols/poot/block.js'

const f = fixture({ nodes: 20, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const window = windowSlots(f.config.params)
const chain = extend(f, genesis(f), 3)
const a = nextBlock(f, chain)
const b = nextBlock(f, chain, { timeMs: a.signed.header.timeMs + 1 })
const sa = apply(f, chain, a)
const evidence: EquivocationEvidence = { a: a.signed, b: b.signed }
const at = a.signed.header.slot
const jailed = apply(f, sa, nextBlock(f, sa, { body: { evidence: [evidence] } }))

/** Whether a block `gap` slots after `state` takes the evidence. */
function takes (state: ChainState, gap: number, body: { evidence?: EquivocationEvidence[], voteEvidence?: VoteEvidence[] } = { evidence: [evidence] }): boolean {
  return applyBlock(state, nextBlock(f, state, { slot: state.slot + gap, body }), f.config).ok
}

describe('poot settled evidence', () => {
  it('keeps evidence whose offender is free and whose offence is within the window: the next block takes it', () => {
    assert.equal(offenceSettled(blockOffence(evidence), sa, window), false)
    assert.ok(takes(sa, 1))
  })

  it('property: once the offender is jailed by it, no later block takes the evidence again', () => {
    assert.equal(offenceSettled(blockOffence(evidence), jailed, window), true)
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 * window }), (gap) => !takes(jailed, gap)), { numRuns: 60 })
  })

  it('property: a final state at or past the last slot that could take the evidence settles it; one before keeps it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: window + 5 }), (age) => {
      // a final state `age` slots after the offence, with no jail (its blocks left the evidence out)
      const final = { slot: at + age, jailedUntil: sa.jailedUntil }
      const settled = offenceSettled(blockOffence(evidence), final, window)
      assert.equal(settled, age + 1 >= window)
      if (!settled) assert.ok(takes(sa, final.slot + 1 - sa.slot), `a block at slot ${final.slot + 1} takes it`)
      else assert.ok(!takes(sa, final.slot + 1 - sa.slot))
    }), { numRuns: 60 })
  })

  it('vote evidence: the voter\'s entity is the offender, at the later vote', () => {
    const key = f.keys[3]
    const h = (n: number): string => n.toString(16).padStart(64, '0')
    const vote = (slot: number, target: number, sourceSlot: number): VoteEvidence['a'] => makeAttestation(key, slot, h(target), { epoch: sourceSlot, hash: h(100 + sourceSlot) })
    const surround: VoteEvidence = { a: vote(4, 2, 2), b: vote(6, 1, 0) }
    assert.deepEqual(voteOffence(surround, f.config.registry), { offender: f.config.registry.entityOfNode.get(key.id), at: 6 })
    const double: VoteEvidence = { a: vote(2, 1, 0), b: vote(2, 3, 0) }
    const offence = voteOffence(double, f.config.registry)
    assert.equal(offenceSettled(offence, sa, window), false)
    assert.ok(takes(sa, 1, { voteEvidence: [double] }))
    const voterJailed = apply(f, sa, nextBlock(f, sa, { body: { voteEvidence: [double] } }))
    assert.equal(offenceSettled(offence, voterJailed, window), true)
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 * window }), (gap) => !takes(voterJailed, gap, { voteEvidence: [double] })), { numRuns: 30 })
  })
})
