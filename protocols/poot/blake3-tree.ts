/**
 * BLAKE3's own Merkle tree, opened up so that one 1 KiB piece of a message can be proven against the message's
 * BLAKE3 hash without the rest of it (as Bao does). BLAKE3 splits a message into 1,024-byte chunks, hashes each
 * into a chaining value (CV) with its chunk counter, and joins CVs pairwise in a binary tree whose left subtree
 * always holds the largest power of two of chunks less than the total; the root node is compressed with the ROOT
 * flag and its first 32 bytes are the hash. A piece's proof is the sibling CV at each level from the root down.
 * The tree's shape follows from the message length alone, and a wrong length changes the chunk flags, counters and
 * shape, so the root does not come out.
 *
 * Pure TypeScript (the compression function as specified), checked against the official BLAKE3 test vectors and
 * the project's BLAKE3 in test/unit/poot/blake3-tree.test.ts. Used for storage answers (chunk-samples.ts): proving is
 * one pass over the message, verifying is a few dozen compressions.
 */
export const PIECE_BYTES = 1024
const BLOCK_BYTES = 64
const CHUNK_START = 1
const CHUNK_END = 2
const PARENT = 4
const ROOT = 8
const IV = Uint32Array.of(0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
// the message word read by each (round, position), precomputed from the permutation
const SCHEDULE: number[][] = (() => {
  const rounds: number[][] = [Array.from({ length: 16 }, (_, i) => i)]
  for (let r = 1; r < 7; r++) rounds.push(PERMUTATION.map((p) => rounds[r - 1][p]))
  return rounds
})()

// one message block, reused by every compression (the module is synchronous, so nothing interleaves)
const M = new Uint32Array(16)
const SCHEDULE_FLAT = Uint8Array.from(SCHEDULE.flat())

/** Compresses the block in M into `cv` in place (the output chaining value: the state's first 8 words XORed with the last 8). */
function compress (cv: Uint32Array, counter: number, blockLen: number, flags: number): void {
  // the state in locals, the quarter-rounds (G) written out: several times faster than through an array
  let v0 = cv[0] | 0; let v1 = cv[1] | 0; let v2 = cv[2] | 0; let v3 = cv[3] | 0
  let v4 = cv[4] | 0; let v5 = cv[5] | 0; let v6 = cv[6] | 0; let v7 = cv[7] | 0
  let v8 = IV[0] | 0; let v9 = IV[1] | 0; let v10 = IV[2] | 0; let v11 = IV[3] | 0
  let v12 = counter | 0; let v13 = Math.floor(counter / 0x1_0000_0000) | 0; let v14 = blockLen | 0; let v15 = flags | 0
  const m = M
  const s = SCHEDULE_FLAT
  for (let r = 0; r < 112; r += 16) {
    v0 = (v0 + v4 + m[s[r]]) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16); v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20)
    v0 = (v0 + v4 + m[s[r + 1]]) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24); v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25)
    v1 = (v1 + v5 + m[s[r + 2]]) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16); v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20)
    v1 = (v1 + v5 + m[s[r + 3]]) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24); v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25)
    v2 = (v2 + v6 + m[s[r + 4]]) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16); v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20)
    v2 = (v2 + v6 + m[s[r + 5]]) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24); v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25)
    v3 = (v3 + v7 + m[s[r + 6]]) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16); v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20)
    v3 = (v3 + v7 + m[s[r + 7]]) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24); v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25)
    v0 = (v0 + v5 + m[s[r + 8]]) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16); v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20)
    v0 = (v0 + v5 + m[s[r + 9]]) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24); v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25)
    v1 = (v1 + v6 + m[s[r + 10]]) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16); v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20)
    v1 = (v1 + v6 + m[s[r + 11]]) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24); v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25)
    v2 = (v2 + v7 + m[s[r + 12]]) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16); v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20)
    v2 = (v2 + v7 + m[s[r + 13]]) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24); v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25)
    v3 = (v3 + v4 + m[s[r + 14]]) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16); v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20)
    v3 = (v3 + v4 + m[s[r + 15]]) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24); v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25)
  }
  cv[0] = v0 ^ v8; cv[1] = v1 ^ v9; cv[2] = v2 ^ v10; cv[3] = v3 ^ v11
  cv[4] = v4 ^ v12; cv[5] = v5 ^ v13; cv[6] = v6 ^ v14; cv[7] = v7 ^ v15
}

