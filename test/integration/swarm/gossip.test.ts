/**
 * Bad gossip is rejected in gossipsub's validation hook and costs the sender score: two rogue peers (plain libp2p +
 * gossipsub, speaking our topics) send a bad signature, an oversize message, a wrong schema and a replayed session ID
 * with another manifest; honest announcements still arrive.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { encodeAnnouncement, type Announcement } from '../../../protocols/swarm/announcement.js'
import { TOPIC_ANNOUNCE, MAX_ANNOUNCEMENT_BYTES } from '../../../protocols/swarm/constants.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig, waitFor } from './support.js'

async function rogue (): Promise<Libp2p<{ pubsub: GossipSub }>> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, maxInboundDataLength: 1 << 20 }) }
  })
  node.services.pubsub.subscribe(TOPIC_ANNOUNCE)
  return node as unknown as Libp2p<{ pubsub: GossipSub }>
}

function rejected (n: LucidNode, reason: string): number {
  const m = (n.metrics.gossipRejected as unknown as { hashMap: Record<string, { value: number, labels: Record<string, string> }> }).hashMap
  return Object.values(m).filter((v) => v.labels.reason === reason).reduce((s, v) => s + v.value, 0)
}

const score = (n: LucidNode, peer: string): number => (n.libp2p.services.pubsub as unknown as { getScore: (p: string) => number }).getScore(peer)

describe('swarm gossip validation and peer scoring', function () {
  this.timeout(180_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: LucidNode[] = []
  const rogues: Array<Libp2p<{ pubsub: GossipSub }>> = []

  before(async () => {
    tmp = await tempDir()
    for (let i = 0; i < 3; i++) {
      const home = await makeHome(join(tmp.dir, `n${i + 1}`))
      nodes.push(await startNode(home, testConfig({ replication: 2, bootstrap: nodes.map(bootstrapAddr) })))
    }
    await waitFor('members', () => nodes.every((n) => n.membership.members().length === 2))
    for (let i = 0; i < 2; i++) {
      const r = await rogue()
      for (const n of nodes) await r.dial(multiaddr(bootstrapAddr(n)))
      rogues.push(r)
    }
    await waitFor('rogues in the announce mesh of every node', () => rogues.every((r) => nodes.every((n) => n.libp2p.services.pubsub.getSubscribers(TOPIC_ANNOUNCE).some((p) => p.equals(r.peerId)))))
  })

  after(async () => {
    await Promise.allSettled([...nodes.map(async (n) => { await n.stop() }), ...rogues.map(async (r) => { await r.stop() })])
    await tmp?.cleanup()
  })

  it('rejects bad signature, oversize, wrong schema and a replayed session ID; the senders\' scores drop; honest gossip still arrives', async () => {
    // An honest session first: its ID is what the replay reuses.
    const honest = await nodes[0].putSession((async function * () { yield randomBytes(100_000) })())
    await waitFor('honest announcement everywhere', () => nodes.every((n) => n.index.get(honest.sessionId) !== undefined))

    const key = ed25519.utils.randomSecretKey()
    const base: Announcement = {
      v: 1,
      sessionId: '3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f',
      manifest: CID.createV1(0x71, Digest.create(0x12, randomBytes(32))),
      merkleRoot: randomBytes(32),
      chunkCount: 1,
      storedBytes: 10,
      recorder: ed25519.getPublicKey(key),
      origin: rogues[0].peerId.toString(),
      addrs: [],
      issuedAt: Date.now()
    }
    const good = encodeAnnouncement(base, key)
    const env = dagCbor.decode(good) as { announcement: Record<string, unknown>, signature: Uint8Array }
    const badSignature = dagCbor.encode({ ...env, signature: ed25519.sign(new Uint8Array(4), ed25519.utils.randomSecretKey()) })
    const oversize = new Uint8Array(MAX_ANNOUNCEMENT_BYTES * 4).fill(7)
    const wrongSchema = dagCbor.encode({ hello: 'world' })
    const replay = encodeAnnouncement({ ...base, sessionId: honest.sessionId }, key)

    await rogues[0].services.pubsub.publish(TOPIC_ANNOUNCE, badSignature)
    await rogues[0].services.pubsub.publish(TOPIC_ANNOUNCE, oversize)
    await rogues[1].services.pubsub.publish(TOPIC_ANNOUNCE, wrongSchema)
    await rogues[1].services.pubsub.publish(TOPIC_ANNOUNCE, replay)

    await waitFor('every node to reject all four', () => nodes.every((n) =>
      rejected(n, 'bad-signature') >= 1 && rejected(n, 'oversize') >= 1 && rejected(n, 'bad-schema') >= 1 && rejected(n, 'session-id-reuse') >= 1))
    // gossipsub caches scores briefly; wait for the penalty to show.
    await waitFor('both rogues\' scores to drop below zero on every node', () => nodes.every((n) => rogues.every((r) => score(n, r.peerId.toString()) < 0)))
    for (const n of nodes) {
      for (const h of nodes) if (h !== n) assert.ok(score(n, h.peerId) >= 0, 'an honest peer lost score')
      // The replay did not replace the honest record, and it was recorded as an incident.
      assert.equal(n.index.get(honest.sessionId)?.manifest, honest.manifestCid)
      const incidents = await n.index.incidents()
      assert.ok(incidents.some((i) => i.kind === 'session-id-reuse' && i.sessionId === honest.sessionId && i.from === rogues[1].peerId.toString()))
      assert.equal(n.index.get(base.sessionId), undefined, 'a rejected announcement was recorded')
    }

    // Honest announcements still arrive.
    const after = await nodes[2].putSession((async function * () { yield randomBytes(50_000) })())
    await waitFor('the next honest announcement everywhere', () => nodes.every((n) => n.index.get(after.sessionId) !== undefined))
  })
})
