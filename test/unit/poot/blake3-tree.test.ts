// BLAKE3's tree opened up for piece proofs: the tree hash against the official vectors and the project's BLAKE3,
// and every piece's proof leads to the hash while a changed piece, sibling, index or length does not.
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { PIECE_BYTES, PieceProver, pieceCount, provePiece, provePieces, rootFromPiece, treeHash } from '../../../protocols/poot/blake3-tree.js'
import { blake3 } from '../../../protocols/poot/hash.js'

const vectorsDir = fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url))
const vectors = JSON.parse(readFileSync(vectorsDir + 'blake3_test_vectors.json', 'utf8')) as { cases: Array<{ input_len: number, hash: string }> }
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const vectorInput = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i % 251)

describe('poot: BLAKE3 tree and piece proofs', () => {
  it(`the tree hash matches all ${vectors.cases.length} official hash-mode vectors`, () => {
    for (const c of vectors.cases) assert.equal(hex(treeHash(vectorInput(c.input_len))), c.hash.slice(0, 64), `length ${c.input_len}`)
  })

  it('every piece of the vector inputs proves the official hash', () => {
    for (const c of vectors.cases) {
      const message = vectorInput(c.input_len)
      for (let i = 0; i < pieceCount(message.length); i++) {
        const { piece, siblings } = provePiece(message, i)
        assert.equal(hex(rootFromPiece(message.length, i, piece, siblings) ?? new Uint8Array()), c.hash.slice(0, 64), `length ${c.input_len} piece ${i}`)
      }
    }
  })

  it('property: a proof leads to BLAKE3 of the message; a changed piece, sibling, index or length does not', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 9 * PIECE_BYTES + 7 }), fc.nat(), fc.nat(), (message, pick, flip) => {
      const hash = hex(blake3(message))
      const n = pieceCount(message.length)
      const i = pick % n
      const { piece, siblings } = provePiece(message, i)
      assert.ok(siblings.length <= Math.ceil(Math.log2(n)), 'at most one sibling a level')
      assert.equal(hex(rootFromPiece(message.length, i, piece, siblings)!), hash)
      const differs = (r: Uint8Array | null): boolean => r === null || hex(r) !== hash
      if (piece.length > 0) {
        const bad = piece.slice()
        bad[flip % bad.length] ^= 1 << (flip % 8)
        assert.ok(differs(rootFromPiece(message.length, i, bad, siblings)), 'changed piece')
      }
      if (siblings.length > 0) {
        const bad = siblings.map((s) => s.slice())
        bad[flip % bad.length][flip % 32] ^= 1
        assert.ok(differs(rootFromPiece(message.length, i, piece, bad)), 'changed sibling')
      }
      if (n > 1) assert.ok(differs(rootFromPiece(message.length, (i + 1) % n, piece, siblings)), 'another index')
      for (const length of [message.length - 1, message.length + 1, message.length + PIECE_BYTES]) {
        if (length >= 0) assert.ok(differs(rootFromPiece(length, i, piece, siblings)), `length ${length}`)
      }
    }), { numRuns: 150 })
  })

  it('property: proving a slice at a time (as a node yields between slices) gives the same proofs as one pass', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 * PIECE_BYTES }), fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (message, slice, picks) => {
      const n = pieceCount(message.length)
      const indexes = picks.map((p) => p % n)
      const prover = new PieceProver(message)
      let steps = 1
      while (!prover.step(slice)) steps++
      assert.equal(steps, Math.max(1, Math.ceil(n / slice)))
      assert.throws(() => new PieceProver(message).prove(indexes), /not hashed yet/)
      assert.deepEqual(prover.prove(indexes), provePieces(message, indexes))
    }), { numRuns: 100 })
  })

  it('refuses pieces and proofs that cannot fit the length', () => {
    const message = vectorInput(3 * PIECE_BYTES + 5)
    const { piece, siblings } = provePiece(message, 3)
    assert.equal(piece.length, 5)
    assert.equal(rootFromPiece(message.length, 4, piece, siblings), null, 'no piece 4')
    assert.equal(rootFromPiece(message.length, 3, piece, siblings.slice(1)), null, 'a sibling short')
    assert.equal(rootFromPiece(message.length, 3, piece, [...siblings.slice(1), new Uint8Array(31)]), null, 'a short sibling')
    assert.equal(rootFromPiece(-1, 0, piece, siblings), null)
    assert.throws(() => provePiece(message, 4), RangeError)
  })
})
