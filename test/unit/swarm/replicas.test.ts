import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { selectHolders } from '../../../protocols/swarm/replicas.js'
import { decide, plan } from '../../../protocols/swarm/repair.js'

const peer = fc.string({ minLength: 4, maxLength: 20 })
const peers = fc.uniqueArray(peer, { minLength: 1, maxLength: 30 })
const sessionId = fc.uuid({ version: 4 })
const r = fc.integer({ min: 1, max: 6 })

describe('rendezvous replica selection', () => {
  it('is stable: any order of the same members gives the same holders (property)', () => {
    fc.assert(fc.property(sessionId, peers, r, fc.nat(), (id, ps, R, seed) => {
      const shuffled = [...ps].sort((a, b) => ((a + seed).localeCompare(b + seed)))
      assert.deepEqual(selectHolders(id, ps, R), selectHolders(id, [...shuffled, ...shuffled], R))
    }), { numRuns: 300 })
  })

  it('picks exactly R distinct members when there are at least R, else all (property)', () => {
    fc.assert(fc.property(sessionId, peers, r, (id, ps, R) => {
      const h = selectHolders(id, ps, R)
      assert.equal(h.length, Math.min(R, ps.length))
      assert.equal(new Set(h).size, h.length)
      for (const x of h) assert.ok(ps.includes(x))
    }), { numRuns: 300 })
  })

  it('moves minimally when a member leaves: a non-holder leaving changes nothing, a holder is replaced by exactly one (property)', () => {
    fc.assert(fc.property(sessionId, peers, r, fc.nat(), (id, ps, R, k) => {
      const before = selectHolders(id, ps, R)
      const gone = ps[k % ps.length]
      const after = selectHolders(id, ps.filter((p) => p !== gone), R)
      if (!before.includes(gone)) {
        assert.deepEqual(after, before)
      } else {
        const kept = before.filter((p) => p !== gone)
        for (const p of kept) assert.ok(after.includes(p))
        assert.equal(after.filter((p) => !before.includes(p)).length, ps.length > R ? 1 : 0)
      }
    }), { numRuns: 300 })
  })

  it('spreads sessions over members', () => {
    const ps = Array.from({ length: 10 }, (_, i) => `peer-${i}`)
    const counts = new Map<string, number>()
    for (let i = 0; i < 2000; i++) for (const h of selectHolders(`s-${i}`, ps, 3)) counts.set(h, (counts.get(h) ?? 0) + 1)
    for (const p of ps) assert.ok((counts.get(p) ?? 0) > 450 && (counts.get(p) ?? 0) < 750, `${p}: ${counts.get(p) ?? 0}`)
  })
})

describe('replication and repair decisions', () => {
  const id = '3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f'
  const members = ['a', 'b', 'c', 'd', 'e']

  it('a desired holder without the session fetches it; with it, keeps it', () => {
    const desired = selectHolders(id, members, 3)
    const self = desired[0]
    const others = members.filter((m) => m !== self)
    assert.equal(decide(self, others, { sessionId: id, heldBySelf: false, holders: new Set() }, 3).action, 'fetch')
    assert.equal(decide(self, others, { sessionId: id, heldBySelf: true, holders: new Set([self]) }, 3).action, 'keep')
  })

  it('a non-desired holder (the origin) keeps its copy until every desired holder confirms, then drops it', () => {
    const desired = selectHolders(id, members, 3)
    const origin = members.find((m) => !desired.includes(m)) as string
    const others = members.filter((m) => m !== origin)
    const partial = new Set([origin, desired[0], desired[1]])
    assert.equal(decide(origin, others, { sessionId: id, heldBySelf: true, holders: partial }, 3).action, 'keep')
    const full = new Set([origin, ...desired])
    assert.equal(decide(origin, others, { sessionId: id, heldBySelf: true, holders: full }, 3).action, 'drop')
  })

  it('repair: when a holder leaves, the next member by weight fetches, and the deficit shows until it has', () => {
    const desired = selectHolders(id, members, 3)
    const gone = desired[0]
    const alive = members.filter((m) => m !== gone)
    const next = selectHolders(id, alive, 3).find((m) => !desired.includes(m)) as string
    const holders = new Set(desired.filter((m) => m !== gone))
    const d = plan({ self: next, members: alive.filter((m) => m !== next), replication: 3, sessions: [{ sessionId: id, heldBySelf: false, holders }] })[0]
    assert.equal(d.action, 'fetch')
    assert.equal(d.deficit, 1)
  })

  it('never asks for more holders than there are members', () => {
    const d = decide('a', ['b'], { sessionId: id, heldBySelf: true, holders: new Set(['a', 'b']) }, 3)
    assert.equal(d.deficit, 0)
    assert.equal(d.desired.length, 2)
  })
})
