/**
 * One chunk blob (format version 1):
 *   version u8 (=1) ‖ flags u8 (bit 0: zstd) ‖ nonce (24) ‖ XChaCha20-Poly1305(chunkKey, nonce, body, aad) ‖ tag (16)
 *   aad = "lucid/chunk-aad/v1" ‖ sessionId (16) ‖ index (u32 BE) ‖ version u8 ‖ flags u8
 * body is the zstd frame of the plaintext, or the plaintext itself when it does not compress (flags bit 0 clear).
 * The AAD binds the blob to its session and position, so a blob replayed elsewhere fails authentication.
 */
import { zstdCompressSync, zstdDecompressSync, constants as zlibConstants } from 'node:zlib'
import { BLOB_HEADER_BYTES, CHUNK_AAD_PREFIX, FLAG_ZSTD, FORMAT_VERSION, KIB, NONCE_BYTES, TAG_BYTES, ZSTD_LEVEL } from './constants.js'
import { concatBytes, u32be, utf8 } from './bytes.js'
import { SessionError } from './errors.js'
import { xchachaOpen, xchachaSeal } from './xchacha20poly1305.js'

const AAD_PREFIX = utf8(CHUNK_AAD_PREFIX)
const SAMPLE_BYTES = 16 * KIB
const SAMPLES = 4
/** Samples that zstd cannot shrink below this fraction mark the chunk as incompressible (media, encrypted data). */
const INCOMPRESSIBLE_RATIO = 0.97

export function chunkAad (sessionId: Uint8Array, index: number, flags: number): Uint8Array {
  return concatBytes(AAD_PREFIX, sessionId, u32be(index), Uint8Array.of(FORMAT_VERSION, flags))
}

function zstd (data: Uint8Array): Buffer {
  return zstdCompressSync(data, { params: { [zlibConstants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } })
}

/**
 * zstd level 3, unless four 16 KiB samples spread over the chunk (at 1/8, 3/8, 5/8, 7/8) show it will not compress:
 * trying the whole chunk would cost as much as the encryption and hashing together for no gain. Spreading the
 * samples keeps a chunk that mixes video with text events from being judged by its video alone.
 */
export function compressChunk (plaintext: Uint8Array): { body: Uint8Array, flags: number } {
  if (plaintext.length >= 4 * SAMPLES * SAMPLE_BYTES) {
    let packed = 0
    for (let s = 0; s < SAMPLES; s++) {
      const start = Math.floor(plaintext.length * (2 * s + 1) / (2 * SAMPLES))
      packed += zstd(plaintext.subarray(start, start + SAMPLE_BYTES)).length
    }
    if (packed > SAMPLES * SAMPLE_BYTES * INCOMPRESSIBLE_RATIO) return { body: plaintext, flags: 0 }
  }
  const packed = zstd(plaintext)
  return packed.length < plaintext.length ? { body: packed, flags: FLAG_ZSTD } : { body: plaintext, flags: 0 }
}

export interface SealChunkInput {
  chunkKey: Uint8Array
  sessionId: Uint8Array
  index: number
  plaintext: Uint8Array
  /** 24 fresh random bytes, injected. */
  nonce: Uint8Array
}

/** The largest blob a plaintext of `length` bytes can seal to (stored uncompressed). */
export function maxBlobSize (length: number): number {
  return BLOB_HEADER_BYTES + length + TAG_BYTES
}

/** Seals into `out` when it is large enough (a recycled buffer; the result is a view of it), else into a new array. */
export function sealChunk ({ chunkKey, sessionId, index, plaintext, nonce }: SealChunkInput, out?: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new SessionError('bad-input', `chunk nonce must be ${NONCE_BYTES} bytes`)
  const { body, flags } = compressChunk(plaintext)
  const size = BLOB_HEADER_BYTES + body.length + TAG_BYTES
  const blob = out !== undefined && out.length >= size ? out.subarray(0, size) : new Uint8Array(size)
  blob[0] = FORMAT_VERSION
  blob[1] = flags
  blob.set(nonce, 2)
  xchachaSeal(chunkKey, nonce, body, chunkAad(sessionId, index, flags), blob, BLOB_HEADER_BYTES)
  return blob
}

export interface OpenChunkInput {
  chunkKey: Uint8Array
  sessionId: Uint8Array
  index: number
  blob: Uint8Array
  /** The exact plaintext length this chunk must have (from the manifest). */
  plaintextLength: number
}

export function openChunk ({ chunkKey, sessionId, index, blob, plaintextLength }: OpenChunkInput): Uint8Array {
  if (blob.length < BLOB_HEADER_BYTES + TAG_BYTES) throw new SessionError('bad-blob', `chunk ${index}: blob is ${blob.length} bytes, shorter than header and tag`, index)
  if (blob[0] !== FORMAT_VERSION) throw new SessionError('bad-blob', `chunk ${index}: blob format version ${blob[0]} is not ${FORMAT_VERSION}`, index)
  const flags = blob[1]
  if ((flags & ~FLAG_ZSTD) !== 0) throw new SessionError('bad-blob', `chunk ${index}: unknown blob flags 0x${flags.toString(16)}`, index)
  const nonce = blob.subarray(2, BLOB_HEADER_BYTES)
  const body = xchachaOpen(chunkKey, nonce, blob.subarray(BLOB_HEADER_BYTES), chunkAad(sessionId, index, flags))
  if (body === undefined) {
    throw new SessionError('decrypt-failed', `chunk ${index}: authentication failed (wrong key, or the blob belongs to another session or position, or was altered)`, index)
  }
  let plaintext: Uint8Array = body
  if ((flags & FLAG_ZSTD) !== 0) {
    try {
      // The bound stops a decompression bomb: a chunk never expands past its manifest length.
      plaintext = zstdDecompressSync(body, { maxOutputLength: Math.max(1, plaintextLength) })
    } catch (err) {
      throw new SessionError('decompress-failed', `chunk ${index}: zstd frame does not decompress to at most ${plaintextLength} bytes (${(err as Error).message})`, index)
    }
  }
  if (plaintext.length !== plaintextLength) {
    throw new SessionError('size-mismatch', `chunk ${index}: plaintext is ${plaintext.length} bytes, the manifest says ${plaintextLength}`, index)
  }
  return plaintext
}
