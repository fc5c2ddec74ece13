import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { slotReward, slotMax, LUCID, HALVING_INTERVAL } from '../../../protocols/poot/rewards.js'
import { DEFAULT_PARAMS } from '../../../protocols/poot/params.js'

const P = DEFAULT_PARAMS // BASE_MB_PER_SESSION = 5, D_min = 0.2
const MB = 1_000_000

// [S, B bytes, N_active, totalMinted (LUCID wei), expected LUCID, to, why]
const TABLE: Array<[number, number, number, bigint, bigint, 'proposer' | 'server', string]> = [
  [0, 0, 10, 0n, 2n, 'server', 'empty slot: fixed 2 LUCID to the Server'],
  [0, 0, 10, 5n * HALVING_INTERVAL, 2n, 'server', 'empty slot ignores halvings'],
  [1, 0, 10, 0n, 1n, 'proposer', 'S = 1: g_s = 0'],
  [10, 0, 10, 0n, 50n, 'proposer', 'g_s = 1, D = 1: g_d = 1 → slotMax'],
  [5, 0, 10, 0n, 9n, 'proposer', '1 + ⌊49 · 4/9 · 0.375⌋ = 1 + ⌊8.17⌋'],
  [2, 0, 100, 0n, 1n, 'proposer', 'D = 0.02 < D_min: g_d = 0'],
  [10, 0, 50, 0n, 1n, 'proposer', 'D = 0.2 = D_min: g_d = 0'],
  [3, 50 * MB, 20, 0n, 5n, 'proposer', 'W = ⌈50/5⌉ = 10 > S: 1 + ⌊49 · 2/9 · 0.375⌋ = 1 + ⌊4.08⌋'],
  [3, 50 * MB + 1, 20, 0n, 5n, 'proposer', 'W = ⌈50.0000002/5⌉ = 11: D = 0.55, g_d = 0.4375 → 1 + ⌊4.76⌋'],
  [7, 1, 3, 0n, 33n, 'proposer', 'D = 7/3 > 1: g_d capped at 1 → 1 + ⌊49 · 6/9⌋'],
  [10, 0, 0, 0n, 50n, 'proposer', 'N_active = 0 counts as 1'],
  [10, 0, 10, HALVING_INTERVAL - 1n, 50n, 'proposer', 'one wei before the first halving'],
  [10, 0, 10, HALVING_INTERVAL, 25n, 'proposer', 'H = 1: slotMax = 25'],
  [5, 0, 10, HALVING_INTERVAL, 5n, 'proposer', 'H = 1: 1 + 24 · 4/9 · 3/8 = 1 + 4 exactly'],
  [10, 0, 10, 2n * HALVING_INTERVAL, 12n, 'proposer', 'H = 2: ⌊50/4⌋ = 12'],
  [10, 0, 10, 3n * HALVING_INTERVAL, 6n, 'proposer', 'H = 3: ⌊50/8⌋ = 6'],
  [10, 0, 10, 5n * HALVING_INTERVAL, 1n, 'proposer', 'H = 5: ⌊50/32⌋ = 1'],
  [10, 0, 10, 6n * HALVING_INTERVAL, 1n, 'proposer', 'H = 6: ⌊50/64⌋ = 0, floored at 1'],
  [10, 0, 10, 100n * HALVING_INTERVAL, 1n, 'proposer', 'H = 100: still 1']
]

describe('poot rewards', () => {
  for (const [S, B, N, minted, expected, to, why] of TABLE) {
    it(`S=${S} B=${B} N=${N} H=${minted / HALVING_INTERVAL}: ${expected} LUCID (${why})`, () => {
      assert.deepEqual(slotReward({ sessions: S, sessionBytes: B, activeNodes: N, totalMinted: minted }, P), { amount: expected * LUCID, to })
    })
  }

  it('uses D_min and BASE_MB_PER_SESSION from the parameters', () => {
    assert.equal(slotReward({ sessions: 5, sessionBytes: 0, activeNodes: 10, totalMinted: 0n }, { ...P, dMinPermille: 500 }).amount, 1n * LUCID) // D = 0.5 = D_min
    assert.equal(slotReward({ sessions: 2, sessionBytes: 100 * MB, activeNodes: 10, totalMinted: 0n }, { ...P, baseMbPerSession: 10 }).amount, 6n * LUCID) // W = 10: 1 + ⌊49/9⌋
  })

  it('property: 1 ≤ reward ≤ slotMax, whole LUCID, and never less with more sessions', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 10_000 * MB }), fc.integer({ min: 0, max: 5000 }), fc.bigInt({ min: 0n, max: 10n * HALVING_INTERVAL }),
      (S, B, N, minted) => {
        const r = slotReward({ sessions: S, sessionBytes: B, activeNodes: N, totalMinted: minted }, P).amount
        const more = slotReward({ sessions: S + 1, sessionBytes: B, activeNodes: N, totalMinted: minted }, P).amount
        assert.ok(r >= LUCID && r <= slotMax(minted) * LUCID)
        assert.equal(r % LUCID, 0n)
        assert.ok(more >= r)
      }), { numRuns: 300 })
  })
})
