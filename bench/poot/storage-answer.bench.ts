/**
 * Storage answers by sampled pieces (protocols/poot chunk-samples.ts): making an answer for an 8 MiB chunk (one
 * TypeScript pass through BLAKE3's tree) against the baseline of hashing the same chunk with the project's native
 * BLAKE3 (what the whole-chunk answer cost a verifier), checking an answer, and the answer's size against the chunk's.
 */
import { randomBytes } from 'node:crypto'
import { leafFromSamples, sampleChunk } from '../../protocols/poot/chunk-samples.js'
import { blake3 } from '../../protocols/poot/hash.js'
import { encodeProof } from '../../protocols/poot/proofs.js'
import { makeStorageProof } from '../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../protocols/poot/keys.js'

const CHUNK_BYTES = 8 * 1024 * 1024
const RUNS = 8
const chunk = new Uint8Array(randomBytes(CHUNK_BYTES))
const leaf = blake3(new Uint8Array([0]), chunk)

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function timeMs (fn: (i: number) => void, runs: number): number {
  fn(-1) // warm-up
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn(i)
    out.push(performance.now() - t0)
  }
  return median(out)
}

const seed = (i: number): { slot: number, index: number, sample: number } => ({ slot: 100, index: 0, sample: 1_000 + i })
const prove = timeMs((i) => { sampleChunk(seed(i), chunk) }, RUNS)
const native = timeMs(() => { blake3(new Uint8Array([0]), chunk) }, RUNS)
const samples = sampleChunk(seed(0), chunk)
const verifyUs = timeMs(() => {
  const got = leafFromSamples(seed(0), CHUNK_BYTES, samples)
  if (got === null || Buffer.compare(got, leaf) !== 0) throw new Error('the samples do not prove the chunk\'s leaf')
}, 200) * 1000
const answer = makeStorageProof(nodeKeyFromSeed(new Uint8Array(32).fill(1)), { slot: 100, index: 0, sessionId: '6f1c0a4e-0000-4000-8000-0000000000aa', chunkIndex: 0, sample: 1_000 }, chunk, Array.from({ length: 12 }, () => new Uint8Array(32)))

process.stdout.write(JSON.stringify({
  bench: 'poot-storage-answer',
  chunkBytes: CHUNK_BYTES,
  proveMs: Number(prove.toFixed(1)),
  proveMBps: Math.round(CHUNK_BYTES / 1e6 / (prove / 1000)),
  baseline: 'native BLAKE3 of the same chunk (the project\'s hash, what checking a whole-chunk answer cost)',
  baselineMs: Number(native.toFixed(2)),
  ratio: Number((prove / native).toFixed(1)),
  verifyUs: Math.round(verifyUs),
  answerBytes: encodeProof(answer).length,
  wholeChunkAnswerBytes: CHUNK_BYTES + 1_000
}) + '\n')
