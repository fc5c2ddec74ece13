// A block's listed sessions (S and B of the reward rule) are bound to LucidAnchors registrations: only registrations
// made since the last ranked block, with their recorded bytes, each rewarded at most once on a branch.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { scheduleFor } from '../../../protocols/poot/schedule.js'
import { SERVER_ENTITY } from '../../../protocols/poot/entities.js'
import { anchorsAssumedBy, listableSessions, type AnchorLookup, type AnchoredSession, type ChainState, type SessionAnchor } from '../../../protocols/poot/index.js'
import { fixture, genesis, nextBlock } from './helpers.js'

const f = fixture({ nodes: 10, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const registration = (registeredAt: number, bytes = 0): AnchoredSession => ({ root: new Uint8Array(32), chunkCount: 1, registeredAt, bytes })
const serverRank = (parent: ChainState): number => scheduleFor(parent, parent.slot + 1, f.config).length - 1

function child (parent: ChainState, sessions: SessionAnchor[], anchors: AnchorLookup, rank = 0): ReturnType<typeof applyBlock> {
  return applyBlock(parent, nextBlock(f, parent, { rank, body: { sessions } }), f.config, anchors)
}

function ok (r: ReturnType<typeof applyBlock>): ChainState {
  if (!r.ok) throw new Error(r.reason)
  return r.value
}

describe('poot: sessions listed by a block', () => {
  const g = genesis(f)
  const b1 = ok(child(g, [], new Map()))

  it('a ranked block lists the registrations of its parent and is paid for them', () => {
    const anchors = new Map([['a', registration(1)], ['b', registration(1)]])
    const b2 = ok(child(b1, [{ sessionId: 'a', bytes: 0 }, { sessionId: 'b', bytes: 0 }], anchors))
    assert.equal(b2.rewardTo, b2.header!.proposer)
    assert.equal(b2.header!.sessions, 2)
    assert.equal(b2.sessionsFrom, 2, 'its own registrations are the next block\'s to list')
  })

  it('refuses an unregistered session, an earlier block\'s registration, a future one and other bytes, by name', () => {
    const anchors = new Map([['old', registration(0)], ['now', registration(1, 7)], ['future', registration(2)]])
    assert.equal(b1.sessionsFrom, 1)
    assert.deepEqual(child(b1, [{ sessionId: 'ghost', bytes: 0 }], anchors), { ok: false, reason: 'session-0:not-registered' })
    assert.deepEqual(child(b1, [{ sessionId: 'now', bytes: 7 }, { sessionId: 'old', bytes: 0 }], anchors), { ok: false, reason: 'session-1:registered-at-0-not-in-1..1' })
    assert.deepEqual(child(b1, [{ sessionId: 'future', bytes: 0 }], anchors), { ok: false, reason: 'session-0:registered-at-2-not-in-1..1' })
    assert.deepEqual(child(b1, [{ sessionId: 'now', bytes: 5_000_000 }], anchors), { ok: false, reason: 'session-0:bytes-5000000-not-registered-7' })
    assert.ok(child(b1, [{ sessionId: 'now', bytes: 7 }], anchors).ok)
  })

  it('the Server\'s blocks list nothing and pass their registrations on to the next ranked block', () => {
    const s2 = ok(child(b1, [], new Map(), serverRank(b1)))
    assert.equal(s2.header!.proposer, SERVER_ENTITY)
    const s3 = ok(child(s2, [], new Map(), serverRank(s2)))
    assert.equal(s3.sessionsFrom, 1)
    const anchors = new Map([['by-b1', registration(1)], ['by-s2', registration(2)], ['by-s3', registration(3)]])
    const listed = [{ sessionId: 'by-b1', bytes: 0 }, { sessionId: 'by-s2', bytes: 0 }, { sessionId: 'by-s3', bytes: 0 }]
    const b4 = ok(child(s3, listed, anchors))
    assert.equal(b4.rewardTo, b4.header!.proposer)
    // its child may list none of them again
    assert.deepEqual(listableSessions(b4, listed, anchors), [])
    assert.equal(child(b4, [listed[1]], anchors).ok, false)
  })

  it('property: on any branch of ranked and Server blocks, honest lists apply and no registration is listed twice', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ server: fc.boolean(), registers: fc.nat(3), listAll: fc.boolean(), replay: fc.nat(20) }), { minLength: 1, maxLength: 24 }),
      (plan) => {
        const anchors = new Map<string, AnchoredSession>()
        const listedOnce = new Set<string>()
        let tip = g
        for (const [i, step] of plan.entries()) {
          // the parent's own transactions registered these (registeredAt = the parent's height)
          for (let k = 0; k < step.registers; k++) anchors.set(`r${tip.height}-${k}`, registration(tip.height))
          const all = [...anchors.keys()].map((sessionId) => ({ sessionId, bytes: 0 }))
          const fresh = listableSessions(tip, all, anchors)
          for (const s of fresh) assert.ok(!listedOnce.has(s.sessionId), `${s.sessionId} listable a second time at step ${i}`)
          if (step.server) {
            tip = ok(child(tip, [], anchors, serverRank(tip)))
            continue
          }
          // a session listed before is refused whatever else the list holds
          const old = [...listedOnce]
          if (old.length > 0) assert.equal(child(tip, [...fresh, { sessionId: old[step.replay % old.length], bytes: 0 }], anchors).ok, false)
          const listed = step.listAll ? fresh : fresh.slice(0, 1)
          const block = nextBlock(f, tip, { body: { sessions: listed } })
          const next = ok(applyBlock(tip, block, f.config, anchors))
          // a replay of this node's own store assumes the registrations the body implies, to the same state
          const replayed = ok(applyBlock(tip, block, f.config, anchorsAssumedBy(tip.height, block.body)))
          assert.deepEqual([replayed.hash, replayed.sessionsFrom, replayed.reward, replayed.rewardTo], [next.hash, next.sessionsFrom, next.reward, next.rewardTo])
          tip = next
          for (const s of listed) listedOnce.add(s.sessionId)
          assert.equal(tip.rewardTo, listed.length > 0 ? tip.header!.proposer : SERVER_ENTITY)
        }
      }), { numRuns: 60 })
  })
})
