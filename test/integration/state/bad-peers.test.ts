/**
 * Forged, forbidden and oversized updates from a real peer, over gossip and over the sync protocol: rejected, the
 * sender penalised (gossipsub peer score; the sync penalty box, which disconnects it), the state unchanged.
 */
import { strict as assert } from 'node:assert'
import { lpStream } from '@libp2p/utils'
import { ed25519 } from '@noble/curves/ed25519.js'
import { encodeEnvelope, sealEnvelope, MAX_UPDATE_BYTES, STATE_SYNC_PROTOCOL, TOPIC_STATE, SwarmState, encodeStep1, encodeStep2, Y } from '../../../crdt/index.js'
import { connect, secretKeyOf, SESSION, sid, startPeer, stopPeer, tempDir, waitFor, type Peer } from './support.js'

/** Bad envelopes made by node 9's key: forged (claims node 0), forbidden (rewrites a set-once entry), oversized. */
function badEnvelopes (): Uint8Array[] {
  const mallory = secretKeyOf(9)
  const honest = new SwarmState({ secretKey: mallory, random: () => 7 })
  const first = honest.write((w) => w.createSession(sid(50), SESSION(5)))
  if (first === null) throw new Error('no envelope')
  // Forged: node 9 signs, claims to be node 0.
  const forged = encodeEnvelope({ author: ed25519.getPublicKey(secretKeyOf(0)), seq: 1, update: first.update, signature: first.signature })
  // Forbidden: node 9 claims, in its own holding map, that someone else holds the session.
  const doc = new Y.Doc(); doc.clientID = 99
  let u: Uint8Array | null = null
  doc.on('update', (x: Uint8Array) => { u = x })
  doc.getMap('holding').set(sid(50), { since: 1, holder: 'someone-else' })
  const forbidden = sealEnvelope(u as unknown as Uint8Array, 1, mallory).bytes
  const oversized = encodeEnvelope({ author: ed25519.getPublicKey(mallory), seq: 1, update: new Uint8Array(MAX_UPDATE_BYTES + 1), signature: new Uint8Array(64) })
  return [forged, forbidden, oversized]
}

describe('state: bad peers are rejected and penalised', function () {
  this.timeout(60_000)
  let peers: Peer[] = []
  let cleanup = async (): Promise<void> => {}
  beforeEach(async () => {
    const t = await tempDir()
    cleanup = t.cleanup
    peers = [await startPeer(0, t.dir, { syncIntervalMs: 0 }), await startPeer(9, t.dir, { syncIntervalMs: 0 })]
  })
  afterEach(async () => { await Promise.allSettled(peers.map(stopPeer)); await cleanup() })

  it('over gossip: rejected in the validator, the sender loses peer score, state unchanged', async () => {
    const [victim, mallory] = peers
    await victim.svc.sessionStarted(sid(1), SESSION(1))
    await mallory.svc.stop() // mallory publishes raw bytes, without validating its own
    await connect(mallory, victim)
    mallory.libp2p.services.pubsub.subscribe(TOPIC_STATE)
    await waitFor('the mesh knows both', () => mallory.libp2p.services.pubsub.getSubscribers(TOPIC_STATE).length > 0 && victim.libp2p.services.pubsub.getSubscribers(TOPIC_STATE).length > 0)
    const before = victim.svc.state.stateHash()
    const rejected: string[] = []
    const orig = victim.logs.length
    for (const bytes of badEnvelopes()) await mallory.libp2p.services.pubsub.publish(TOPIC_STATE, bytes)
    await waitFor('three rejections', () => { rejected.splice(0, rejected.length, ...victim.logs.slice(orig).filter((l) => l.includes('state update rejected'))); return rejected.length >= 3 })
    assert.ok(rejected.some((l) => l.includes('"reason":"bad-signature"')))
    assert.ok(rejected.some((l) => l.includes('"reason":"forbidden"')))
    assert.ok(rejected.some((l) => l.includes('"reason":"oversize"')))
    assert.equal(victim.svc.state.stateHash(), before, 'state unchanged')
    // gossipsub refreshes scores on its heartbeat: wait for it.
    await waitFor('mallory\'s score falls under the publish threshold', () => (victim.libp2p.services.pubsub as unknown as { getScore: (id: string) => number }).getScore(mallory.libp2p.peerId.toString()) < -40, 10_000)
  })

  it('over the sync protocol: invalid envelopes are rejected and the peer is disconnected and banned', async () => {
    const [victim, mallory] = peers
    await victim.svc.sessionStarted(sid(1), SESSION(1))
    await mallory.svc.stop()
    const bad = badEnvelopes()
    await mallory.libp2p.handle(STATE_SYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(encodeStep2(bad))
      await lp.write(encodeStep2([]))
      await lp.write(encodeStep1([]))
      await lp.read().catch(() => {})
      await stream.close().catch(() => {})
    })
    await connect(victim, mallory)
    const before = victim.svc.state.stateHash()
    // The third invalid envelope bans mallory and hangs up mid-exchange, so the exchange itself ends in failure.
    await victim.svc.syncWith(mallory.libp2p.peerId)
    const rejected = victim.logs.filter((l) => l.includes('state update rejected') && l.includes('"source":"sync"'))
    assert.deepEqual(rejected.map((l) => /"reason":"([a-z-]+)"/.exec(l)?.[1]), ['bad-signature', 'forbidden', 'oversize'])
    assert.equal(victim.svc.state.stateHash(), before, 'state unchanged')
    assert.ok(victim.svc.penalties.banned(mallory.libp2p.peerId.toString()), 'banned after three invalid envelopes')
    await waitFor('mallory is disconnected', () => !victim.libp2p.getPeers().some((p) => p.equals(mallory.libp2p.peerId)))
    assert.equal(await victim.svc.syncWith(mallory.libp2p.peerId), null, 'no more syncs with a banned peer')
  })
})
