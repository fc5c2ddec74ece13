/**
 * Copies of an announcement (the origin's retransmissions) are forwarded by nodes that already have it, for a while:
 * Gossip's validator Accepts a byte-identical copy of an announcement it accepted less than FORWARD_COPIES_MS ago
 * without processing it again, Ignores older copies, and still Rejects another manifest under the same session ID.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { encodeAnnouncement, type Announcement } from '../../../protocols/swarm/announcement.js'
import { TOPIC_ANNOUNCE } from '../../../protocols/swarm/constants.js'
import { Gossip, FORWARD_COPIES_MS } from '../../../node/src/swarm/gossip.js'

const secret = ed25519.utils.randomSecretKey()
const SESSION = '2f1c7a52-3c4d-4e5f-8a6b-7c8d9e0f1a2b'

function announcement (manifestDigest: Uint8Array, issuedAt: number): Uint8Array {
  const a: Announcement = {
    v: 1,
    sessionId: SESSION,
    manifest: CID.createV1(0x71, Digest.create(0x12, manifestDigest)),
    merkleRoot: new Uint8Array(32).fill(7),
    chunkCount: 3,
    storedBytes: 3_000_000,
    recorder: ed25519.getPublicKey(secret),
    origin: 'origin-peer',
    addrs: [],
    issuedAt
  }
  return encodeAnnouncement(a, secret)
}

describe('gossip: retransmitted announcements are forwarded for a while', () => {
  it('accepts copies for FORWARD_COPIES_MS after accepting the original, processes it once, then ignores copies', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    let now = 1_800_000_000_000
    const known = new Map<string, string>()
    let processed = 0
    let conflicts = 0
    const gossip = new Gossip({} as unknown as GossipSub, {
      knownManifest: (id) => known.get(id),
      onAnnouncement: (signed) => { processed++; known.set(signed.announcement.sessionId, signed.announcement.manifest.toString()) },
      onConflict: () => { conflicts++ },
      onHeartbeat: () => {}
    }, { received: () => {}, published: () => {}, rejected: () => {} }, { debug: () => {}, warn: () => {} }, () => now)
    const msg = (data: Uint8Array): Message => ({ type: 'signed', topic: TOPIC_ANNOUNCE, data, from: peer, sequenceNumber: 1n, signature: new Uint8Array(64), key: peer.publicKey as never })

    const original = announcement(randomBytes(32), now)
    assert.equal(gossip.validateAnnouncement(peer, msg(original)), TopicValidatorResult.Accept)
    assert.equal(processed, 1)

    now += FORWARD_COPIES_MS - 1
    assert.equal(gossip.validateAnnouncement(peer, msg(Uint8Array.from(original))), TopicValidatorResult.Accept, 'a recent copy is forwarded')
    assert.equal(processed, 1, 'a copy is not processed again')

    const other = announcement(randomBytes(32), now)
    assert.equal(gossip.validateAnnouncement(peer, msg(other)), TopicValidatorResult.Reject, 'another manifest under the same ID is still rejected')
    assert.equal(conflicts, 1)

    now += 2
    assert.equal(gossip.validateAnnouncement(peer, msg(original)), TopicValidatorResult.Ignore, 'an old copy is not forwarded any more')
    assert.equal(processed, 1)
  })
})
