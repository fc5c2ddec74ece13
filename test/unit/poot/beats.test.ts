// Heartbeat numbering when governance changes the interval (ParamRegistry's heartbeat.intervalS): numbering goes on
// from the epoch's start, so beat numbers keep increasing with time and none is used twice, whatever the sequence of
// intervals; without a change it is the genesis numbering. A node's duties make heartbeats the rules accept under the
// new numbering, and a beat of the old numbering is refused with its reason.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { buildFixture } from '../../../protocols/poot/harness/fixture.js'
import { extend, fixture, genesis } from './helpers.js'
import { beatAt, beatDueMs, beatOrigin, slotOfBeatIn } from '../../../protocols/poot/beats.js'
import { epochConfig } from '../../../protocols/poot/governed-params.js'
import { beatsOfSlot, slotOfBeat, slotStartMs } from '../../../protocols/poot/params.js'
import { makeHeartbeat } from '../../../protocols/poot/make-proofs.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { dueProofs, freshDuties } from '../../../node/src/chainnet/duties.js'
import type { PootConfig } from '../../../protocols/poot/config.js'

const f = buildFixture({ nodes: 4, seed: 11 })
const base = f.config
const withInterval = (c: PootConfig, ms: number): PootConfig['params'] => ({ ...c.params, heartbeatIntervalMs: ms })

describe('poot: heartbeat numbering across interval changes', () => {
  it('without a change it is the genesis numbering', () => {
    fc.assert(fc.property(fc.nat({ max: 1_000_000 }), (beat) => {
      assert.equal(slotOfBeatIn(base, beat), slotOfBeat(base.params, beat))
      assert.equal(beatDueMs(base, beat), base.genesisMs + beat * base.params.heartbeatIntervalMs)
    }), { numRuns: 200 })
    for (const slot of [0, 1, 7, 239, 240]) for (const b of beatsOfSlot(base.params, slot)) assert.equal(slotOfBeatIn(base, b), slot)
    assert.equal(epochConfig(base, base, base.params, base.params.epochSlots), base)
    const same = epochConfig(base, base, withInterval(base, 20_000), base.params.epochSlots)
    assert.equal(epochConfig(base, same, { ...same.params }, 2 * base.params.epochSlots), same, 'an unchanged epoch keeps its config')
  })

  it('beat numbers increase with time and are never reused, whatever intervals governance sets (property)', () => {
    const intervals = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 10, max: 120 })), { minLength: 1, maxLength: 6 })
    fc.assert(fc.property(intervals, (changes) => {
      let config = base
      let epoch = 0
      let lastBeat = -1
      let lastDue = -Infinity
      const walk = (untilMs: number): void => {
        // every beat due before untilMs under the current numbering, in order
        for (let b = Math.max(lastBeat + 1, beatOrigin(config).beat); beatDueMs(config, b) < untilMs; b++) {
          const due = beatDueMs(config, b)
          assert.ok(b > lastBeat && due > lastDue, `beat ${b} at ${due} after beat ${lastBeat} at ${lastDue}`)
          assert.equal(slotOfBeatIn(config, b), Math.floor((due - base.genesisMs) / base.params.slotMs))
          assert.equal(beatAt(config, due), b)
          lastBeat = b
          lastDue = due
        }
      }
      for (const [after, seconds] of changes) {
        epoch += after
        const startMs = slotStartMs(base.genesisMs, base.params, epoch * base.params.epochSlots)
        walk(startMs)
        const next = epochConfig(base, config, withInterval(config, seconds * 1000), epoch * base.params.epochSlots)
        if (seconds * 1000 !== config.params.heartbeatIntervalMs) {
          assert.equal(beatDueMs(next, beatOrigin(next).beat), startMs, 'the new numbering starts at the epoch')
          assert.equal(beatOrigin(next).beat, lastBeat + 1, 'numbering goes on from the last beat made')
        }
        config = next
      }
      walk(slotStartMs(base.genesisMs, base.params, (epoch + 1) * base.params.epochSlots))
    }), { numRuns: 100 })
  })

  it('duties make heartbeats the rules accept under the new numbering; an old-numbering beat is refused', () => {
    const h = fixture()
    const changed = epochConfig(h.config, h.config, withInterval(h.config, 20_000), h.config.params.epochSlots)
    const origin = beatOrigin(changed)
    assert.equal(origin.ms, slotStartMs(h.config.genesisMs, h.config.params, h.config.params.epochSlots))
    // a head at the epoch's second slot (blocks made under the genesis config; the interval does not change them)
    const head = extend(h, genesis(h), h.config.params.epochSlots + 1)
    const key = h.keys[0]
    let st = freshDuties()
    const made: number[] = []
    for (let t = origin.ms + 1; t < origin.ms + 3 * h.config.params.slotMs; t += 5000) {
      const r = dueProofs(key, head, changed, t, st)
      st = r.state
      for (const p of r.proofs) {
        if (p.kind !== 'heartbeat') continue
        made.push(p.beat)
        const slot = Math.max(p.slot, head.slot) + 1
        const v = validateProof(p, { config: changed, parent: head, slot, timeMs: slotStartMs(h.config.genesisMs, h.config.params, slot), blockKeys: new Set(), openChallenges: [] })
        assert.ok(v.ok, v.ok ? '' : `beat ${p.beat}: ${v.reason}`)
      }
    }
    // 90 s at one beat per 20 s, numbered on from the origin
    assert.deepEqual(made, [0, 1, 2, 3, 4].map((i) => origin.beat + i))
    // a beat of the old numbering (due before the change) cannot count under the new config
    const old = makeHeartbeat(key, slotOfBeat(h.config.params, origin.beat - 1), origin.beat - 1, { slot: head.slot, hash: head.hash })
    const v = validateProof(old, { config: changed, parent: head, slot: head.slot + 1, timeMs: origin.ms + 60_000, blockKeys: new Set(), openChallenges: [] })
    assert.deepEqual(v, { ok: false, reason: 'beat-before-interval-change' })
  })
})
