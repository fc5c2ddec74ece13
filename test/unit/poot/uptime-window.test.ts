// Uptime over the last three months (protocols/poot/uptime-window.ts): heartbeats counted against heartbeats due,
// in day buckets kept for 90 days (property, against a list of every epoch), the beats due in a span against counting
// beat instants one by one (property, across interval changes), and the tally folded by the chain's transition at
// each epoch boundary, which the eligibility report reads: a node that beats every time has full uptime even if it
// missed a slot it led, one that beats every other time half, a pool its members' share.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import {
  DEFAULT_PARAMS, UPTIME_WINDOW_DAYS, beatDueMs, beatsDueIn, dayOfSlot, eligibilityReport, liveScore, makeHeartbeat, originAfterChange, windowUptimeBps, withEpochBeats, type ChainState, type HeartbeatProof, type UptimeDay
} from '../../../protocols/poot/index.js'
import { apply, extend, fixture, genesis, keyOf, nextBlock } from './helpers.js'

describe('poot: uptime over the last three months', () => {
  it('is the heartbeats counted over those due in the epochs of the last 90 days, at most 100 %', () => {
    const epoch = fc.record({ gapDays: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 120 })), beats: fc.integer({ min: 0, max: 3000 }), due: fc.integer({ min: 0, max: 2880 }) })
    fc.assert(fc.property(fc.array(epoch, { minLength: 1, maxLength: 300 }), (epochs) => {
      let days: UptimeDay[] = []
      let day = 20_000
      const all: Array<{ day: number, beats: number, due: number }> = []
      for (const e of epochs) {
        day += e.gapDays
        days = withEpochBeats(days, day, e.beats, e.due)
        all.push({ day, beats: e.beats, due: e.due })
        const inWindow = all.filter((x) => x.day > day - UPTIME_WINDOW_DAYS)
        const due = inWindow.reduce((s, x) => s + x.due, 0)
        const beats = inWindow.reduce((s, x) => s + x.beats, 0)
        assert.equal(windowUptimeBps(days), due === 0 ? 0 : Math.min(10_000, Math.round(beats * 10_000 / due)))
        assert.ok(days.length <= UPTIME_WINDOW_DAYS && days.every((d, i) => i === 0 || d.day > days[i - 1].day))
      }
    }), { numRuns: 100 })
    assert.equal(windowUptimeBps(undefined), 0)
  })

  it('counts the beats due in a span as the beat instants in it, across interval changes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: 10_000, max: 120_000 }), fc.integer({ min: 0, max: 10_000_000 }),
      fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 5_000_000 }),
      (before, after, changeAt, start, length) => {
        const genesisMs = 1_000_000
        const old = { params: { ...DEFAULT_PARAMS, heartbeatIntervalMs: before }, genesisMs }
        const changed = { ...old, params: { ...DEFAULT_PARAMS, heartbeatIntervalMs: after }, beatOrigin: originAfterChange(old, genesisMs + changeAt) }
        for (const clock of [old, changed]) {
          const from = genesisMs + start
          let n = 0
          const origin = clock === old ? 0 : changed.beatOrigin.beat
          for (let b = origin; beatDueMs(clock, b) < from + length; b++) if (beatDueMs(clock, b) >= from) n++
          assert.equal(beatsDueIn(clock, from, from + length), n)
        }
      }), { numRuns: 200 })
  })

  it('folds each ended epoch\'s heartbeats into the state; missed slots do not cost uptime, missed beats do', () => {
    // a pool of three (two must sign), then solo nodes; one beat per slot (30 s), epochs of 16 slots
    const f = fixture({ nodes: 8, pools: [{ size: 3, threshold: 2 }], params: { epochSlots: 16 } })
    const E = f.config.params.epochSlots
    const pool = f.entityOf[0]
    const [half, never, ...full] = f.keys.slice(3, 8).map((k) => k.id)
    // every block at slot t carries beat t − 1 (due at the start of slot t − 1) of: all solo nodes but `never`, `half`
    // only on even beats, and two of the pool's three members
    const beatsFor = (parent: ChainState, slot: number): { proofs: HeartbeatProof[] } => {
      const beat = slot - 1
      const nodes = [...full, ...(beat % 2 === 0 ? [half] : []), f.keys[0].id, f.keys[1].id]
      return { proofs: nodes.map((n) => makeHeartbeat(keyOf(f, n), beat, beat, { slot: parent.slot, hash: parent.hash })) }
    }
    let s = genesis(f)
    s = extend(f, s, 1, beatsFor)
    // the next slot whose primary beats every time misses it: the fallback proposes, with the same beats
    while (!full.includes(nextBlock(f, s).signed.header.proposer)) s = extend(f, s, 1, beatsFor)
    const missing = nextBlock(f, s).signed.header.proposer
    s = apply(f, s, nextBlock(f, s, { rank: 1, body: beatsFor(s, s.slot + 1) }))
    assert.ok(liveScore(s, missing, s.slot + 1, f.config.params) < 1000)
    assert.ok(s.slot < E, 'the miss is in epoch 0')
    s = extend(f, s, 3 * E - 1 - s.slot, beatsFor)
    const report = eligibilityReport(s, 3 * E, f.config)!
    s = extend(f, s, 1, beatsFor)
    assert.equal(report.epoch, 2)
    // three epochs: 48 beats due; beats 0 … 46 were included by the blocks of slots 1 … 47 (beat 47 goes to epoch 3)
    const bps = (e: string): number => report.uptimeBps[report.entities.indexOf(e)]
    for (const e of full) assert.equal(bps(e), Math.round(47 * 10_000 / 48), `solo ${e}`)
    assert.equal(bps(half), 5000) // beats 0, 2, … 46
    assert.equal(bps(never), 0)
    assert.equal(bps(pool), Math.round(2 * 47 * 10_000 / (3 * 48))) // two members of three beat
    assert.equal(bps(missing), bps(full[0]), 'the missed slot costs no uptime')
    // the state after the boundary holds what the report read
    assert.deepEqual(s.uptime.get(half), [{ day: dayOfSlot(3 * E - 1, f.config), beats: 24, due: 48 }])
    assert.equal(s.epochBeats.due, E)
    assert.equal(s.epochBeats.counted.get(full[0]), 1, 'the boundary block\'s beat counts in the new epoch')
  })
})
