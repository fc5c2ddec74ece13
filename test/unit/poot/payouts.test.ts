import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { buildPayoutBatch, checkPayoutParams, payoutEpochOf, DEFAULT_PAYOUT_PARAMS, encodePayoutEntry, payoutEpoch, proportionalShares, splitRevenue, USD, vaultStimulus, type Holder } from '../../../protocols/poot/payouts.js'
import { inclusionProof, leafHash, verifyInclusion } from '../../../protocols/poot/merkle.js'
import { LUCID } from '../../../protocols/poot/rewards.js'

const P = DEFAULT_PAYOUT_PARAMS
const addr = (i: number) => '0x' + i.toString(16).padStart(40, '0')

describe('poot payouts', () => {
  it('splits gross income 18 / 2 / 40 / 40, the rounding units going to the distributable part', () => {
    assert.deepEqual(splitRevenue(1_000_000n * USD, P), { tax: 180_000n * USD, management: 20_000n * USD, vault: 400_000n * USD, distributable: 400_000n * USD })
    assert.deepEqual(splitRevenue(7n, P), { tax: 1n, management: 0n, vault: 2n, distributable: 4n })
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (g) => {
      const s = splitRevenue(g, P)
      assert.equal(s.tax + s.management + s.vault + s.distributable, g)
    }))
  })

  it('adds 10 % of each vault goal reached to the pool, goals 20M then +5M', () => {
    assert.deepEqual(vaultStimulus({ balanceUsd: 19_999_999n * USD, nextGoalUsd: 20_000_000n * USD }, P), { stimulusUsd: 0n, vault: { balanceUsd: 19_999_999n * USD, nextGoalUsd: 20_000_000n * USD } })
    assert.deepEqual(vaultStimulus({ balanceUsd: 20_000_000n * USD, nextGoalUsd: 20_000_000n * USD }, P), { stimulusUsd: 2_000_000n * USD, vault: { balanceUsd: 18_000_000n * USD, nextGoalUsd: 25_000_000n * USD } })
    // 30M: goal 20M pays 2M (28M left), goal 25M pays 2.5M (25.5M left), goal 30M not reached.
    assert.deepEqual(vaultStimulus({ balanceUsd: 30_000_000n * USD, nextGoalUsd: 20_000_000n * USD }, P), { stimulusUsd: 4_500_000n * USD, vault: { balanceUsd: 25_500_000n * USD, nextGoalUsd: 30_000_000n * USD } })
  })

  it('pays by snapshot share, routes node workers to KYC and end users to V0, rolls over under $10', () => {
    const holders: Holder[] = [
      { address: addr(1), balance: 60n * LUCID, role: 'node-worker' },
      { address: addr(2), balance: 39n * LUCID, role: 'end-user' },
      { address: addr(3), balance: 1n * LUCID, role: 'end-user' }
    ]
    const r = buildPayoutBatch({ epoch: 4, distributableUsd: 500n * USD, holders, carried: new Map(), networkFeeUsd: USD }, { ...P, platformFeeBps: 100 })
    assert.ok(r.ok)
    const [a, b] = r.value.entries
    assert.deepEqual(a, { index: 0, address: addr(1), route: 'kyc', grossUsd: 300n * USD, networkFeeUsd: USD, platformFeeUsd: 3n * USD, netUsd: 296n * USD })
    assert.deepEqual(b, { index: 1, address: addr(2), route: 'v0', grossUsd: 195n * USD, networkFeeUsd: USD, platformFeeUsd: 1_950_000n, netUsd: 192_050_000n })
    assert.equal(r.value.entries.length, 2)
    assert.deepEqual([...r.value.rollover], [[addr(3), 5n * USD]])
    // Next epoch: the $5 carried plus a new $5 share reaches the minimum.
    const next = buildPayoutBatch({ epoch: 5, distributableUsd: 500n * USD, holders, carried: r.value.rollover, networkFeeUsd: 0n }, P)
    assert.ok(next.ok)
    assert.equal(next.value.entries.find((e) => e.address === addr(3))?.grossUsd, 10n * USD)
    assert.equal(next.value.rollover.size, 0)
  })

  it('rolls over an entitlement the fees would swallow', () => {
    const r = buildPayoutBatch({ epoch: 1, distributableUsd: 12n * USD, holders: [{ address: addr(9), balance: 1n, role: 'end-user' }], carried: new Map(), networkFeeUsd: 12n * USD }, P)
    assert.ok(r.ok)
    assert.equal(r.value.entries.length, 0)
    assert.equal(r.value.rollover.get(addr(9)), 12n * USD)
  })

  it('commits to every entry with the BLAKE3 Merkle root', () => {
    const holders = Array.from({ length: 7 }, (_, i): Holder => ({ address: addr(i + 1), balance: BigInt(i + 1) * LUCID, role: i % 2 === 0 ? 'node-worker' : 'end-user' }))
    const r = buildPayoutBatch({ epoch: 2, distributableUsd: 10_000n * USD, holders, carried: new Map(), networkFeeUsd: 0n }, P)
    assert.ok(r.ok)
    const leaves = r.value.entries.map((e) => leafHash(encodePayoutEntry(2, e)))
    r.value.entries.forEach((e, i) => assert.ok(verifyInclusion(r.value.root, leaves.length, i, leaves[i], inclusionProof(leaves, i))))
    const tampered = { ...r.value.entries[0], netUsd: r.value.entries[0].netUsd + 1n }
    assert.ok(!verifyInclusion(r.value.root, leaves.length, 0, leafHash(encodePayoutEntry(2, tampered)), inclusionProof(leaves, 0)))
  })

  it('refuses malformed inputs with a reason', () => {
    const h = (a: string): Holder => ({ address: a, balance: LUCID, role: 'end-user' })
    const run = (holders: Holder[], carried = new Map<string, bigint>()) => {
      const r = buildPayoutBatch({ epoch: 1, distributableUsd: USD, holders, carried, networkFeeUsd: 0n }, P)
      return r.ok ? 'ok' : r.reason
    }
    assert.equal(run([h(addr(1)), h(addr(1))]), `duplicate-holder:${addr(1)}`)
    assert.equal(run([h('0x12')]), 'bad-address:0x12')
    assert.equal(run([h(addr(1))], new Map([[addr(2), 1n]])), `carried-without-holder:${addr(2)}`)
    assert.equal(run([{ ...h(addr(1)), balance: 0n }]), 'no-balances')
    assert.deepEqual(checkPayoutParams({ ...P, vaultBps: 9000 }), { ok: false, reason: 'param-relation:split-exceeds-100%' })
    assert.deepEqual(checkPayoutParams(P), { ok: true })
  })

  it('property: a batch conserves the distributable amount plus carry-over to the unit, and honours the minimum', () => {
    const holder = fc.record({ balance: fc.bigInt({ min: 0n, max: 10n ** 24n }), role: fc.constantFrom<'node-worker' | 'end-user'>('node-worker', 'end-user'), carried: fc.bigInt({ min: 0n, max: 20n * USD }) })
    fc.assert(fc.property(fc.array(holder, { minLength: 1, maxLength: 40 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 3n * USD }), fc.integer({ min: 0, max: 500 }),
      (rows, distributable, fee, bps) => {
        if (rows.every((r) => r.balance === 0n)) rows[0].balance = 1n
        const holders = rows.map((r, i): Holder => ({ address: addr(i + 1), balance: r.balance, role: r.role }))
        const carried = new Map(rows.map((r, i) => [addr(i + 1), r.carried] as [string, bigint]).filter(([, v]) => v > 0n))
        const out = buildPayoutBatch({ epoch: 1, distributableUsd: distributable, holders, carried, networkFeeUsd: fee }, { ...P, platformFeeBps: bps })
        assert.ok(out.ok)
        const paid = out.value.entries.reduce((n, e) => n + e.grossUsd, 0n)
        const rolled = [...out.value.rollover.values()].reduce((n, v) => n + v, 0n)
        const carriedIn = [...carried.values()].reduce((n, v) => n + v, 0n)
        assert.equal(paid + rolled, distributable + carriedIn)
        for (const e of out.value.entries) {
          assert.ok(e.grossUsd >= P.minPayoutUsd && e.netUsd > 0n)
          assert.equal(e.netUsd + e.networkFeeUsd + e.platformFeeUsd, e.grossUsd)
          assert.equal(e.route, holders.find((h) => h.address === e.address)!.role === 'node-worker' ? 'kyc' : 'v0')
        }
        for (const [a, v] of out.value.rollover) assert.ok(v > 0n && !out.value.entries.some((e) => e.address === a))
      }), { numRuns: 200 })
  })

  it('property: proportional shares sum exactly and differ from the exact share by less than one unit', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 20n }), { minLength: 1, maxLength: 30 }), (amount, weights) => {
      const shares = proportionalShares(amount, weights)
      const total = weights.reduce((a, b) => a + b, 0n)
      assert.equal(shares.reduce((a, b) => a + b, 0n), total === 0n ? 0n : amount)
      if (total > 0n) shares.forEach((s, i) => { const exact = amount * weights[i]; assert.ok(s * total - exact > -total && s * total - exact < total) })
    }), { numRuns: 200 })
  })

  it('numbers payout epochs by slot (monthly at 120 s slots)', () => {
    assert.equal(payoutEpochOf(0, P), 0)
    assert.equal(payoutEpochOf(30 * 24 * 30 - 1, P), 0)
    assert.equal(payoutEpochOf(30 * 24 * 30, P), 1)
  })

  it('runs a whole epoch: split, stimulus, batch', () => {
    const r = payoutEpoch({ epoch: 1, grossIncomeUsd: 1_000_000n * USD, vault: { balanceUsd: 19_800_000n * USD, nextGoalUsd: 20_000_000n * USD }, holders: [{ address: addr(1), balance: 1n, role: 'node-worker' }], carried: new Map(), networkFeeUsd: 0n }, P)
    assert.ok(r.ok)
    assert.equal(r.value.stimulusUsd, 2_000_000n * USD)
    assert.equal(r.value.batch.entries[0].grossUsd, 2_400_000n * USD)
    assert.deepEqual(r.value.vault, { balanceUsd: 18_200_000n * USD, nextGoalUsd: 25_000_000n * USD })
  })
})
