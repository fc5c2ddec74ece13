import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { computeSchedule, naiveSchedule, cooledDown, scheduleFor } from '../../../protocols/poot/schedule.js'
import { liveScore } from '../../../protocols/poot/live-score.js'
import { SERVER_ENTITY } from '../../../protocols/poot/entities.js'
import type { ChainState } from '../../../protocols/poot/state.js'

const f = fixture({ nodes: 30, pools: [{ size: 3, threshold: 2 }] })
const { params } = f.config
const ids = f.config.registry.ranked.map((e) => e.id)

/** A state with arbitrary credits, misses and jail terms on top of a real chain (for the cooldown walk). */
function withTallies (base: ChainState, credits: number[], missed: number[], jailed: boolean[]): ChainState {
  return {
    ...base,
    credits: new Map(ids.map((id, i) => [id, credits[i % credits.length]])),
    missed: new Map(ids.map((id, i) => [id, missed[i % missed.length]])),
    jailedUntil: new Map(ids.filter((_, i) => jailed[i % jailed.length]).map((id) => [id, base.slot + 100]))
  }
}

describe('poot leader schedule', () => {
  const chain = extend(f, genesis(f), 20)

  it('puts the top-ranked eligible entity first and the Server last', () => {
    const s = scheduleFor(chain, chain.slot + 1, f.config)
    assert.equal(s.length, params.maxFallbacks + 2)
    assert.equal(s[s.length - 1], SERVER_ENTITY)
    const score = (id: string) => (chain.credits.get(id) ?? 0) * liveScore(chain, id, chain.slot + 1, params)
    for (let k = 1; k < s.length - 1; k++) assert.ok(score(s[k - 1]) >= score(s[k]))
    const best = Math.max(...ids.filter((id) => !cooledDown(chain, chain.slot + 1, params.cooldownSlots).has(id)).map(score))
    assert.equal(score(s[0]), best)
  })

  it('property: the top-k selection equals the full sort, for any credits, misses and jail terms', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 50 }),
      (credits, missed, jailed, ahead) => {
        const state = withTallies(chain, credits, missed, jailed)
        assert.deepEqual(computeSchedule(state, chain.slot + ahead, f.config), naiveSchedule(state, chain.slot + ahead, f.config))
      }), { numRuns: 200 })
  })

  it('property: never schedules an entity that led within the cooldown, nor a jailed one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (back, jailed) => {
      let parent = chain
      for (let i = 0; i < back; i++) parent = parent.parent!
      const state = withTallies(parent, [3, 1, 4, 1, 5], [0], jailed)
      const slot = parent.slot + 1
      const recent = new Set<string>()
      for (let s: ChainState | null = parent; s !== null && s.header !== null && s.slot > slot - params.cooldownSlots; s = s.parent) recent.add(s.header.proposer)
      for (const id of computeSchedule(state, slot, f.config)) {
        assert.ok(!recent.has(id), 'in cooldown')
        assert.ok((state.jailedUntil.get(id) ?? -1) <= slot, 'jailed')
      }
    }), { numRuns: 60 })
  })

  it('breaks ties by slot randomness: equal scores give different orders in different slots, the same order for the same slot', () => {
    const flat = withTallies(chain, [7], [0], [false])
    const a = computeSchedule(flat, chain.slot + 1, f.config)
    assert.deepEqual(computeSchedule(flat, chain.slot + 1, f.config), a)
    const orders = new Set<string>()
    for (let d = 1; d <= 10; d++) orders.add(computeSchedule(flat, chain.slot + d, f.config)[0])
    assert.ok(orders.size > 3, `primaries ${[...orders].length}`)
  })

  it('the reveal steers the next schedule: two different parents of one slot give different tie orders', () => {
    const flat = (s: ChainState) => withTallies(s, [1], [0], [false])
    const p = chain.parent!
    const a = apply(f, p, nextBlock(f, p, { slot: chain.slot }))
    const b = apply(f, p, nextBlock(f, p, { slot: chain.slot, rank: 1 }))
    assert.notDeepEqual(computeSchedule(flat(a), chain.slot + 5, f.config), computeSchedule(flat(b), chain.slot + 5, f.config))
  })

  it('a missed slot lowers liveScore for the rest of the epoch only', () => {
    const s = { ...chain, missed: new Map([[ids[0], 2]]) }
    assert.equal(liveScore(s, ids[0], chain.slot + 1, params), 1000 - 2 * params.liveMissPenaltyPermille)
    assert.equal(liveScore(s, ids[1], chain.slot + 1, params), 1000)
    assert.equal(liveScore(s, ids[0], (chain.epoch + 1) * params.epochSlots, params), 1000)
  })
})
