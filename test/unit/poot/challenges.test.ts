import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, keyOf } from './helpers.js'
import { issueChallenges } from '../../../protocols/poot/challenges.js'
import { validateStorageProof } from '../../../protocols/poot/proof-rules.js'
import { makeStorageProof } from '../../../protocols/poot/make-proofs.js'
import { inclusionProof } from '../../../protocols/poot/merkle.js'
import { genesisState } from '../../../protocols/poot/state.js'

const f = fixture({ nodes: 10, catalog: { sessions: 6, chunks: 7, chunkBytes: 64, replicas: 3 }, params: { challengesPerSlot: 3 } })
const { catalog } = f.config

describe('poot storage challenges', () => {
  it('property: any mix picks a catalogued session, one of its holders and an existing chunk; the holder\'s answer is valid and any other blob is not', () => {
    const parent = genesisState(f.config)
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (mix, slot, junk) => {
      const challenges = issueChallenges(mix, slot, catalog, 3)
      assert.equal(challenges.length, 3)
      assert.deepEqual(challenges.map((c) => c.index), [0, 1, 2])
      for (const c of challenges) {
        const session = catalog.find((s) => s.sessionId === c.sessionId)!
        assert.ok(session.holders.includes(c.holder) && c.chunkIndex >= 0 && c.chunkIndex < session.chunkCount && c.slot === slot)
        const data = f.blobs.get(c.sessionId)!
        const ctx = { config: f.config, parent, slot: slot + 1, timeMs: 0, blockKeys: new Set<string>(), openChallenges: challenges }
        const honest = makeStorageProof(keyOf(f, c.holder), c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex))
        assert.deepEqual(validateStorageProof(honest, ctx), { ok: true })
        const cheat = makeStorageProof(keyOf(f, c.holder), c, junk, inclusionProof(data.leaves, c.chunkIndex))
        assert.deepEqual(validateStorageProof(cheat, ctx), { ok: false, reason: 'bad-merkle-proof' })
      }
    }), { numRuns: 60 })
  })

  it('spreads challenges over sessions, holders and chunks', () => {
    const seen = { sessions: new Set<string>(), holders: new Set<string>(), chunks: new Set<number>() }
    for (let i = 0; i < 200; i++) {
      for (const c of issueChallenges(Uint8Array.of(i, i >> 8, ...new Uint8Array(30)), i, catalog, 1)) {
        seen.sessions.add(c.sessionId); seen.holders.add(c.holder); seen.chunks.add(c.chunkIndex)
      }
    }
    assert.equal(seen.sessions.size, catalog.length)
    assert.equal(seen.chunks.size, 7)
    assert.ok(seen.holders.size >= 6)
  })

  it('issues nothing from an empty catalog', () => {
    assert.deepEqual(issueChallenges(new Uint8Array(32), 1, [], 4), [])
  })
})
