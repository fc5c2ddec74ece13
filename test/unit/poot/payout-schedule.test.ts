// Which payout epochs each block writes (protocols/poot/payout-schedule.ts): along any chain of slots, every epoch
// from the first block's on is written once, in order, at most `max` per block, and nothing is skipped or repeated.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { payoutWritesDue } from '../../../protocols/poot/payout-schedule.js'
import { DEFAULT_PAYOUT_PARAMS, payoutEpochOf } from '../../../protocols/poot/payouts.js'

const P = { ...DEFAULT_PAYOUT_PARAMS, epochSlots: 8 }

/** Walks a chain of blocks at increasing slots after a genesis at slot 0: every block's writes and backlog. */
function walk (slots: number[], max: number): Array<{ slot: number, epochs: readonly number[], backlog: number }> {
  let parentSlot = 0
  let backlog = 0
  return slots.map((slot, i) => {
    const due = payoutWritesDue(parentSlot, slot, backlog, i === 0, P, max)
    parentSlot = slot
    backlog = due.backlog
    return { slot, ...due }
  })
}

const chainArb = fc.record({
  gaps: fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 60 }),
  max: fc.integer({ min: 1, max: 20 })
}).map(({ gaps, max }) => ({ slots: gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? 0) + g], []), max }))

describe('poot payout write schedule (which epochs a block writes)', () => {
  it('writes every epoch from the first block\'s up to the head\'s, once, in order, at most max per block', () => {
    fc.assert(fc.property(chainArb, ({ slots, max }) => {
      const blocks = walk(slots, max)
      const written = blocks.flatMap((b) => b.epochs)
      const from = payoutEpochOf(slots[0], P)
      const head = blocks.at(-1)!
      const upTo = payoutEpochOf(head.slot, P) - head.backlog // exclusive
      assert.deepEqual(written, Array.from({ length: Math.max(0, upTo - from) }, (_, i) => from + i))
      for (const b of blocks) {
        assert.ok(b.epochs.length <= max)
        assert.ok(b.backlog === 0 || b.epochs.length === max, 'a backlog only when the block wrote its cap')
        assert.ok(b.epochs.every((e) => e < payoutEpochOf(b.slot, P)), 'never its own epoch or a later one')
      }
    }), { numRuns: 500 })
  })

  it('drains a backlog in the blocks that follow, even within one epoch', () => {
    // epochs 0..20 are owed at slot 169 (1..20 without a block); the cap is 16: 16 now, the other 5 at the next block
    const blocks = walk([1, 21 * 8 + 1, 21 * 8 + 2, 21 * 8 + 3], 16)
    assert.deepEqual(blocks.map((b) => [b.epochs, b.backlog]), [
      [[], 0],
      [Array.from({ length: 16 }, (_, i) => i), 5],
      [[16, 17, 18, 19, 20], 0],
      [[], 0]
    ])
  })

  it('writes nothing at the first block after genesis, nor within an epoch without a backlog', () => {
    assert.deepEqual(payoutWritesDue(0, 100, 0, true, P, 16), { epochs: [], backlog: 0 })
    assert.deepEqual(payoutWritesDue(9, 15, 0, false, P, 16), { epochs: [], backlog: 0 })
    assert.deepEqual(payoutWritesDue(15, 16, 0, false, P, 16), { epochs: [1], backlog: 0 })
    assert.throws(() => payoutWritesDue(1, 2, 0, false, P, 0), /maxPerBlock must be a positive integer, got 0/)
  })
})
