import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { checkSingleUse, decodeAnnouncement, encodeAnnouncement, type Announcement } from '../../../protocols/swarm/announcement.js'
import { MAX_ANNOUNCEMENT_BYTES, MAX_CLOCK_SKEW_MS } from '../../../protocols/swarm/constants.js'
import { decodeHeartbeat, encodeHeartbeat } from '../../../protocols/swarm/heartbeat.js'
import { formatSessionId } from '../../../protocols/session/session-id.js'
import { opensslVerify } from '../../../node/src/state/ed25519-verify.js'

const secret = ed25519.utils.randomSecretKey()
const recorder = ed25519.getPublicKey(secret)
const NOW = 1_800_000_000_000

function uuid (bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  return formatSessionId(b)
}

const arbAnnouncement = fc.record({
  id: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  digest: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  chunkCount: fc.integer({ min: 1, max: 1 << 18 }),
  storedBytes: fc.integer({ min: 0, max: 2 ** 40 }),
  origin: fc.string({ minLength: 1, maxLength: 60 }),
  addrs: fc.array(fc.string({ minLength: 1, maxLength: 80 }), { maxLength: 8 }),
  issuedAt: fc.integer({ min: 0, max: NOW })
}).map((r): Announcement => ({
  v: 1,
  sessionId: uuid(r.id),
  manifest: CID.createV1(0x71, Digest.create(0x12, r.digest)),
  merkleRoot: r.root,
  chunkCount: r.chunkCount,
  storedBytes: r.storedBytes,
  recorder,
  origin: r.origin,
  addrs: r.addrs,
  issuedAt: r.issuedAt
}))

function sample (): Announcement {
  return fc.sample(arbAnnouncement, { numRuns: 1, seed: 7 })[0]
}

describe('swarm announcements (codec and validation)', () => {
  it('round-trips any valid announcement (property)', () => {
    fc.assert(fc.property(arbAnnouncement, (a) => {
      const v = decodeAnnouncement(encodeAnnouncement(a, secret), NOW)
      assert.ok(v.ok, v.ok ? '' : v.detail)
      assert.deepEqual(v.value.announcement, a)
    }), { numRuns: 150 })
  })

  it('the node\'s OpenSSL verification gives the same verdict as the strict pure-JS one, tampered or not (property)', () => {
    fc.assert(fc.property(arbAnnouncement, fc.option(fc.nat(), { nil: undefined }), (a, bit) => {
      const bytes = encodeAnnouncement(a, secret)
      if (bit !== undefined) bytes[(bit >>> 3) % bytes.length] ^= 1 << (bit & 7)
      const js = decodeAnnouncement(bytes, NOW)
      const ossl = decodeAnnouncement(bytes, NOW, opensslVerify)
      assert.deepEqual(ossl.ok ? 'ok' : ossl.reason, js.ok ? 'ok' : js.reason)
    }), { numRuns: 200 })
  })

  it('rejects any single flipped bit (property): encoding, schema or signature, never accepted', () => {
    fc.assert(fc.property(arbAnnouncement, fc.nat(), (a, bit) => {
      const bytes = encodeAnnouncement(a, secret)
      const bad = Uint8Array.from(bytes)
      bad[(bit >>> 3) % bad.length] ^= 1 << (bit & 7)
      const v = decodeAnnouncement(bad, NOW)
      if (v.ok) {
        // A flip inside a free-text field can still decode; it must then fail the signature, so ok is impossible.
        assert.fail('a tampered announcement was accepted')
      }
      assert.ok(['bad-encoding', 'bad-schema', 'bad-signature'].includes(v.reason))
    }), { numRuns: 200 })
  })

  it('names the reason: oversize, bad-encoding, bad-schema, bad-signature, from-the-future', () => {
    const a = sample()
    const big = new Uint8Array(MAX_ANNOUNCEMENT_BYTES + 1)
    assert.equal((decodeAnnouncement(big, NOW) as { reason: string }).reason, 'oversize')
    assert.equal((decodeAnnouncement(Uint8Array.of(0xff, 0x00), NOW) as { reason: string }).reason, 'bad-encoding')
    const enc = encodeAnnouncement(a, secret)
    const env = dagCbor.decode(enc) as { announcement: Record<string, unknown>, signature: Uint8Array }
    const extra = dagCbor.encode({ ...env, announcement: { ...env.announcement, extra: 1 } })
    assert.equal((decodeAnnouncement(extra, NOW) as { reason: string }).reason, 'bad-schema')
    const wrongType = dagCbor.encode({ ...env, announcement: { ...env.announcement, chunkCount: 'many' } })
    assert.equal((decodeAnnouncement(wrongType, NOW) as { reason: string }).reason, 'bad-schema')
    const other = ed25519.utils.randomSecretKey()
    const forged = dagCbor.encode({ ...env, signature: ed25519.sign(new Uint8Array(8), other) })
    assert.equal((decodeAnnouncement(forged, NOW) as { reason: string }).reason, 'bad-signature')
    const future = encodeAnnouncement({ ...a, issuedAt: NOW + MAX_CLOCK_SKEW_MS + 1 }, secret)
    assert.equal((decodeAnnouncement(future, NOW) as { reason: string }).reason, 'from-the-future')
  })

  it('refuses to sign an announcement that breaks the schema', () => {
    assert.throws(() => encodeAnnouncement({ ...sample(), sessionId: 'not-a-uuid' }, secret), /sessionId/)
    assert.throws(() => encodeAnnouncement({ ...sample(), addrs: Array(9).fill('/ip4/1.2.3.4') }, secret), /addrs/)
  })

  it('session IDs are single use: same manifest is a duplicate, another one a conflict', () => {
    const a = sample()
    assert.equal(checkSingleUse(undefined, a), 'new')
    assert.equal(checkSingleUse(a.manifest.toString(), a), 'duplicate')
    assert.equal(checkSingleUse(CID.createV1(0x71, Digest.create(0x12, new Uint8Array(32))).toString(), a), 'conflict')
  })
})

describe('swarm heartbeats', () => {
  it('round-trip and sort the held list', () => {
    const ids = [uuid(new Uint8Array(16).fill(9)), uuid(new Uint8Array(16).fill(1))]
    const v = decodeHeartbeat(encodeHeartbeat({ v: 1, at: 5, addrs: ['/ip4/127.0.0.1/tcp/1'], held: ids }))
    assert.ok(v.ok)
    assert.deepEqual(v.value.held, [...ids].sort())
  })

  it('reject bad ones with a reason', () => {
    assert.equal((decodeHeartbeat(dagCbor.encode({ v: 1, at: 5, addrs: [], held: ['x'] })) as { reason: string }).reason, 'bad-schema')
    assert.equal((decodeHeartbeat(dagCbor.encode({ v: 2, at: 5, addrs: [], held: [] })) as { reason: string }).reason, 'bad-schema')
    assert.equal((decodeHeartbeat(new Uint8Array(70_000)) as { reason: string }).reason, 'oversize')
  })
})
