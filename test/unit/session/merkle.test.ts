import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { inclusionProof, leafHash, merkleRoot, nodeHash, verifyInclusion } from '../../../protocols/session/merkle.js'
import { toHex } from '../../../protocols/session/bytes.js'

const blobs = fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 40 })

function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[(bit >>> 3) % out.length] ^= 1 << (bit & 7)
  return out
}

describe('Merkle tree (BLAKE3, domain-separated, odd node promoted)', () => {
  it('has the documented shape for 1, 2 and 3 leaves', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => leafHash(new TextEncoder().encode(s)))
    assert.equal(toHex(merkleRoot([a])), toHex(a))
    assert.equal(toHex(merkleRoot([a, b])), toHex(nodeHash(a, b)))
    // Three leaves: c is promoted, not paired with itself.
    assert.equal(toHex(merkleRoot([a, b, c])), toHex(nodeHash(nodeHash(a, b), c)))
    assert.notEqual(toHex(merkleRoot([a, b, c])), toHex(merkleRoot([a, b, c, c])))
  })

  it('separates leaves from nodes: a leaf never equals the node over the same bytes', () => {
    const a = leafHash(Uint8Array.of(1))
    const b = leafHash(Uint8Array.of(2))
    const joined = new Uint8Array([...a, ...b])
    assert.notEqual(toHex(leafHash(joined)), toHex(nodeHash(a, b)))
  })

  it('property: every leaf\'s inclusion proof verifies against the root', () => {
    fc.assert(fc.property(blobs, (list) => {
      const leaves = list.map(leafHash)
      const root = merkleRoot(leaves)
      leaves.forEach((leaf, i) => assert.ok(verifyInclusion(root, leaves.length, i, leaf, inclusionProof(leaves, i)), `leaf ${i}/${leaves.length}`))
    }))
  })

  it('property: any changed bit in a blob, a proof hash or the root makes the proof fail', () => {
    fc.assert(fc.property(blobs, fc.nat(), fc.nat(), fc.nat({ max: 2 }), (list, pick, bit, what) => {
      const leaves = list.map(leafHash)
      const root = merkleRoot(leaves)
      const i = pick % leaves.length
      const proof = inclusionProof(leaves, i)
      if (what === 0) {
        const blob = list[i].length === 0 ? Uint8Array.of(0) : flipBit(list[i], bit)
        assert.equal(verifyInclusion(root, leaves.length, i, leafHash(blob), proof), false)
      } else if (what === 1 && proof.length > 0) {
        const p = proof.slice()
        const j = bit % p.length
        p[j] = flipBit(p[j], bit)
        assert.equal(verifyInclusion(root, leaves.length, i, leaves[i], p), false)
      } else {
        assert.equal(verifyInclusion(flipBit(root, bit), leaves.length, i, leaves[i], proof), false)
      }
    }))
  })

  it('property: a proof does not verify at another index, with a spare hash, or with a hash missing', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 2, maxLength: 40 }), fc.nat(), fc.nat(), (list, a, b) => {
      const leaves = list.map(leafHash)
      const root = merkleRoot(leaves)
      const i = a % leaves.length
      const j = b % leaves.length
      const proof = inclusionProof(leaves, i)
      if (i !== j && toHex(leaves[i]) !== toHex(leaves[j])) assert.equal(verifyInclusion(root, leaves.length, j, leaves[i], proof), false)
      assert.equal(verifyInclusion(root, leaves.length, i, leaves[i], [...proof, leaves[0]]), false)
      if (proof.length > 0) assert.equal(verifyInclusion(root, leaves.length, i, leaves[i], proof.slice(1)), false)
    }))
  })

  it('rejects an empty tree and out-of-range indexes with clear errors', () => {
    assert.throws(() => merkleRoot([]), /at least one leaf/)
    assert.throws(() => inclusionProof([leafHash(Uint8Array.of(1))], 1), /outside 0\.\.0/)
    assert.equal(verifyInclusion(new Uint8Array(32), 0, 0, new Uint8Array(32), []), false)
  })
})
