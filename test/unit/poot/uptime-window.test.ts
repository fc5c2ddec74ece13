// Uptime over the last three months (protocols/poot/uptime-window.ts): the day-bucketed window of epoch liveScores
// against a list of every epoch's score (property), and folded by the chain's transition at each epoch boundary,
// which the eligibility report reads.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { UPTIME_WINDOW_DAYS, closeEpoch, dayOfSlot, eligibilityReport, liveScore, windowUptimeBps, withEpochScore, type UptimeDay } from '../../../protocols/poot/index.js'
import { apply, extend, fixture, genesis, nextBlock } from './helpers.js'

describe('poot: uptime over the last three months', () => {
  it('is the mean liveScore of the epochs of the last 90 days, whatever the days between epochs', () => {
    const epoch = fc.record({ gapDays: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 120 })), score: fc.integer({ min: 0, max: 1000 }) })
    fc.assert(fc.property(fc.array(epoch, { minLength: 1, maxLength: 300 }), (epochs) => {
      let days: UptimeDay[] = []
      let day = 20_000
      const all: Array<{ day: number, score: number }> = []
      for (const e of epochs) {
        day += e.gapDays
        days = withEpochScore(days, day, e.score)
        all.push({ day, score: e.score })
        const inWindow = all.filter((x) => x.day > day - UPTIME_WINDOW_DAYS)
        assert.equal(windowUptimeBps(days), Math.round(inWindow.reduce((s, x) => s + x.score, 0) * 10 / inWindow.length))
        assert.ok(days.length <= UPTIME_WINDOW_DAYS && days.every((d, i) => i === 0 || d.day > days[i - 1].day))
      }
    }), { numRuns: 100 })
    assert.equal(windowUptimeBps(undefined), 0)
  })

  it('folds each ended epoch into the state; one bad epoch of three leaves the entity its mean, not that epoch\'s score', () => {
    const f = fixture()
    const E = f.config.params.epochSlots
    let s = genesis(f)
    // epoch 0: the first slot's primary misses (its fallback proposes)
    const primary = nextBlock(f, s).signed.header.proposer
    s = apply(f, s, nextBlock(f, s, { rank: 1 }))
    const missedScore = liveScore(s, primary, s.slot + 1, f.config.params)
    assert.ok(missedScore < 1000)
    s = extend(f, s, E - 1 - s.slot)
    assert.equal(s.uptime.size, 0, 'nothing folded before the epoch ends')
    // the report at the boundary and the state after it agree
    const report = eligibilityReport(s, s.slot + 1, f.config)!
    const folded = closeEpoch(s, f.config)
    s = extend(f, s, 1)
    assert.deepEqual(s.uptime, folded)
    assert.deepEqual(s.uptime.get(primary), [{ day: dayOfSlot(E - 1, f.config), sum: missedScore, epochs: 1 }])
    assert.equal(report.uptimeBps[report.entities.indexOf(primary)], missedScore * 10)
    // two clean epochs later the window holds three epochs
    s = extend(f, s, 2 * E - 1)
    const later = eligibilityReport(s, s.slot + 1, f.config)!
    const mean = Math.round((missedScore + 1000 + 1000) * 10 / 3)
    assert.equal(later.uptimeBps[later.entities.indexOf(primary)], mean)
    assert.ok(later.uptimeBps.every((u, i) => later.entities[i] === primary || u === 10_000), 'nobody else missed a slot')
  })
})
