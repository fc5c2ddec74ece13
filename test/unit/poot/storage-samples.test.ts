// Storage answers carry sampled 1 KiB pieces of the chunk with their BLAKE3 tree paths, not the chunk: an honest
// answer is small and valid, pieces for another draw, a changed piece or a wrong length are refused, and a holder
// that kept only part of a chunk answers only the challenges whose pieces all fall in that part.
import { strict as assert } from 'node:assert'
import { fixture, genesis, extend, keyOf } from './helpers.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { makeStorageProof } from '../../../protocols/poot/make-proofs.js'
import { inclusionProof } from '../../../protocols/poot/merkle.js'
import { PIECE_BYTES, SAMPLES_PER_ANSWER, leafFromSamples, sampleChunk, sampledPieces } from '../../../protocols/poot/chunk-samples.js'
import { pieceCount } from '../../../protocols/poot/blake3-tree.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { encodeProof } from '../../../protocols/poot/proofs.js'
import type { Challenge, ChainState } from '../../../protocols/poot/state.js'
import type { StorageProof, TaskProof } from '../../../protocols/poot/proofs.js'

const CHUNK_BYTES = 5 * PIECE_BYTES + 300
const f = fixture({ nodes: 10, catalog: { sessions: 2, chunks: 3, chunkBytes: CHUNK_BYTES, replicas: 2 } })
const chain = extend(f, genesis(f), 4)

function reason (p: TaskProof, parent: ChainState = chain): string {
  const slot = parent.slot + 1
  const r = validateProof(p, { config: f.config, parent, slot, timeMs: slotStartMs(f.config.genesisMs, f.config.params, slot), blockKeys: new Set(), openChallenges: parent.openChallenges })
  return r.ok ? 'ok' : r.reason
}

describe('poot: storage answers by sampled pieces', () => {
  const c = chain.openChallenges[chain.openChallenges.length - 1]
  const data = f.blobs.get(c.sessionId)!
  const blob = data.blobs[c.chunkIndex]
  const path = inclusionProof(data.leaves, c.chunkIndex)
  const holder = keyOf(f, c.holder)
  const answer = makeStorageProof(holder, c, blob, path)

  it('an honest answer is valid and carries pieces, not the chunk', () => {
    assert.equal(reason(answer), 'ok')
    assert.equal(answer.samples.length, SAMPLES_PER_ANSWER)
    assert.deepEqual(answer.samples.map((s) => s.piece.length).filter((n) => n > PIECE_BYTES), [])
    assert.ok(encodeProof(answer).length < 4 * PIECE_BYTES + 1024, `${encodeProof(answer).length} bytes`)
    // an 8 MiB chunk: four pieces and fourteen 32-byte siblings each, ~6 KB
    const big = new Uint8Array(8 * 1024 * 1024).fill(7)
    const samples = sampleChunk(c, big)
    assert.ok(samples.every((s) => s.siblings.length === 14))
    assert.ok(leafFromSamples(c, big.length, samples) !== null)
  })

  it('refuses pieces drawn for another challenge, a changed piece and a wrong length', () => {
    const resigned = (p: Omit<StorageProof, 'sig'>): StorageProof => ({ ...p, sig: holder.sign(new Uint8Array()) }) // signature checked after the samples
    const other = sampleChunk({ ...c, sample: c.sample + 1 }, blob)
    assert.notDeepEqual(sampledPieces({ ...c, sample: c.sample + 1 }, blob.length), sampledPieces(c, blob.length))
    assert.equal(reason(resigned({ ...answer, samples: other })), 'bad-samples')
    const changed = answer.samples.map((s, j) => j === 0 ? { ...s, piece: s.piece.map((b, i) => i === 5 ? b ^ 1 : b) } : s)
    assert.equal(reason(resigned({ ...answer, samples: changed })), 'bad-samples')
    // a length with another piece count changes the tree (one within the same count draws the same pieces of the same tree)
    assert.equal(reason(resigned({ ...answer, chunkBytes: blob.length + PIECE_BYTES })), 'bad-samples')
    assert.equal(reason(resigned({ ...answer, chunkBytes: blob.length - PIECE_BYTES })), 'bad-samples')
    assert.equal(reason(resigned({ ...answer, samples: answer.samples.slice(1) })), 'bad-samples')
    // the same samples with a changed signature are the holder's no longer
    assert.equal(reason({ ...answer, sig: holder.sign(new Uint8Array(1)) }), 'bad-signature')
  })

  it('a holder that kept part of a chunk answers only when every sampled piece is in that part', () => {
    const pieces = pieceCount(blob.length + 1)
    const kept = new Set([0, 1, 2]) // 3 of the 6 pieces
    let answerable = 0
    const seen = new Set<number>()
    const draws = 400
    for (let sample = 0; sample < draws; sample++) {
      const seed: Challenge = { ...c, sample }
      const drawn = sampledPieces(seed, blob.length)
      for (const p of drawn) seen.add(p)
      if (drawn.every((p) => kept.has(p))) answerable++
    }
    assert.equal(seen.size, pieces, 'every piece gets drawn')
    // (3/6)^4 = 1/16 expected; a holder of half a chunk fails most challenges
    assert.ok(answerable / draws < 0.15, `answered ${answerable} of ${draws}`)
  })
})
