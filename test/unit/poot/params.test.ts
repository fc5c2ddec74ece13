import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { checkParams, DEFAULT_PARAMS, PARAM_BOUNDS, windowSlots, beatsOfSlot, slotOfBeat, type PootParams } from '../../../protocols/poot/params.js'

const names = Object.keys(PARAM_BOUNDS) as Array<keyof PootParams>

describe('poot parameters', () => {
  it('accepts the defaults (the spec\'s seed values)', () => {
    assert.deepEqual(checkParams(DEFAULT_PARAMS), { ok: true })
    assert.equal(DEFAULT_PARAMS.slotMs, 120_000)
    assert.equal(DEFAULT_PARAMS.slotTimeoutMs, 5_000)
    assert.equal(DEFAULT_PARAMS.cooldownSlots, 16)
    assert.equal(DEFAULT_PARAMS.creditWindowDays, 7)
    assert.equal(DEFAULT_PARAMS.heartbeatIntervalMs, 30_000)
    assert.equal(windowSlots(DEFAULT_PARAMS), 5040)
  })

  it('property: any parameter just outside its bounds, or not an integer, is refused naming it', () => {
    fc.assert(fc.property(fc.constantFrom(...names), fc.constantFrom('low', 'high', 'fraction'), (name, how) => {
      const [lo, hi] = PARAM_BOUNDS[name]
      const value = how === 'low' ? lo - 1 : how === 'high' ? hi + 1 : lo + 0.5
      const r = checkParams({ ...DEFAULT_PARAMS, [name]: value })
      assert.deepEqual(r, { ok: false, reason: how === 'fraction' ? `param-not-integer:${name}` : `param-out-of-bounds:${name}` })
    }), { numRuns: 150 })
  })

  it('property: any value inside every bound passes unless a relation between parameters fails', () => {
    fc.assert(fc.property(fc.constantFrom(...names), fc.double({ min: 0, max: 1, noNaN: true }), (name, t) => {
      const [lo, hi] = PARAM_BOUNDS[name]
      const p = { ...DEFAULT_PARAMS, [name]: Math.round(lo + t * (hi - lo)) }
      const r = checkParams(p)
      if (!r.ok) assert.match(r.reason, /^param-relation:/)
    }), { numRuns: 200 })
  })

  it('refuses fallbacks that would not fit in the slot', () => {
    assert.deepEqual(checkParams({ ...DEFAULT_PARAMS, slotMs: 2_000, slotTimeoutMs: 1_000, maxFallbacks: 1 }), { ok: false, reason: 'param-relation:fallbacks-exceed-slot' })
    assert.deepEqual(checkParams({ ...DEFAULT_PARAMS, slotMs: 2_000, slotTimeoutMs: 1_000, maxFallbacks: 0 }), { ok: true })
  })

  it('places every heartbeat in exactly one slot', () => {
    for (const [slotMs, hb] of [[120_000, 30_000], [30_000, 30_000], [2_000, 30_000], [120_000, 45_000]]) {
      const p = { ...DEFAULT_PARAMS, slotMs, heartbeatIntervalMs: hb }
      const seen: number[] = []
      for (let s = 0; s < 40; s++) for (const b of beatsOfSlot(p, s)) { assert.equal(slotOfBeat(p, b), s); seen.push(b) }
      assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i), `${slotMs}/${hb}`)
    }
  })
})

describe('poot genesis configuration', () => {
  it('refuses a catalog that is unsorted, has a bad root or count, or names an unregistered holder', async () => {
    const { checkConfig } = await import('../../../protocols/poot/config.js')
    const { buildFixture } = await import('../../../protocols/poot/harness/fixture.js')
    const { config } = buildFixture({ seed: 1, nodes: 6 })
    assert.deepEqual(checkConfig(config), { ok: true })
    const [a, b] = config.catalog
    const check = (catalog: typeof config.catalog) => checkConfig({ ...config, catalog })
    assert.deepEqual(check([b, a]), { ok: false, reason: `catalog-not-sorted:${a.sessionId}` })
    assert.deepEqual(check([{ ...a, root: new Uint8Array(31) }]), { ok: false, reason: `bad-root:${a.sessionId}` })
    assert.deepEqual(check([{ ...a, chunkCount: 0 }]), { ok: false, reason: `bad-chunk-count:${a.sessionId}` })
    assert.deepEqual(check([{ ...a, holders: ['ab'.repeat(32)] }]), { ok: false, reason: `unregistered-holder:${'ab'.repeat(32)}` })
    assert.deepEqual(checkConfig({ ...config, params: { ...config.params, cooldownSlots: 7 } }), { ok: false, reason: 'param-out-of-bounds:cooldownSlots' })
  })
})