/** Loads `len` ≤ 64 bytes of `bytes` from `from` into M as little-endian words, zero-padded. */
function load (bytes: Uint8Array, from: number, len: number): void {
  const m = M
  if (len === BLOCK_BYTES) {
    for (let i = 0, j = from; i < 16; i++, j += 4) m[i] = bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16) | (bytes[j + 3] << 24)
    return
  }
  m.fill(0)
  for (let i = 0; i < len; i++) m[i >> 2] |= bytes[from + i] << ((i & 3) * 8)
}

function toBytes (w: Uint32Array): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) { out[4 * i] = w[i]; out[4 * i + 1] = w[i] >>> 8; out[4 * i + 2] = w[i] >>> 16; out[4 * i + 3] = w[i] >>> 24 }
  return out
}

/** The CV of one chunk (≤ 1,024 bytes) at `counter`; with `root`, the message's hash output words instead. */
function chunkCV (piece: Uint8Array, counter: number, root: boolean): Uint32Array {
  const cv = IV.slice()
  const blocks = Math.max(1, Math.ceil(piece.length / BLOCK_BYTES))
  for (let b = 0; b < blocks; b++) {
    const len = Math.min(BLOCK_BYTES, piece.length - b * BLOCK_BYTES)
    load(piece, b * BLOCK_BYTES, len)
    compress(cv, counter, len, (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END | (root ? ROOT : 0) : 0))
  }
  return cv
}

function parentCV (left: Uint32Array, right: Uint32Array, root: boolean): Uint32Array {
  M.set(left, 0)
  M.set(right, 8)
  const cv = IV.slice()
  compress(cv, 0, BLOCK_BYTES, PARENT | (root ? ROOT : 0))
  return cv
}

/** The number of 1 KiB pieces (BLAKE3 chunks) of a message of `length` bytes (an empty message has one). */
export function pieceCount (length: number): number {
  return Math.max(1, Math.ceil(length / PIECE_BYTES))
}

/** Chunks in the left subtree of a subtree of `n` > 1 chunks: the largest power of two less than n. */
function leftChunks (n: number): number {
  let p = 1
  while (p * 2 < n) p *= 2
  return p
}

/** The CV of the subtree over chunks [start, start + n), from the chunks' CVs. */
function subtreeCV (cvs: readonly Uint32Array[], start: number, n: number, root: boolean): Uint32Array {
  if (n === 1) return cvs[start]
  const l = leftChunks(n)
  return parentCV(subtreeCV(cvs, start, l, false), subtreeCV(cvs, start + l, n - l, false), root)
}

/** BLAKE3-256 of `message`, computed through the tree (the reference the proofs are checked against). */
export function treeHash (message: Uint8Array): Uint8Array {
  const n = pieceCount(message.length)
  if (n === 1) return toBytes(chunkCV(message, 0, true))
  const prover = new PieceProver(message)
  prover.step(Infinity)
  return toBytes(subtreeCV(prover.chunkCVs, 0, n, true))
}

/** The sibling CVs from the root down to chunk `index` of a tree over `cvs`. */
function siblingsOf (cvs: readonly Uint32Array[], index: number): Uint8Array[] {
  const siblings: Uint8Array[] = []
  let start = 0
  let size = cvs.length
  while (size > 1) {
    const l = leftChunks(size)
    if (index < start + l) {
      siblings.push(toBytes(subtreeCV(cvs, start + l, size - l, false)))
      size = l
    } else {
      siblings.push(toBytes(subtreeCV(cvs, start, l, false)))
      start += l
      size -= l
    }
  }
  return siblings
}

