import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock, keyOf } from './helpers.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeVote, makeHeartbeat, makeStorageProof } from '../../../protocols/poot/make-proofs.js'
import { proofCredit, recomputeTally } from '../../../protocols/poot/credits.js'
import { windowSlots, beatsOfSlot } from '../../../protocols/poot/params.js'
import { scheduleFor } from '../../../protocols/poot/schedule.js'
import { liveScore } from '../../../protocols/poot/live-score.js'
import { inclusionProof } from '../../../protocols/poot/merkle.js'
import { SERVER_ENTITY } from '../../../protocols/poot/entities.js'
import { LUCID } from '../../../protocols/poot/rewards.js'
import { ancestorAtHeight, isAncestor, type ChainState } from '../../../protocols/poot/state.js'
import type { TaskProof } from '../../../protocols/poot/proofs.js'

const noCatalog = { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 }

describe('poot state transition', () => {
  describe('credits over the sliding window', () => {
    // One-hour slots and a 3-day window: the window is 72 slots, short enough to slide past in a test.
    const f = fixture({ nodes: 10, catalog: noCatalog, params: { slotMs: 3_600_000, slotTimeoutMs: 10_000, creditWindowDays: 3, heartbeatIntervalMs: 120_000 } })
    const W = windowSlots(f.config.params)

    /** The tally recomputed from nothing: every proof of every block whose slot is inside the window. */
    function naiveTally (state: ChainState): Map<string, number> {
      const out = new Map<string, number>()
      for (let s: ChainState | null = state; s !== null && s.header !== null; s = s.parent) {
        if (s.slot <= state.slot - W) break
        for (const p of blockProofs.get(s.hash) ?? []) {
          const e = f.config.registry.entityOfNode.get(p.node)!
          out.set(e, (out.get(e) ?? 0) + proofCredit(p, f.config.params))
        }
      }
      for (const [k, v] of out) if (v === 0) out.delete(k)
      return out
    }
    const blockProofs = new Map<string, TaskProof[]>()

    it('property: the incremental tally equals a recomputation at every block, across skipped slots', () => {
      assert.equal(W, 72)
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1023 })), { minLength: 60, maxLength: 110 }), (steps) => {
        let s = genesis(f)
        for (const [gap, who] of steps) {
          const slot = s.slot + gap
          const proofs = f.keys.slice(0, 10).filter((_, i) => (who >> i) & 1).map((k) => makeHeartbeat(k, slot, beatsOfSlot(f.config.params, slot)[0], s))
          const b = nextBlock(f, s, { slot, body: { proofs } })
          s = apply(f, s, b)
          blockProofs.set(s.hash, proofs)
          assert.deepEqual(new Map([...s.credits].sort()), new Map([...naiveTally(s)].sort()))
          assert.deepEqual(new Map([...recomputeTally(s.parent!, s.slot, s.delta, W)].sort()), new Map([...s.credits].sort()))
        }
        assert.ok(s.slot > W, 'the run slid past the window')
      }), { numRuns: 6 })
    })
  })

  describe('liveScore', () => {
    const f = fixture({ nodes: 20, catalog: noCatalog })
    const chain = extend(f, genesis(f), 5)

    it('a block of fallback k charges the k entities ranked above it a miss, and their liveScore drops', () => {
      const schedule = scheduleFor(chain, chain.slot + 1, f.config)
      const after = apply(f, chain, nextBlock(f, chain, { rank: 2 }))
      for (const e of schedule.slice(0, 2)) {
        assert.equal(after.missed.get(e), 1)
        assert.equal(liveScore(after, e, after.slot + 1, f.config.params), 1000 - f.config.params.liveMissPenaltyPermille)
      }
      assert.equal(after.missed.get(schedule[2]), undefined)
    })
    it('a skipped slot charges its primary', () => {
      const skippedPrimary = scheduleFor(chain, chain.slot + 1, f.config)[0]
      const after = apply(f, chain, nextBlock(f, chain, { slot: chain.slot + 2 }))
      assert.equal(after.missed.get(skippedPrimary), 1)
    })
    it('misses are forgotten when a new epoch starts', () => {
      const after = apply(f, chain, nextBlock(f, chain, { rank: 1 }))
      const nextEpoch = apply(f, after, nextBlock(f, after, { slot: f.config.params.epochSlots }))
      assert.equal(nextEpoch.missed.size, 0)
      assert.equal(nextEpoch.epoch, 1)
    })
  })

  describe('storage challenges', () => {
    const f = fixture({ nodes: 12 })
    const { challengeResponseSlots, storageMissPenalty, creditStorage } = f.config.params
    const g = genesis(f)
    const s1 = apply(f, g, nextBlock(f, g))
    const [c] = s1.openChallenges
    const holder = f.config.registry.entityOfNode.get(c.holder)!
    const data = f.blobs.get(c.sessionId)!
    const answer = makeStorageProof(keyOf(f, c.holder), c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex))

    it('each block issues challengesPerSlot challenges from its own randomness, for a registered holder and a real chunk', () => {
      assert.equal(s1.openChallenges.length, f.config.params.challengesPerSlot)
      const session = f.config.catalog.find((s) => s.sessionId === c.sessionId)!
      assert.ok(session.holders.includes(c.holder))
      assert.ok(c.chunkIndex < session.chunkCount)
    })
    it('a missing answer costs the holder once the deadline has passed, not before', () => {
      let s = s1
      for (let i = 0; i < challengeResponseSlots; i++) s = extend(f, s, 1)
      assert.ok(s.openChallenges.some((x) => x.slot === c.slot), 'still open at the deadline')
      const penalised = extend(f, s, 1)
      assert.ok(!penalised.openChallenges.some((x) => x.slot === c.slot))
      assert.ok((penalised.delta.get(holder) ?? 0) <= -storageMissPenalty)
    })
    it('an answer by the deadline earns storage credit and closes the challenge', () => {
      let s = s1
      for (let i = 1; i < challengeResponseSlots; i++) s = extend(f, s, 1)
      const answered = apply(f, s, nextBlock(f, s, { body: { proofs: [answer] } }))
      const unanswered = apply(f, s, nextBlock(f, s))
      assert.equal(answered.slot, c.slot + challengeResponseSlots)
      assert.equal((answered.delta.get(holder) ?? 0) - (unanswered.delta.get(holder) ?? 0), creditStorage)
      assert.ok(!answered.openChallenges.some((x) => x.slot === c.slot && x.index === c.index))
      // Past the deadline, only the unanswered chain charges the holder for this challenge.
      const a2 = extend(f, answered, 1)
      const u2 = extend(f, unanswered, 1)
      assert.equal((a2.delta.get(holder) ?? 0) - (u2.delta.get(holder) ?? 0), storageMissPenalty)
    })
    it('an answer after the deadline is refused', () => {
      const s = extend(f, s1, challengeResponseSlots)
      const r = applyBlock(s, nextBlock(f, s, { body: { proofs: [answer] } }), f.config)
      assert.deepEqual(r, { ok: false, reason: 'proof-0:storage:unknown-challenge' })
    })
  })

  describe('equivocation evidence', () => {
    const f = fixture({ nodes: 20, catalog: noCatalog })
    const chain = extend(f, genesis(f), 3)
    const a = nextBlock(f, chain)
    const b = nextBlock(f, chain, { timeMs: a.signed.header.timeMs + 1 })
    const offender = a.signed.header.proposer
    const sa = apply(f, chain, a)
    const evidence = { a: a.signed, b: b.signed }

    it('jails the offender for a window: it is scheduled by no one', () => {
      const jailed = apply(f, sa, nextBlock(f, sa, { body: { evidence: [evidence] } }))
      assert.equal(jailed.jailedUntil.get(offender), jailed.slot + windowSlots(f.config.params))
      for (let d = 1; d < 30; d++) assert.ok(!scheduleFor(jailed, jailed.slot + d, f.config).includes(offender))
    })
    it('refuses evidence older than the credit window, and evidence from the future', () => {
      const late = nextBlock(f, sa, { slot: a.signed.header.slot + windowSlots(f.config.params), body: { evidence: [evidence] } })
      assert.deepEqual(applyBlock(sa, late, f.config), { ok: false, reason: 'evidence-0:stale-evidence' })
      const ahead = { a: { ...a.signed, header: { ...a.signed.header, slot: 99 } }, b: { ...b.signed, header: { ...b.signed.header, slot: 99 } } }
      const r = applyBlock(sa, nextBlock(f, sa, { body: { evidence: [ahead] } }), f.config)
      assert.ok(!r.ok && r.reason.startsWith('evidence-0:'), 'refused')
    })
    it('refuses the same evidence twice and evidence against the Server', () => {
      const jailed = apply(f, sa, nextBlock(f, sa, { body: { evidence: [evidence] } }))
      assert.deepEqual(applyBlock(jailed, nextBlock(f, jailed, { body: { evidence: [evidence] } }), f.config), { ok: false, reason: 'evidence-0:already-jailed' })
      const rank = scheduleFor(chain, chain.slot + 1, f.config).length - 1
      const s1 = nextBlock(f, chain, { rank })
      const s2 = nextBlock(f, chain, { rank, timeMs: s1.signed.header.timeMs + 1 })
      assert.deepEqual(applyBlock(sa, nextBlock(f, sa, { body: { evidence: [{ a: s1.signed, b: s2.signed }] } }), f.config), { ok: false, reason: 'evidence-0:server-not-jailable' })
    })
  })

  describe('finality', () => {
    const f = fixture({ nodes: 9, catalog: noCatalog })

    /** A block in which the first `voters` nodes' votes of the parent's slot (for the parent) are included. */
    function attested (s: ChainState, voters: number): ChainState {
      const proofs = f.keys.slice(0, voters).map((k) => makeVote(k, s, s.slot))
      return apply(f, s, nextBlock(f, s, { body: { proofs } }))
    }

    it('justifies a block with ≥ 2/3 votes and finalizes it when the next slot\'s block is justified from it', () => {
      let s = extend(f, genesis(f), 1) // block 1
      s = attested(s, 6) // 6 of 9 = 2/3 vote genesis → block 1: block 1 justified
      assert.deepEqual(s.justified.map((c) => c.height), [0, 1])
      assert.equal(s.finalizedHeight, 0)
      s = attested(s, 6) // block 1 → block 2 (adjacent slots): block 1 final
      assert.equal(s.finalizedHeight, 1)
      assert.deepEqual(s.justified.map((c) => c.height), [1, 2])
      s = attested(s, 5) // 5 of 9 is not enough
      assert.equal(s.finalizedHeight, 1)
      assert.deepEqual(s.justified.map((c) => c.height), [1, 2])
      s = attested(s, 9) // source block 2 → block 4 skips a slot: justifies 4 but finalizes nothing
      assert.equal(s.finalizedHeight, 1)
      s = attested(s, 9)
      assert.equal(s.finalizedHeight, 4)
    })
    it('property: finalizedHeight never decreases and never passes the chain', () => {
      fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 5, maxLength: 25 }), (votes) => {
        let s = extend(f, genesis(f), 1)
        let last = 0
        for (const v of votes) {
          s = attested(s, v)
          assert.ok(s.finalizedHeight >= last && s.finalizedHeight < s.height)
          last = s.finalizedHeight
        }
      }), { numRuns: 15 })
    })
  })

  describe('rewards in the chain', () => {
    const f = fixture({ nodes: 10, catalog: noCatalog })
    const g = genesis(f)

    it('an empty slot mints 2 LUCID to the Server entity; a block with sessions mints to its proposer', () => {
      const empty = apply(f, g, nextBlock(f, g))
      assert.equal(empty.reward, 2n * LUCID)
      assert.equal(empty.rewardTo, SERVER_ENTITY)
      // ten sessions the first block registered, with 100 bytes each
      const registered = new Map(Array.from({ length: 10 }, (_, i) => [`s${i}`, { root: new Uint8Array(32), chunkCount: 1, registeredAt: 1, bytes: 100 }]))
      const full = apply(f, empty, nextBlock(f, empty, { body: { sessions: Array.from({ length: 10 }, (_, i) => ({ sessionId: `s${i}`, bytes: 100 })) } }), registered)
      assert.equal(full.rewardTo, full.header!.proposer)
      assert.equal(full.reward, 50n * LUCID) // S = 10, W = 10 ≥ N = 10: g_s = g_d = 1
      assert.equal(full.totalMinted, 52n * LUCID)
    })
  })

  it('skip pointers find every ancestor', () => {
    const f = fixture({ nodes: 10, catalog: noCatalog })
    const tip = extend(f, genesis(f), 70)
    const byHeight: ChainState[] = []
    for (let s: ChainState | null = tip; s !== null; s = s.parent) byHeight[s.height] = s
    for (let h = 0; h <= tip.height; h++) assert.equal(ancestorAtHeight(tip, h), byHeight[h])
    assert.ok(isAncestor(byHeight[10], tip) && !isAncestor(tip, byHeight[10]))
  })
})
