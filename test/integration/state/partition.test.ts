/**
 * Six real nodes on loopback: split into two partitions of three, concurrent session-flow writes on both sides
 * (including on the same session), heal: all six converge to byte-identical encoded state and identical views.
 */
import { strict as assert } from 'node:assert'
import { connect, seal, SESSION, sid, cid, startPeer, stopPeer, tempDir, waitFor, type Peer } from './support.js'

describe('state: 6 nodes, partition and heal', function () {
  this.timeout(120_000)
  let peers: Peer[] = []
  let cleanup = async (): Promise<void> => {}

  before(async () => {
    const t = await tempDir()
    cleanup = t.cleanup
    peers = await Promise.all(Array.from({ length: 6 }, async (_, i) => await startPeer(i, t.dir, { syncIntervalMs: 1500 })))
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) await connect(peers[i], peers[j])
  })
  after(async () => {
    await Promise.allSettled(peers.map(stopPeer))
    await cleanup()
  })

  const hashes = (ps: Peer[]): string[] => ps.map((p) => p.svc.state.stateHash())
  const converged = (ps: Peer[]): boolean => new Set(hashes(ps)).size === 1

  it('converges to byte-identical state after concurrent edits on both sides of a partition', async () => {
    // Shared history before the split.
    await peers[0].svc.sessionStarted(sid(1), SESSION(1))
    await peers[0].svc.sessionSealed(sid(1), [cid(1), cid(2)], seal(2))
    await waitFor('all six have the shared history', () => converged(peers) && peers[5].svc.session(sid(1))?.status === 'sealed')

    // Split: {0,1,2} | {3,4,5}.
    const left = peers.slice(0, 3)
    const right = peers.slice(3)
    for (const a of left) for (const b of right) { a.blocked.add(b.libp2p.peerId.toString()); b.blocked.add(a.libp2p.peerId.toString()) }
    for (const a of left) for (const b of right) await a.libp2p.hangUp(b.libp2p.peerId).catch(() => {})
    await waitFor('the partition is in place', () => left.every((a) => right.every((b) => !a.libp2p.getPeers().some((p) => p.equals(b.libp2p.peerId)))))

    // Concurrent edits on both sides, including on the same session.
    await Promise.all([
      peers[1].svc.holding(sid(1), true),
      peers[2].svc.holding(sid(1), true),
      peers[4].svc.holding(sid(1), true),
      peers[1].svc.sessionStarted(sid(2), SESSION(10, 'left')),
      peers[3].svc.sessionStarted(sid(3), SESSION(11, 'right')),
      peers[5].svc.incident({ kind: 'failed-challenge', sessionId: sid(1), subject: 'x', detail: 'right side', at: 12 }),
      peers[2].svc.incident({ kind: 'tamper-detected', sessionId: sid(1), subject: 'y', detail: 'left side', at: 13 })
    ])
    await peers[1].svc.replicated(sid(1))
    await peers[4].svc.replicated(sid(1))
    await peers[3].svc.sessionSealed(sid(3), [cid(3)], seal(1, 14))
    await peers[0].svc.holding(sid(1), false)
    await waitFor('each side converges on its own', () => converged(left) && converged(right))
    assert.notEqual(left[0].svc.state.stateHash(), right[0].svc.state.stateHash(), 'the sides differ while split')
    assert.equal(left[0].svc.session(sid(3)), null, 'the left side has not seen the right side\'s session')

    // Heal.
    for (const p of peers) p.blocked.clear()
    for (const a of left) for (const b of right) await connect(a, b)
    await waitFor('all six converge', () => converged(peers), 60_000)

    const encoded = peers.map((p) => Buffer.from(p.svc.state.encodeState()))
    for (const e of encoded) assert.ok(e.equals(encoded[0]), 'byte-identical encoded state')
    const view = JSON.stringify(peers[0].svc.sessions())
    for (const p of peers) assert.equal(JSON.stringify(p.svc.sessions()), view)
    const s1 = peers[3].svc.session(sid(1))
    assert.equal(s1?.status, 'replicated')
    assert.deepEqual(s1?.holders, [peers[1], peers[2], peers[4]].map((p) => p.libp2p.peerId.toString()).sort())
    assert.equal(s1?.incidents.length, 2)
    assert.equal(peers[0].svc.session(sid(3))?.status, 'sealed')
    assert.equal(peers[5].svc.session(sid(2))?.record?.owner, 'left')
  })
})
