// Payout epochs and which of them each block writes (protocols/poot/payout-epochs.ts, payout-schedule.ts): along any
// chain of slots, with the epoch length changed by governance at any epoch's first block, every slot is in exactly
// one epoch, no block's epoch ever changes, and every epoch from the first block's on is written once, in order, at
// most `max` per block.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { governedPayoutEpochSlots, payoutEpochAt, payoutEpochStart, payoutScheduleOf, withEpochLengthAfter, type PayoutSchedule } from '../../../protocols/poot/payout-epochs.js'
import { payoutWritesDue } from '../../../protocols/poot/payout-schedule.js'

const GENESIS = payoutScheduleOf(8)

interface Walked { slot: number, epochs: readonly number[], backlog: number, schedule: PayoutSchedule, epoch: number }

/**
 * Walks a chain of blocks at increasing slots after a genesis at slot 0, as Chain does: each block's writes follow
 * its parent's schedule; a block that starts an epoch adopts `lengths[i]` (if given) for the epochs after its own.
 */
function walk (slots: number[], max: number, lengths: Array<number | null> = []): Walked[] {
  let parentSlot = 0
  let backlog = 0
  let schedule = GENESIS
  return slots.map((slot, i) => {
    const due = payoutWritesDue(parentSlot, slot, backlog, i === 0, schedule, max)
    const epoch = payoutEpochAt(schedule, slot)
    const length = lengths[i] ?? null
    if (length !== null && epoch > payoutEpochAt(schedule, parentSlot)) schedule = withEpochLengthAfter(schedule, epoch, length)
    parentSlot = slot
    backlog = due.backlog
    return { slot, ...due, schedule, epoch }
  })
}

const chainArb = fc.record({
  gaps: fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 60 }),
  lengths: fc.array(fc.option(fc.integer({ min: 1, max: 30 }), { freq: 3 }), { minLength: 60, maxLength: 60 }),
  max: fc.integer({ min: 1, max: 20 })
}).map(({ gaps, lengths, max }) => ({ slots: gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? 0) + g], []), lengths, max }))

describe('poot payout epochs and the write schedule', () => {
  it('writes every epoch from the first block\'s up to the head\'s, once, in order, at most max per block (property)', () => {
    fc.assert(fc.property(chainArb, ({ slots, max, lengths }) => {
      const blocks = walk(slots, max, lengths)
      const written = blocks.flatMap((b) => b.epochs)
      const head = blocks.at(-1)!
      const from = blocks[0].epoch
      const upTo = head.epoch - head.backlog // exclusive
      assert.deepEqual(written, Array.from({ length: Math.max(0, upTo - from) }, (_, i) => from + i))
      for (const b of blocks) {
        assert.ok(b.epochs.length <= max)
        assert.ok(b.backlog === 0 || b.epochs.length === max, 'a backlog only when the block wrote its cap')
        assert.ok(b.epochs.every((e) => e < b.epoch), 'never its own epoch or a later one')
      }
    }), { numRuns: 500 })
  })

  it('a length change never moves a block that exists into another epoch; epochs stay contiguous (property)', () => {
    fc.assert(fc.property(chainArb, ({ slots, max, lengths }) => {
      const blocks = walk(slots, max, lengths)
      const last = blocks.at(-1)!.schedule
      for (const b of blocks) assert.equal(payoutEpochAt(last, b.slot), b.epoch, `slot ${b.slot}`)
      const end = payoutEpochStart(last, payoutEpochAt(last, slots.at(-1)!) + 3)
      let prev = 0
      for (let s = 0; s < end; s++) {
        const e = payoutEpochAt(last, s)
        assert.ok(e === prev || e === prev + 1, `slot ${s}: epoch ${e} after ${prev}`)
        if (e === prev + 1) assert.equal(payoutEpochStart(last, e), s)
        prev = e
      }
    }), { numRuns: 200 })
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

  it('a new length starts after the epoch whose first block saw it', () => {
    // epochs of 8 slots; the first block of epoch 2 (slot 17) sees 5: epoch 2 keeps 16..23, epoch 3 is 24..28
    const [, b] = walk([3, 17, 30], 16, [null, 5, null])
    assert.deepEqual(b.schedule, [{ fromEpoch: 0, fromSlot: 0, epochSlots: 8 }, { fromEpoch: 3, fromSlot: 24, epochSlots: 5 }])
    assert.deepEqual([23, 24, 28, 29].map((s) => payoutEpochAt(b.schedule, s)), [2, 3, 3, 4])
    assert.equal(withEpochLengthAfter(b.schedule, 4, 5), b.schedule, 'unchanged: the same object')
  })

  it('writes nothing at the first block after genesis, nor within an epoch without a backlog', () => {
    assert.deepEqual(payoutWritesDue(0, 100, 0, true, GENESIS, 16), { epochs: [], backlog: 0 })
    assert.deepEqual(payoutWritesDue(9, 15, 0, false, GENESIS, 16), { epochs: [], backlog: 0 })
    assert.deepEqual(payoutWritesDue(15, 16, 0, false, GENESIS, 16), { epochs: [1], backlog: 0 })
    assert.throws(() => payoutWritesDue(1, 2, 0, false, GENESIS, 0), /maxPerBlock must be a positive integer, got 0/)
  })

  it('the governed length: the genesis one until payout.epochS changes; whole slots within the registry bounds', () => {
    const atGenesis = { 'payout.epochS': 30n * 86_400n }
    assert.equal(governedPayoutEpochSlots(32, 1500, atGenesis, atGenesis), 32)
    assert.equal(governedPayoutEpochSlots(32, 1500, atGenesis, {}), 32)
    assert.equal(governedPayoutEpochSlots(32, 1500, atGenesis, { 'payout.epochS': 60n }), 40)
    assert.equal(governedPayoutEpochSlots(32, 1500, atGenesis, { 'payout.epochS': 61n }), 32, 'not a whole slot')
    assert.equal(governedPayoutEpochSlots(32, 1500, atGenesis, { 'payout.epochS': 30n }), 32, 'under the bound')
    assert.equal(governedPayoutEpochSlots(21_600, 120_000, atGenesis, { 'payout.epochS': 7n * 86_400n }), 5040)
  })
})
