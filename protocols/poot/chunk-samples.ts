/**
 * Storage answers by sampled pieces. A challenged holder proves it holds a chunk without putting the chunk (up to
 * 16 MiB) into a block: the challenge names SAMPLES_PER_ANSWER pieces of 1 KiB of the chunk's leaf message
 * (0x00 ‖ chunk, whose BLAKE3 hash is the chunk's Merkle leaf), drawn from the slot's randomness and the chunk's
 * length, and the answer carries each piece with its path in BLAKE3's own tree (blake3-tree.ts): ~1.5 KB a piece
 * instead of the chunk. Every piece must lead to the same leaf, and the leaf to the anchored root.
 *
 * The claimed length fixes the piece count and so the tree's shape; a length with the same piece count draws the
 * same pieces of the same tree (the last piece's size is checked only when it is drawn), which proves the same.
 * The pieces are fixed only once the challenge is issued, and the answer is due within challengeResponseSlots, so
 * a holder keeping a fraction f of a chunk's pieces answers with probability about f^SAMPLES_PER_ANSWER (1/16 for
 * half a chunk); the miss penalty makes keeping a chunk cheaper than gambling on it.
 */
import { PIECE_BYTES, PieceProver, pieceCount, rootFromPiece } from './blake3-tree.js'
import { sha256 } from './hash.js'
import { concatBytes, equalBytes, u32, u64, uint48, utf8 } from './bytes.js'

export const SAMPLES_PER_ANSWER = 4
export { PIECE_BYTES }

export interface ChunkSample {
  /** the piece of 0x00 ‖ chunk (1 KiB; the last piece may be shorter) */
  readonly piece: Uint8Array
  /** its BLAKE3 tree path: the sibling chaining values from the root down */
  readonly siblings: readonly Uint8Array[]
}

/** What fixes the sampled pieces: the challenge's slot and index and its draw from the slot's randomness. */
export interface SampleSeed { readonly slot: number, readonly index: number, readonly sample: number }

const DOMAIN = utf8('lucid/poot/v1/chunk-sample')
const LEAF_PREFIX = Uint8Array.of(0x00)

/** The pieces of the leaf message of a chunk of `chunkBytes` bytes that `seed` samples, in answer order. */
export function sampledPieces (seed: SampleSeed, chunkBytes: number): number[] {
  const n = pieceCount(chunkBytes + 1)
  return Array.from({ length: SAMPLES_PER_ANSWER }, (_, j) => uint48(sha256(concatBytes(DOMAIN, u64(seed.slot), u32(seed.index), u64(seed.sample), u32(j))), 0) % n)
}

/**
 * The samples of `chunk` that `seed` asks for, made a slice at a time: `step(n)` hashes n more 1 KiB pieces (a node
 * yields to its event loop in between) and is true once `samples()` can be called.
 */
export function chunkSampler (seed: SampleSeed, chunk: Uint8Array): { step: (pieces: number) => boolean, samples: () => ChunkSample[] } {
  const prover = new PieceProver(concatBytes(LEAF_PREFIX, chunk))
  return { step: (pieces) => prover.step(pieces), samples: () => prover.prove(sampledPieces(seed, chunk.length)) }
}

/** The samples of `chunk` that `seed` asks for (one pass over the chunk). */
export function sampleChunk (seed: SampleSeed, chunk: Uint8Array): ChunkSample[] {
  const sampler = chunkSampler(seed, chunk)
  sampler.step(Infinity)
  return sampler.samples()
}

/**
 * The chunk's Merkle leaf the samples prove (BLAKE3 of 0x00 ‖ chunk), or null when they are not the pieces `seed`
 * asks for of a chunk of `chunkBytes` bytes or do not lead to one and the same leaf.
 */
export function leafFromSamples (seed: SampleSeed, chunkBytes: number, samples: readonly ChunkSample[]): Uint8Array | null {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 0 || samples.length !== SAMPLES_PER_ANSWER) return null
  const pieces = sampledPieces(seed, chunkBytes)
  let leaf: Uint8Array | null = null
  for (let j = 0; j < samples.length; j++) {
    const root = rootFromPiece(chunkBytes + 1, pieces[j], samples[j].piece, samples[j].siblings)
    if (root === null || (leaf !== null && !equalBytes(root, leaf))) return null
    leaf = root
  }
  return leaf
}
