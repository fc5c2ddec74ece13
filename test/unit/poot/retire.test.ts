// Retiring old PoOT states (protocols/poot/retire.ts): two copies of the same chain, one retiring every state deep
// enough below finality after each block, the other never; every block gets the same verdict and the same state on
// both (property: random voters, skipped slots, replayed votes, which the proof keys of recent blocks must refuse,
// and side blocks in skipped slots; a credit window of 336 slots, longer than the retiring depth, that blocks leave
// within the run); the retired states really hold nothing but their place in the chain, and those that also left
// the finalized window are cut off it (pruned: every one returned once, in order, its links dropped; a lookup below them finds null or the right state).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { NOTHING_RETIRED, RETIRE_DEPTH, ancestorAtHeight, applyBlock, makeVote, retireStates, selectProofs, slotStartMs, windowSlots, type ChainState, type Retired, type TaskProof } from '../../../protocols/poot/index.js'
import { fixture, genesis, nextBlock } from './helpers.js'

/** What a state answers as a parent or a head. */
function view (s: ChainState): unknown {
  return {
    hash: s.hash, height: s.height, credits: [...s.credits], windowStart: s.windowStart, finalized: s.finalized, justified: s.justified,
    links: [...s.links.keys()], missed: [...s.missed], earned: [...s.earned], totalMinted: s.totalMinted, epochBeats: s.epochBeats,
    uptime: [...s.uptime], openChallenges: s.openChallenges, catalog: s.catalog, jailedUntil: [...s.jailedUntil]
  }
}

describe('poot: retiring states deep below finality', function () {
  this.timeout(60_000)
  // hour-long slots: the 14-day credit window is 336 slots, so blocks leave it within the run
  const f = fixture({ nodes: 6, params: { slotMs: 3_600_000, creditWindowDays: 14, epochSlots: 16 } })
  const { params, genesisMs } = f.config

  it('changes no verdict and no state of the blocks that follow', () => {
    assert.equal(windowSlots(params), 336)
    const slots = 700
    const step = fc.record({ skip: fc.boolean(), voters: fc.integer({ min: 0, max: 6 }), replay: fc.integer({ min: 0, max: 12 }), fork: fc.boolean() })
    fc.assert(fc.property(fc.array(step, { minLength: slots, maxLength: slots }), (plan) => {
      const included: Array<{ slot: number, proofs: TaskProof[] }> = []
      let kept = genesis(f)
      let retiring = genesis(f)
      let retired: Retired = NOTHING_RETIRED
      const pruned: ChainState[] = []
      let slot = 0
      for (const step of plan) {
        slot += step.skip && slot > 1 ? 2 : 1
        const timeMs = slotStartMs(genesisMs, params, slot)
        const votes = f.keys.slice(0, step.voters).map((k) => makeVote(k, kept, slot - 1))
        // a vote an earlier block counted, sent again: refused while that block is within the proof age, on both
        const earlier = included.find((x) => x.slot === slot - step.replay && x.proofs.length > 0)
        if (earlier !== undefined) {
          const replayed = nextBlock(f, kept, { slot, body: { proofs: [earlier.proofs[0]] } })
          const [a, b] = [applyBlock(kept, replayed, f.config), applyBlock(retiring, replayed, f.config)]
          assert.deepEqual(b.ok ? view(b.value) : b.reason, a.ok ? view(a.value) : a.reason)
        }
        const proofs = selectProofs(f.config, kept, slot, timeMs, votes)
        included.push({ slot, proofs })
        const block = nextBlock(f, kept, { slot, body: { proofs } })
        const a = applyBlock(kept, block, f.config)
        const b = applyBlock(retiring, block, f.config)
        assert.deepEqual(b.ok ? view(b.value) : b.reason, a.ok ? view(a.value) : a.reason)
        if (!a.ok || !b.ok) throw new Error(a.ok ? 'refused only where states were retired' : a.reason)
        kept = a.value
        retiring = b.value
        const finalized = ancestorAtHeight(retiring, retiring.finalizedHeight) as ChainState
        retired = retireStates(finalized, retired)
        pruned.push(...[...retired.pruned].reverse())
        // a side block in the skipped slot, on the head's parent: its window starts earlier than the head's, so it
        // subtracts deltas the head already did (the retiring that followed the head must not have dropped them)
        if (step.fork && kept.slot - (kept.parent as ChainState).slot === 2) {
          const side = nextBlock(f, kept.parent as ChainState, { slot: kept.slot - 1 })
          const [sa, sb] = [applyBlock(kept.parent as ChainState, side, f.config), applyBlock(retiring.parent as ChainState, side, f.config)]
          assert.deepEqual(sb.ok ? view(sb.value) : sb.reason, sa.ok ? view(sa.value) : sa.reason)
        }
      }
      const finalWindow = (ancestorAtHeight(retiring, retiring.finalizedHeight) as ChainState).windowStart
      assert.ok(finalWindow > RETIRE_DEPTH && retiring.finalizedHeight > finalWindow + RETIRE_DEPTH, `finalized ${retiring.finalizedHeight} with its window from ${finalWindow}`)
      // at the depth: nothing but the place in the chain (and the delta while the block is in the finalized window)
      const at = (s: ChainState, h: number): ChainState => ancestorAtHeight(s, h) as ChainState
      const top = retiring.finalizedHeight - RETIRE_DEPTH
      assert.ok(at(kept, top).credits.size > 0, 'the kept copy still has it all') // a window of 336 slots of votes
      assert.equal(at(retiring, top).hash, at(kept, top).hash)
      for (const h of [top, top - 1]) {
        assert.equal(at(retiring, h).credits.size, 0)
        assert.equal(at(retiring, h).proofKeys.size, 0)
      }
      assert.deepEqual(at(retiring, top).delta, at(kept, top).delta, 'a delta inside the finalized window is kept')
      // below the finalized window: pruned, each block once and in order, the lowest kept state the floor
      assert.equal(retired.prunedBelow, finalWindow)
      assert.deepEqual(pruned.map((p) => p.hash), Array.from({ length: finalWindow - 1 }, (_, i) => at(kept, i + 1).hash))
      for (const p of pruned) assert.deepEqual([p.delta.size, p.parent, p.skip], [0, null, null])
      assert.equal(at(retiring, finalWindow).parent, pruned.at(-1))
      // a kept state's skip pointer may still lead to a pruned one: a lookup below the floor gives it or null
      for (let h = 1; h < finalWindow; h++) assert.ok([null, at(kept, h).hash].includes(ancestorAtHeight(retiring, h)?.hash ?? null))
      const recent = ancestorAtHeight(retiring, retiring.finalizedHeight - RETIRE_DEPTH + 1) as ChainState
      assert.deepEqual(view(recent), view(ancestorAtHeight(kept, recent.height) as ChainState), 'a state above the depth is untouched')
    }), { numRuns: 4, endOnFailure: true }) // shrinking 700-block plans would take minutes
  })
})