/**
 * Proves pieces of a message, hashing its chunks a slice at a time so that a caller on an event loop can yield
 * between slices (`step`); `prove` once `step` has returned true.
 */
export class PieceProver {
  private readonly cvs: Uint32Array[] = []
  private readonly n: number

  constructor (private readonly message: Uint8Array) {
    this.n = pieceCount(message.length)
  }

  /** The chunks' chaining values hashed so far (not a root's: a one-chunk message's root is its chunk with ROOT). */
  get chunkCVs (): readonly Uint32Array[] { return this.cvs }

  /** Hashes up to `chunks` more 1 KiB chunks; true once every chunk is hashed. */
  step (chunks: number): boolean {
    const m = this.message
    const end = Math.min(this.n, this.cvs.length + chunks)
    for (let i = this.cvs.length; i < end; i++) this.cvs.push(chunkCV(m.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES), i, false))
    return this.cvs.length === this.n
  }

  /** Pieces `indexes` and their proofs (the sibling CVs from the root down). */
  prove (indexes: readonly number[]): Array<{ piece: Uint8Array, siblings: Uint8Array[] }> {
    if (this.cvs.length < this.n) throw new Error(`${this.n - this.cvs.length} chunks not hashed yet`)
    for (const i of indexes) if (!Number.isSafeInteger(i) || i < 0 || i >= this.n) throw new RangeError(`piece ${i} of ${this.n}`)
    return indexes.map((i) => ({ piece: this.message.slice(i * PIECE_BYTES, (i + 1) * PIECE_BYTES), siblings: this.n === 1 ? [] : siblingsOf(this.cvs, i) }))
  }
}

/** Pieces `indexes` of `message` and their proofs, in one pass over the message. */
export function provePieces (message: Uint8Array, indexes: readonly number[]): Array<{ piece: Uint8Array, siblings: Uint8Array[] }> {
  const prover = new PieceProver(message)
  prover.step(Infinity)
  return prover.prove(indexes)
}

/** Piece `index` of `message` and its proof. */
export function provePiece (message: Uint8Array, index: number): { piece: Uint8Array, siblings: Uint8Array[] } {
  return provePieces(message, [index])[0]
}

function fromBytes (b: Uint8Array): Uint32Array {
  const w = new Uint32Array(8)
  for (let i = 0; i < 8; i++) w[i] = (b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (b[4 * i + 3] << 24)) >>> 0
  return w
}

/**
 * The BLAKE3 hash of a message of `length` bytes whose piece `index` is `piece` with proof `siblings`, or null when
 * the piece's size or the number of siblings does not fit that length. Compare the result with the known hash.
 */
export function rootFromPiece (length: number, index: number, piece: Uint8Array, siblings: readonly Uint8Array[]): Uint8Array | null {
  const n = pieceCount(length)
  if (!Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(index) || index < 0 || index >= n) return null
  if (piece.length !== Math.min(PIECE_BYTES, length - index * PIECE_BYTES)) return null
  // the path's shape, root down: at each level whether the piece is in the left subtree
  const leftAt: boolean[] = []
  let start = 0
  let size = n
  while (size > 1) {
    const l = leftChunks(size)
    const left = index < start + l
    leftAt.push(left)
    if (left) size = l
    else { start += l; size -= l }
  }
  if (siblings.length !== leftAt.length || siblings.some((s) => s.length !== 32)) return null
  let cv = chunkCV(piece, index, n === 1)
  for (let d = leftAt.length - 1; d >= 0; d--) {
    const sibling = fromBytes(siblings[d])
    cv = leftAt[d] ? parentCV(cv, sibling, d === 0) : parentCV(sibling, cv, d === 0)
  }
  return toBytes(cv)
}
