// Sealing and opening whole sessions: round trips at the size edges, and every kind of tampering detected by name.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { ed25519 } from '@noble/curves/ed25519.js'
import {
  ManifestBuilder, MIN_CHUNK_SIZE, NONCE_BYTES, SessionError, decodeSignedManifest, openBytes, sealBytes,
  sessionIdFromRandom, sessionIdToBytes32, parseSessionId, type SessionParams
} from '../../../protocols/session/index.js'

const CHUNK = MIN_CHUNK_SIZE
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
const recorderKey = ed25519.utils.randomSecretKey()

function params (overrides: Partial<SessionParams> = {}): SessionParams {
  return { sessionId: sessionIdFromRandom(rand(16)), sessionKey: rand(32), chunkSize: CHUNK, owner: 'operator-1', recorderVersion: 'test/1', startedAt: 1_700_000_000_000, ...overrides }
}

function compressible (n: number): Uint8Array {
  const line = new TextEncoder().encode('{"event":"keypress","key":"a","window":"Terminal"}\n')
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = line[i % line.length]
  return out
}

function expectFailure (fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SessionError, `expected a SessionError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    assert.match(err.message, pattern)
    return true
  })
}

describe('sealed sessions (in memory)', () => {
  for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17]) {
    for (const [kind, make] of [['incompressible', rand], ['compressible', compressible]] as const) {
      it(`round-trips ${size} bytes of ${kind} data`, () => {
        const data = make(size)
        const p = params()
        const sealed = sealBytes(data, p, recorderKey, rand)
        assert.equal(sealed.manifest.chunkCount, Math.max(1, Math.ceil(size / CHUNK)))
        assert.equal(sealed.blobs.length, sealed.manifest.chunkCount)
        assert.deepEqual(openBytes(sealed.encodedManifest, sealed.blobs, p.sessionKey), data)
        const stored = sealed.blobs.reduce((n, b) => n + b.length, 0)
        if (kind === 'compressible' && size >= CHUNK) assert.ok(stored < size / 4, `zstd should shrink repetitive data (${stored} of ${size})`)
      })
    }
  }

  it('property: random data and chunk counts round-trip', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3 * CHUNK + 5 }), (data) => {
      const p = params()
      const sealed = sealBytes(data, p, recorderKey, rand)
      assert.deepEqual(openBytes(sealed.encodedManifest, sealed.blobs, p.sessionKey), data)
    }), { numRuns: 25 })
  })

  it('uses a fresh nonce per chunk: the same plaintext seals to different blobs', () => {
    const sealed = sealBytes(new Uint8Array(2 * CHUNK), params(), recorderKey, rand)
    assert.notDeepEqual(sealed.blobs[0].subarray(2, 2 + NONCE_BYTES), sealed.blobs[1].subarray(2, 2 + NONCE_BYTES))
    assert.notDeepEqual(sealed.blobs[0], sealed.blobs[1])
  })

  it('maps a session ID to bytes32 as the 16 UUID bytes then 16 zero bytes', () => {
    const id = '3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f'
    assert.equal(sessionIdToBytes32(id), '0x3f0c2a8e9b1d4c2e8f000a1b2c3d4e5f' + '0'.repeat(32))
    assert.throws(() => parseSessionId('3f0c2a8e-9b1d-1c2e-8f00-0a1b2c3d4e5f'), /UUIDv4/)
  })

  describe('tampering is always detected, naming what failed', () => {
    const p = params()
    const data = rand(4 * CHUNK + 100)
    const sealed = sealBytes(data, p, recorderKey, rand)
    const other = sealBytes(rand(4 * CHUNK + 100), params(), recorderKey, rand)

    it('property: a flipped bit anywhere in any chunk', () => {
      fc.assert(fc.property(fc.nat({ max: sealed.blobs.length - 1 }), fc.nat(), (i, bit) => {
        const blobs = sealed.blobs.slice()
        const b = Uint8Array.from(blobs[i])
        b[(bit >>> 3) % b.length] ^= 1 << (bit & 7)
        blobs[i] = b
        expectFailure(() => openBytes(sealed.encodedManifest, blobs, p.sessionKey), 'cid-mismatch', new RegExp(`chunk ${i}: blob does not match its CID`))
      }), { numRuns: 50 })
    })

    it('two chunks swapped', () => {
      const blobs = sealed.blobs.slice()
      ;[blobs[1], blobs[3]] = [blobs[3], blobs[1]]
      expectFailure(() => openBytes(sealed.encodedManifest, blobs, p.sessionKey), 'cid-mismatch', /chunk 1: blob is chunk 3's/)
    })

    it('a chunk from another session of the same node, in place of one', () => {
      const blobs = sealed.blobs.slice()
      blobs[2] = other.blobs[2]
      expectFailure(() => openBytes(sealed.encodedManifest, blobs, p.sessionKey), 'cid-mismatch', /chunk 2: blob does not match/)
    })

    it('a manifest the recorder signed over another session\'s chunk or a moved chunk still fails: blobs are bound to session and position', () => {
      const forged = new ManifestBuilder(p)
      const moved = new ManifestBuilder(p)
      sealed.blobs.forEach((b, i) => forged.add(i === 2 ? other.blobs[2] : b))
      sealed.blobs.forEach((b, i) => moved.add(i === 0 ? sealed.blobs[1] : i === 1 ? sealed.blobs[0] : b))
      const f = forged.finish(data.length, p.startedAt, recorderKey)
      expectFailure(() => openBytes(f.encoded, [...sealed.blobs.slice(0, 2), other.blobs[2], ...sealed.blobs.slice(3)], p.sessionKey), 'decrypt-failed', /chunk 2: authentication failed/)
      const m = moved.finish(data.length, p.startedAt, recorderKey)
      expectFailure(() => openBytes(m.encoded, [sealed.blobs[1], sealed.blobs[0], ...sealed.blobs.slice(2)], p.sessionKey), 'decrypt-failed', /chunk 0: authentication failed/)
    })

    it('a truncated chunk', () => {
      const blobs = sealed.blobs.slice()
      blobs[4] = blobs[4].subarray(0, blobs[4].length - 1)
      expectFailure(() => openBytes(sealed.encodedManifest, blobs, p.sessionKey), 'cid-mismatch', /chunk 4: blob does not match its CID .* \(altered or truncated\)/)
    })

    it('a missing chunk', () => {
      expectFailure(() => openBytes(sealed.encodedManifest, sealed.blobs.slice(0, 4), p.sessionKey), 'missing-chunk', /chunk 4: missing/)
    })

    it('an extra chunk', () => {
      expectFailure(() => openBytes(sealed.encodedManifest, [...sealed.blobs, other.blobs[0]], p.sessionKey), 'extra-chunk', /extra chunk/)
    })

    it('an edited manifest (every field)', () => {
      const { manifest, signature } = dagCbor.decode(sealed.encodedManifest) as { manifest: Record<string, unknown>, signature: Uint8Array }
      const edits: Array<[string, unknown]> = [['owner', 'mallory'], ['participants', ['mallory']], ['startedAt', 1], ['endedAt', 1_800_000_000_000],
        ['deviceFingerprint', 'x'], ['recorderVersion', 'evil'], ['policyHash', new Uint8Array(32).fill(1)], ['merkleRoot', new Uint8Array(32).fill(2)],
        ['chunks', [...(manifest.chunks as unknown[]).slice(1), (manifest.chunks as unknown[])[0]]]]
      for (const [field, value] of edits) {
        const edited = dagCbor.encode({ manifest: { ...manifest, [field]: value }, signature })
        expectFailure(() => openBytes(edited, sealed.blobs, p.sessionKey), 'bad-signature', /signature does not verify/)
      }
      const resized = dagCbor.encode({ manifest: { ...manifest, plaintextSize: 1 }, signature })
      expectFailure(() => decodeSignedManifest(resized), 'bad-manifest', /chunkCount 5 does not fit plaintextSize 1/)
      expectFailure(() => decodeSignedManifest(sealed.encodedManifest.subarray(0, 50)), 'bad-manifest', /not valid dag-cbor/)
      expectFailure(() => decodeSignedManifest(dagCbor.encode({ manifest: { ...manifest, extra: 1 }, signature })), 'bad-manifest', /unknown field 'extra'/)
    })

    it('a wrong session key', () => {
      expectFailure(() => openBytes(sealed.encodedManifest, sealed.blobs, rand(32)), 'decrypt-failed', /chunk 0: authentication failed/)
    })

    it('a manifest signed by another key', () => {
      const { manifest } = dagCbor.decode(sealed.encodedManifest) as { manifest: Record<string, unknown> }
      const intruder = ed25519.utils.randomSecretKey()
      const { manifest: mine } = decodeSignedManifest(sealed.encodedManifest)
      const message = new Uint8Array([...new TextEncoder().encode('lucid/manifest/v1'), 0, ...dagCbor.encode(mine)])
      const forged = dagCbor.encode({ manifest, signature: ed25519.sign(message, intruder) })
      expectFailure(() => openBytes(forged, sealed.blobs, p.sessionKey), 'bad-signature', /signature does not verify against the recorder key/)
    })
  })
})
