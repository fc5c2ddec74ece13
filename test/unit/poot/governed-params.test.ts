import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { checkParams, DEFAULT_PARAMS, PARAM_BOUNDS, type PootParams } from '../../../protocols/poot/params.js'
import { GOVERNED_PARAMS, governedParams, type RegistryValues } from '../../../protocols/poot/governed-params.js'
import { governedPayoutParams } from '../../../protocols/poot/governed-payout-params.js'
import { checkPayoutParams, DEFAULT_PAYOUT_PARAMS, USD } from '../../../protocols/poot/payouts.js'

// ParamRegistry's genesis values (contracts/src/ParamRegistry.sol)
const AT_GENESIS: RegistryValues = { 'leader.timeoutMs': 5000n, 'leader.cooldownSlots': 16n, 'reward.baseMbPerSession': 5n, 'reward.dMinPpm': 200_000n, 'credit.windowDays': 7n, 'heartbeat.intervalS': 30n }
const DEVNET: PootParams = { ...DEFAULT_PARAMS, slotMs: 1500, slotTimeoutMs: 1000, maxFallbacks: 0, cooldownSlots: 8 }

describe('poot: parameters governed through ParamRegistry', () => {
  it('the genesis parameters rule while governance changed nothing (even where they differ from the registry)', () => {
    assert.equal(governedParams(DEVNET, AT_GENESIS, AT_GENESIS), DEVNET)
    assert.equal(governedParams(DEVNET, AT_GENESIS, {}), DEVNET)
  })

  it('applies a changed value in PoOT units; ignores values out of bounds, off the unit, or breaking a relation', () => {
    const now = (key: string, v: bigint): RegistryValues => ({ ...AT_GENESIS, [key]: v })
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('leader.timeoutMs', 1300n)).slotTimeoutMs, 1300)
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('reward.dMinPpm', 300_000n)).dMinPermille, 300)
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('reward.dMinPpm', 300_500n)), DEVNET, 'not a whole permille')
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('leader.cooldownSlots', 65n)), DEVNET, 'out of PoOT bounds')
    // (maxFallbacks + 1) × timeout must stay under the 1.5 s slot
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('leader.timeoutMs', 1500n)), DEVNET)
    assert.equal(governedParams(DEFAULT_PARAMS, AT_GENESIS, now('leader.timeoutMs', 10_000n)).slotTimeoutMs, 10_000)
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('credit.windowDays', 14n)).creditWindowDays, 14)
    assert.equal(governedParams(DEVNET, AT_GENESIS, now('credit.windowDays', 2n)), DEVNET, 'under the 3-day bound')
    assert.equal(governedParams(DEFAULT_PARAMS, AT_GENESIS, now('heartbeat.intervalS', 60n)).heartbeatIntervalMs, 60_000)
    assert.equal(governedParams(DEFAULT_PARAMS, AT_GENESIS, now('heartbeat.intervalS', 121n)), DEFAULT_PARAMS, 'over the 120 s bound')
  })

  it('property: the result is always valid, differs from the base only in governed fields, each from a changed value', () => {
    const value = fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.constantFrom(...Object.values(AT_GENESIS)))
    const values = fc.record(Object.fromEntries(GOVERNED_PARAMS.map((g) => [g.key, value])) as Record<string, fc.Arbitrary<bigint>>)
    fc.assert(fc.property(fc.constantFrom(DEVNET, DEFAULT_PARAMS), values, (base, now) => {
      const out = governedParams(base, AT_GENESIS, now)
      assert.ok(checkParams(out).ok)
      for (const name of Object.keys(PARAM_BOUNDS) as Array<keyof PootParams>) {
        if (out[name] === base[name]) continue
        const g = GOVERNED_PARAMS.find((x) => x.param === name)
        assert.ok(g !== undefined, `${name} is not governed`)
        assert.notEqual(now[g.key], AT_GENESIS[g.key])
        assert.equal(g.toPoot(now[g.key]), BigInt(out[name]))
      }
    }), { numRuns: 500 })
  })

  it('the payout minimum: the genesis value until governance changes the registry one; then the registry\'s, if valid', () => {
    const genesis = { ...DEFAULT_PAYOUT_PARAMS, minPayoutUsd: 12n * USD } // a genesis file's own minimum
    const atGenesis: RegistryValues = { 'payout.minimumUsd6': 10n * USD }
    assert.equal(governedPayoutParams(genesis, atGenesis, atGenesis), genesis, 'unchanged: the genesis file rules')
    assert.equal(governedPayoutParams(genesis, atGenesis, {}), genesis, 'not read: unchanged')
    assert.equal(governedPayoutParams(genesis, atGenesis, { 'payout.minimumUsd6': 25n * USD }).minPayoutUsd, 25n * USD)
    assert.equal(governedPayoutParams(genesis, atGenesis, { 'payout.minimumUsd6': 0n }).minPayoutUsd, 0n, 'no minimum is valid')
    assert.equal(governedPayoutParams(genesis, atGenesis, { 'payout.minimumUsd6': -1n }), genesis, 'negative: ignored')
    fc.assert(fc.property(fc.bigInt({ min: -5n, max: 10n ** 12n }), (v) => {
      const out = governedPayoutParams(genesis, atGenesis, { 'payout.minimumUsd6': v })
      assert.ok(checkPayoutParams(out).ok)
      assert.deepEqual({ ...out, minPayoutUsd: 0n }, { ...genesis, minPayoutUsd: 0n }, 'only the minimum is governed')
      assert.equal(out.minPayoutUsd, v === 10n * USD || v < 0n ? genesis.minPayoutUsd : v)
    }), { numRuns: 300 })
  })
})
