// A node's own proofs: one vote per slot once the last proposer turn has passed, each heartbeat once, both valid by
// the PoOT rules when a block of the next slot includes them; nothing before genesis. Gossip verdicts punish only
// provable faults.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { DEFAULT_PARAMS, genesisState, validateProof, type PootConfig } from '../../../protocols/poot/index.js'
import { attestOffsetMs, dueProofs, freshDuties } from '../../../node/src/chainnet/duties.js'
import { blockVerdict, proofVerdict } from '../../../node/src/chainnet/verdicts.js'
import { buildFixture } from '../../../protocols/poot/harness/fixture.js'

describe('chain: node duties (votes, heartbeats)', () => {
  const fixture = buildFixture({ nodes: 4, seed: 5 })
  const config: PootConfig = fixture.config
  const params = config.params
  const key = fixture.keys[0]
  const g = genesisState(config)

  it('votes once per slot after the attestation offset and heartbeats once per beat (property over time steps)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: params.slotMs }), { minLength: 1, maxLength: 80 }), (steps) => {
      let st = freshDuties()
      let t = config.genesisMs
      const votes = new Set<number>()
      const beats = new Set<number>()
      let lastBeatAt = -1
      for (const step of steps) {
        t += step
        const r = dueProofs(key, g, config, t, st)
        st = r.state
        for (const p of r.proofs) {
          if (p.kind === 'attestation') {
            assert.ok(!votes.has(p.slot), `two votes in slot ${p.slot}`)
            votes.add(p.slot)
            const start = config.genesisMs + p.slot * params.slotMs
            assert.ok(t >= start + attestOffsetMs(params) && t < start + params.slotMs)
          } else if (p.kind === 'heartbeat') {
            assert.ok(!beats.has(p.beat), `beat ${p.beat} twice`)
            beats.add(p.beat)
            lastBeatAt = t
          }
          const v = validateProof(p, { config, parent: g, slot: p.slot + 1, timeMs: t, blockKeys: new Set(), openChallenges: [] })
          assert.ok(v.ok, `${p.kind} invalid: ${v.ok ? '' : v.reason}`)
        }
      }
      // the head stays at genesis here: heartbeats stop once genesis is too old a reference for them to count
      const beatSlot = (ms: number): number => Math.floor(Math.floor((ms - config.genesisMs) / params.heartbeatIntervalMs) * params.heartbeatIntervalMs / params.slotMs)
      if (lastBeatAt >= 0) assert.ok(beatSlot(lastBeatAt) <= params.maxProofAgeSlots)
      if (beatSlot(t) <= params.maxProofAgeSlots) assert.ok(beats.has(Math.floor((t - config.genesisMs) / params.heartbeatIntervalMs)), 'the current beat was made')
    }), { numRuns: 200 })
  })

  it('makes no heartbeat a stale head would make worthless, and keeps the beat due (a CI counterexample)', () => {
    const t = config.genesisMs + [15398, 23030, 29137, 28896, 29594, 20269, 10230, 22566, 19442, 29138, 19401, 22899].reduce((a, b) => a + b, 0)
    const r = dueProofs(key, g, config, t, freshDuties())
    assert.ok(Math.floor((t - config.genesisMs) / params.slotMs) > params.maxProofAgeSlots, 'the case is past the proof age')
    assert.equal(r.proofs.filter((p) => p.kind === 'heartbeat').length, 0)
    assert.equal(r.state.lastBeat, -1, 'the beat is still due')
  })

  it('makes nothing before genesis', () => {
    assert.deepEqual(dueProofs(key, g, config, config.genesisMs - 1, freshDuties()).proofs, [])
  })

  it('gossip verdicts: reject provable faults, ignore what depends on the receiver\'s view', () => {
    assert.equal(blockVerdict({ ok: false, reason: 'bad envelope: not RLP' }), 'reject')
    assert.equal(blockVerdict({ ok: false, reason: 'seal-bad-signature' }), 'reject')
    assert.equal(blockVerdict({ ok: false, reason: 'poot:not-scheduled' }), 'reject')
    assert.equal(blockVerdict({ ok: false, reason: 'unknown-parent: 0xab' }), 'ignore')
    assert.equal(blockVerdict({ ok: false, reason: 'equivocation: x signed two blocks' }), 'ignore')
    assert.equal(blockVerdict({ ok: false, reason: 'poot:future-block' }), 'ignore')
    assert.equal(blockVerdict({ ok: true, known: true }), 'ignore')
    assert.equal(blockVerdict({ ok: true }), 'accept')
    assert.equal(proofVerdict({ ok: false, reason: 'bad-signature' }), 'reject')
    assert.equal(proofVerdict({ ok: false, reason: 'unknown-node' }), 'reject')
    assert.equal(proofVerdict({ ok: false, reason: 'unknown-target' }), 'ignore')
    // a holding claim checked against the receiver's head: its session may not be registered there yet
    assert.equal(proofVerdict({ ok: false, reason: 'not-anchored' }), 'ignore')
    assert.equal(proofVerdict({ ok: false, reason: 'anchor-mismatch' }), 'ignore')
    assert.equal(proofVerdict({ ok: false, reason: 'stale' }), 'ignore')
    assert.equal(proofVerdict({ ok: true }), 'accept')
    assert.equal(DEFAULT_PARAMS.slotMs > attestOffsetMs(DEFAULT_PARAMS), true)
  })
})
