// The credit window governed mid-chain (ParamRegistry's credit.windowDays): a shorter window drops the credit of
// the blocks that fell out of it at once; a longer one drops nothing until it has grown to its new length (blocks
// already dropped are not counted again). At every block the tally is the sum of the deltas from the window's start,
// which never moves back. The finality bootstrap (everyone active during the first window) stays the genesis one.
import { strict as assert } from 'node:assert'
import { fixture, genesis, nextBlock } from './helpers.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeRelayReceipt } from '../../../protocols/poot/make-proofs.js'
import { windowSlots } from '../../../protocols/poot/params.js'
import { isActive } from '../../../protocols/poot/finality.js'
import { ancestorAtHeight, type ChainState } from '../../../protocols/poot/state.js'
import type { PootConfig } from '../../../protocols/poot/config.js'

const f = fixture()
const DAY = 86_400_000 / f.config.params.slotMs
const STEP = DAY / 6 // a block every 4 hours
const cfg = (days: number): PootConfig => ({ ...f.config, params: { ...f.config.params, creditWindowDays: days }, firstWindowSlots: windowSlots(f.config.params) })
const entityOf = (node: string): string => f.config.registry.entityOfNode.get(node) as string
// a relayer and a receiver of two different entities: each block credits the relayer's entity
const relayer = f.keys[0]
const receiver = f.keys.find((k) => entityOf(k.id) !== entityOf(relayer.id))!

/** The next block, STEP slots on, with a relay receipt of `mib` MiB, checked with the window of `days`. */
function next (s: ChainState, days: number, mib: number): ChainState {
  const slot = s.slot + STEP
  const r = applyBlock(s, nextBlock(f, s, { slot, body: { proofs: [makeRelayReceipt(relayer, receiver, slot, mib << 20)] } }), cfg(days))
  if (!r.ok) throw new Error(r.reason)
  return r.value
}

/** Sum of the deltas of the blocks from height `from` to the head. */
function sumFrom (s: ChainState, from: number): number {
  let n = 0
  for (let h = Math.max(from, 1); h <= s.height; h++) n += ancestorAtHeight(s, h)!.delta.get(entityOf(relayer.id)) ?? 0
  return n
}

/** Sum of the deltas of the blocks whose slot is inside (head slot − window, head slot]. */
function sumOverWindow (s: ChainState, days: number): number {
  let n = 0
  for (let t: ChainState | null = s; t !== null && t.height > 0 && t.slot > s.slot - windowSlots(cfg(days).params); t = t.parent) n += t.delta.get(entityOf(relayer.id)) ?? 0
  return n
}

describe('poot: the credit window changed by governance', () => {
  it('shrinks at once, grows gradually, and the tally always sums the deltas from the window\'s start', () => {
    let s = genesis(f)
    let mib = 1
    const credit = (): number => s.credits.get(entityOf(relayer.id)) ?? 0
    const check = (prevStart: number): void => {
      assert.equal(credit(), sumFrom(s, s.windowStart), `tally at height ${s.height}`)
      assert.ok(s.windowStart >= prevStart, 'the window start moved back')
    }
    // 5 days on a 3-day window
    for (let i = 0; i < 30; i++) { const w = s.windowStart; s = next(s, 3, mib++); check(w) }
    assert.equal(credit(), sumOverWindow(s, 3))
    // governance raises it to 6 days: nothing is dropped until the window is 6 days long
    const startAtGrowth = s.windowStart
    for (let i = 0; i < 18; i++) {
      const w = s.windowStart
      s = next(s, 6, mib++)
      check(w)
      assert.equal(s.windowStart, startAtGrowth, 'a block dropped while the window grows')
    }
    assert.ok(credit() > sumOverWindow(s, 3), 'the grown window counts more than 3 days')
    for (let i = 0; i < 12; i++) { const w = s.windowStart; s = next(s, 6, mib++); check(w) }
    assert.equal(credit(), sumOverWindow(s, 6), 'grown to 6 days')
    // and back to 3 days: the older half is dropped by the very next block
    const w = s.windowStart
    s = next(s, 3, mib++)
    check(w)
    assert.equal(credit(), sumOverWindow(s, 3))
  })

  it('the finality bootstrap stays the genesis window when governance lengthens the window', () => {
    const slot = windowSlots(f.config.params) + 10 // past the genesis window (7 days), inside a 14-day one
    const idle = f.config.registry.ranked[0].id
    const view = { credits: new Map<string, number>(), jailedUntil: new Map<string, number>() }
    assert.equal(isActive(view, idle, slot, cfg(14)), false, 'an entity without credit counted active again')
    assert.equal(isActive(view, idle, slot, { ...cfg(14), firstWindowSlots: undefined }), true, 'without the genesis window the bootstrap would come back')
    assert.equal(isActive(view, idle, 10, cfg(14)), true)
  })
})
