/**
 * BLAKE3 (plain hashing mode, 32-byte output). Native (@napi-rs/blake-hash, SIMD, ~7 GB/s here) where its prebuilt
 * binary loads; otherwise hash-wasm (~0.8 GB/s). Both pass the official test vectors (test/unit/session/vectors.test.ts).
 */
import { createRequire } from 'node:module'
import { createBLAKE3 } from 'hash-wasm'

export interface Blake3 {
  readonly name: string
  hash: (...parts: Uint8Array[]) => Uint8Array
}

function loadNative (): Blake3 | undefined {
  try {
    const require = createRequire(import.meta.url)
    const { Blake3Hasher } = require('@napi-rs/blake-hash') as typeof import('@napi-rs/blake-hash')
    return {
      name: 'native',
      hash (...parts) {
        const h = new Blake3Hasher()
        for (const p of parts) h.update(Buffer.from(p.buffer, p.byteOffset, p.byteLength))
        return new Uint8Array(h.digestBuffer())
      }
    }
  } catch {
    return undefined
  }
}

export const nativeBlake3: Blake3 | undefined = loadNative()
// The WASM instance (and its memory) exists only where it is the implementation in use, or when asked for.
let wasmHasher: Awaited<ReturnType<typeof createBLAKE3>> | undefined = nativeBlake3 === undefined ? await createBLAKE3() : undefined

/** Loads the WASM implementation (tests compare it with the native one). */
export async function loadWasmBlake3 (): Promise<Blake3> {
  wasmHasher ??= await createBLAKE3()
  return wasmBlake3
}

const wasmBlake3: Blake3 = {
  name: 'wasm',
  hash (...parts) {
    if (wasmHasher === undefined) throw new Error('call loadWasmBlake3() first')
    wasmHasher.init()
    for (const p of parts) wasmHasher.update(p)
    return wasmHasher.digest('binary')
  }
}

export const blake3: Blake3 = nativeBlake3 ?? wasmBlake3
