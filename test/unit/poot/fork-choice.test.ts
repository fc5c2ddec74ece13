import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { ForkChoice, preferred } from '../../../protocols/poot/fork-choice.js'
import { makeVote } from '../../../protocols/poot/make-proofs.js'
import type { ChainState } from '../../../protocols/poot/state.js'

const f = fixture({ nodes: 9, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const voted = (s: ChainState, n = 9) => apply(f, s, nextBlock(f, s, { body: { proofs: f.keys.slice(0, n).map((k) => makeVote(k, s, s.slot)) } }))

describe('poot fork choice', () => {
  const base = extend(f, genesis(f), 3)

  it('prefers the longer chain, then the lower rank where the chains diverge, then the lower hash', () => {
    const primary = apply(f, base, nextBlock(f, base))
    const fallback = apply(f, base, nextBlock(f, base, { rank: 1 }))
    assert.ok(preferred(primary, fallback) && !preferred(fallback, primary))
    const longer = extend(f, fallback, 1)
    assert.ok(preferred(longer, primary))
    const twin = apply(f, base, nextBlock(f, base, { timeMs: primary.header!.timeMs + 1 }))
    assert.equal(preferred(primary, twin), primary.hash < twin.hash)
    assert.ok(!preferred(primary, primary))
  })

  it('prefers the chain with the later justified checkpoint over a longer one', () => {
    const justifiedChain = voted(apply(f, base, nextBlock(f, base)))
    const longer = extend(f, apply(f, base, nextBlock(f, base, { rank: 1 })), 3)
    assert.ok(longer.height > justifiedChain.height)
    assert.ok(preferred(justifiedChain, longer))
  })

  it('property: preferred is a strict total order on the leaves of a random block tree', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 3, maxLength: 12 }), (steps) => {
      const states: ChainState[] = [base]
      for (const [pick, rank, vote] of steps) {
        const parent = states[pick % states.length]
        const b = nextBlock(f, parent, { slot: parent.slot + 1 + (pick % 3), rank })
        const s = apply(f, parent, b)
        states.push(vote ? voted(s) : s)
      }
      for (const a of states) {
        for (const b of states) {
          if (a.hash === b.hash) { assert.ok(!preferred(a, b)); continue }
          assert.notEqual(preferred(a, b), preferred(b, a), 'exactly one of two different chains is preferred')
          for (const c of states) if (preferred(a, b) && preferred(b, c)) assert.ok(preferred(a, c), 'transitive')
        }
      }
    }), { numRuns: 25 })
  })

  it('follows the head, moves finality forward only, and refuses blocks that conflict with finality', () => {
    const forks = new ForkChoice(genesis(f))
    for (const s of chainOf(base)) assert.deepEqual(forks.add(s), { ok: true })
    let s = base
    for (let i = 0; i < 3; i++) { s = voted(s); assert.deepEqual(forks.add(s), { ok: true }) }
    assert.equal(forks.head, s)
    assert.ok(forks.finalized.height >= base.height)
    const conflicting = apply(f, base.parent!, nextBlock(f, base.parent!, { slot: base.slot + 10 }))
    assert.deepEqual(forks.add(conflicting), { ok: false, reason: 'conflicts-with-finalized' })
    const orphan = extend(f, s, 2)
    assert.deepEqual(forks.add(orphan), { ok: false, reason: 'unknown-parent' })
  })

  it('forgets a block off the finalized line, never the finalized block, its ancestors or the head', () => {
    const forks = new ForkChoice(genesis(f))
    for (const s of chainOf(base)) forks.add(s)
    // a side block at base's height, added while it could still win
    const side = apply(f, base.parent!, nextBlock(f, base.parent!, { rank: 1 }))
    assert.deepEqual(forks.add(side), { ok: true })
    let s = base
    for (let i = 0; i < 3; i++) { s = voted(s); forks.add(s) }
    assert.ok(forks.finalized.height >= side.height)
    assert.deepEqual(forks.forget(forks.finalized.hash), { ok: false, reason: 'on-finalized-line' })
    assert.deepEqual(forks.forget(base.parent!.hash), { ok: false, reason: 'on-finalized-line' })
    assert.deepEqual(forks.forget(forks.head.hash), { ok: false, reason: 'on-finalized-line' })
    assert.deepEqual(forks.forget(side.hash), { ok: true })
    assert.equal(forks.has(side.hash), false)
    assert.deepEqual(forks.forget(side.hash), { ok: false, reason: 'unknown' })
    assert.deepEqual(forks.add(side), { ok: false, reason: 'conflicts-with-finalized' })
    assert.equal(forks.head, s)
  })
})

function chainOf (s: ChainState): ChainState[] {
  const out: ChainState[] = []
  for (let x: ChainState | null = s; x !== null && x.header !== null; x = x.parent) out.unshift(x)
  return out
}
