import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from '../../../protocols/poot/merkle.js'
import * as session from '../../../protocols/session/merkle.js'

describe('poot merkle (storage challenges, payout roots)', () => {
  it('property: every leaf verifies; a wrong leaf, index or a spare hash does not (the leaf count comes from the anchor)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 33 }), fc.nat(), (blobs, pick) => {
      const leaves = blobs.map(leafHash)
      const root = merkleRoot(leaves)
      const i = pick % leaves.length
      const proof = inclusionProof(leaves, i)
      assert.ok(verifyInclusion(root, leaves.length, i, leaves[i], proof))
      assert.ok(!verifyInclusion(root, leaves.length, i, leafHash(new Uint8Array([1, 2, 3, ...blobs[i]])), proof))
      if (leaves.length > 1) assert.ok(!verifyInclusion(root, leaves.length, (i + 1) % leaves.length, leaves[i], proof) || leaves[i].every((b, k) => b === leaves[(i + 1) % leaves.length][k]))
      assert.ok(!verifyInclusion(root, leaves.length, i, leaves[i], [...proof, root]))
      assert.ok(!verifyInclusion(root, leaves.length, leaves.length, leaves[i], proof)) // index outside the tree
    }), { numRuns: 200 })
  })

  it('agrees with protocols/session (same leaf, node, promotion rule), so its verifyInclusion can be injected', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 20 }), (blobs) => {
      const leaves = blobs.map(leafHash)
      assert.deepEqual(leaves, blobs.map((b) => session.leafHash(b)))
      assert.deepEqual(merkleRoot(leaves), session.merkleRoot(leaves))
      leaves.forEach((l, i) => assert.ok(session.verifyInclusion(merkleRoot(leaves), leaves.length, i, l, inclusionProof(leaves, i))))
    }), { numRuns: 50 })
  })
})
