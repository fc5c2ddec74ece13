// Task proofs survive the wire (gossip and block bodies) exactly, for every kind and any field values; malformed
// input is refused with the field named; the envelope carries proofs and the decoded block hashes the same.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { RLP } from '@ethereumjs/rlp'
import { bodyHash, makeAttestation, makeBlock, makeHeartbeat, makeHoldingClaim, makeHoldingRelease, makeRelayReceipt, makeStorageProof, nodeKeyFromSeed, type TaskProof } from '../../../protocols/poot/index.js'
import { decodeProof, encodeProof, ProofCodecError } from '../../../node/src/chain/proof-codec.js'
import { decodeEnvelope, encodeEnvelope } from '../../../node/src/chain/envelope.js'

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 })
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
const n = fc.nat({ max: 2 ** 40 })

const proof: fc.Arbitrary<TaskProof> = fc.oneof(
  fc.tuple(seed, n, n, n, hash).map(([s, slot, beat, ref, h]) => makeHeartbeat(nodeKeyFromSeed(s), slot, beat, { slot: ref, hash: h })),
  fc.tuple(seed, n, hash, n, hash).map(([s, slot, h, src, sh]) => makeAttestation(nodeKeyFromSeed(s), slot, h, { epoch: src, hash: sh })),
  fc.tuple(seed, seed, n, fc.integer({ min: 1, max: 2 ** 30 })).map(([a, b, slot, bytes]) => makeRelayReceipt(nodeKeyFromSeed(a), nodeKeyFromSeed(b), slot, bytes)),
  fc.tuple(seed, n, fc.nat({ max: 63 }), fc.uuid(), fc.nat({ max: 10_000 }), n, fc.uint8Array({ maxLength: 5000 }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 20 }))
    .map(([s, slot, index, sessionId, chunkIndex, sample, blob, path]) => makeStorageProof(nodeKeyFromSeed(s), { slot, index, sessionId, chunkIndex, sample }, blob, path)),
  fc.tuple(seed, n, fc.uuid(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }))
    .map(([s, slot, sessionId, root, chunkCount]) => makeHoldingClaim(nodeKeyFromSeed(s), slot, { sessionId, root, chunkCount })),
  fc.tuple(seed, n, fc.string({ minLength: 1, maxLength: 64 })).map(([s, slot, sessionId]) => makeHoldingRelease(nodeKeyFromSeed(s), slot, sessionId))
)

describe('chain: task proof codec', () => {
  it('round-trips every kind exactly (property)', () => {
    fc.assert(fc.property(proof, (p) => {
      const back = decodeProof(encodeProof(p))
      assert.deepEqual(back, p)
      assert.deepEqual(encodeProof(back), encodeProof(p))
    }), { numRuns: 200 })
  })

  it('refuses malformed proofs, naming what is wrong', () => {
    const key = nodeKeyFromSeed(new Uint8Array(32).fill(7))
    const good = RLP.decode(encodeProof(makeAttestation(key, 9, 'ab'.repeat(32), { epoch: 0, hash: 'cd'.repeat(32) }))) as Uint8Array[]
    const bad = (fields: unknown, re: RegExp): void => assert.throws(() => decodeProof(RLP.encode(fields as never)), (e: Error) => e instanceof ProofCodecError && re.test(e.message))
    bad([], /non-empty list/)
    bad([new Uint8Array([9]), ...good.slice(1)], /unknown kind 9/)
    bad(good.slice(0, 6), /7 fields, got 6/)
    bad([good[0], new Uint8Array(31), ...good.slice(2)], /node is 31 bytes/)
    bad([...good.slice(0, 6), new Uint8Array(63)], /sig is 63 bytes/)
    bad([good[0], good[1], new Uint8Array([0, 1]), ...good.slice(3)], /slot has leading zeros/)
    bad([good[0], good[1], new Uint8Array(9).fill(1), ...good.slice(3)], /slot is too large/)
    const release = RLP.decode(encodeProof(makeHoldingRelease(key, 9, 'a-session'))) as Uint8Array[]
    bad(release.slice(0, 4), /a release proof has 5 fields, got 4/)
    bad([...release.slice(0, 3), new Uint8Array(65).fill(0x61), release[4]], /sessionId is too long/)
    // a storage answer: four [piece, siblings] samples of at most 1 KiB pieces and 32-byte siblings
    const storage = RLP.decode(encodeProof(makeStorageProof(key, { slot: 9, index: 0, sessionId: 's', chunkIndex: 1, sample: 5 }, new Uint8Array(3000).fill(1), [new Uint8Array(32)]))) as unknown[]
    const samples = storage[7] as unknown[][]
    const withSamples = (x: unknown): unknown[] => [...storage.slice(0, 7), x, ...storage.slice(8)]
    bad(storage.slice(0, 9), /a storage proof has 10 fields, got 9/)
    bad(withSamples(samples.slice(1)), /samples has 3 entries, not 4/)
    bad(withSamples([[new Uint8Array(1025), []], ...samples.slice(1)]), /samples\[0\]\.piece is 1025 bytes, more than 1024/)
    bad(withSamples([samples[0], [samples[1][0], [new Uint8Array(31)]], ...samples.slice(2)]), /samples\[1\]\.siblings\[0\] is 31 bytes/)
    bad(withSamples([samples[0], samples[1], [samples[2][0]], samples[3]]), /samples\[2\] is not a \[piece, siblings\] pair/)
    bad([...storage.slice(0, 8), new Uint8Array(32), storage[9]], /path is not a list/)
    assert.throws(() => decodeProof(new Uint8Array([0xff, 0x01])), /not RLP/)
    assert.throws(() => decodeProof(new Uint8Array(100), 50), /100 bytes, more than 50/)
  })

  it('block envelopes carry proofs; the decoded body hashes as the proposer signed it', () => {
    fc.assert(fc.property(fc.array(proof, { maxLength: 6 }), (proofs) => {
      const key = nodeKeyFromSeed(new Uint8Array(32).fill(3))
      const poot = makeBlock({ parentHash: 'ab'.repeat(32), slot: 7, rank: 0, timeMs: 1234567, proposer: key.id, signers: [{ member: 0, key }], body: { proofs, sessions: [], evidence: [], voteEvidence: [] } })
      const back = decodeEnvelope(encodeEnvelope({ evm: new Uint8Array([0xc0]), poot, seal: [] }))
      assert.equal(bodyHash(back.poot.body), poot.signed.header.bodyHash)
    }), { numRuns: 50 })
  })
})
