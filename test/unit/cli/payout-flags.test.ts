// The USD amounts of `lucid payout income`: decimal strings to exact 6-decimal units and back.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { formatUsd6, usd6 } from '../../../node/src/cli/commands/payout-flags.js'

describe('payout flags: USD amounts (usd6, formatUsd6)', () => {
  it('converts exactly, without floating point', () => {
    assert.equal(usd6('--gross', '1234.5'), 1_234_500_000n)
    assert.equal(usd6('--gross', '0.000001'), 1n)
    assert.equal(usd6('--gross', '12'), 12_000_000n)
    assert.equal(usd6('--gross', '007.10'), 7_100_000n)
    assert.equal(usd6('--gross', '0'), 0n)
    assert.equal(usd6('--gross', '9007199254740993.123456'), 9_007_199_254_740_993_123_456n, 'beyond 2^53')
    assert.equal(formatUsd6(1_234_500_000n), '1234.5')
    assert.equal(formatUsd6(12_000_000n), '12')
    assert.equal(formatUsd6(1n), '0.000001')
  })

  it('refuses negatives, more than 6 decimals and anything but digits and one point, naming the flag', () => {
    for (const [v, want] of [['-1', /^UsageError: --fee: a USD amount cannot be negative/], ['1.0000001', /^UsageError: --fee: at most 6 decimals/],
      ['1e6', /^UsageError: --fee: expected a USD amount/], ['.5', /^UsageError: --fee: expected a USD amount/], ['5.', /^UsageError: --fee: expected a USD amount/],
      ['$5', /^UsageError: --fee: expected a USD amount/], ['0x10', /^UsageError: --fee: expected a USD amount/], ['', /^UsageError: --fee: expected a USD amount/]] as const) {
      assert.throws(() => usd6('--fee', v), want, v)
    }
  })

  it('round-trips every amount of 6-decimal units', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (units) => usd6('--x', formatUsd6(units)) === units))
  })
})
