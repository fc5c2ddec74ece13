/**
 * Native secp256k1 recovery and keccak-256 for ethereumjs, when their prebuilt binaries load (linux-x64 here);
 * otherwise undefined and ethereumjs keeps its pure-JS defaults (the arm64 reference machine). About 2× the
 * transaction throughput (docs/chain.md).
 */
import { createRequire } from 'node:module'
import type { CustomCrypto } from '@ethereumjs/common'
import { calculateSigRecovery, concatBytes, setLengthLeft } from '@ethereumjs/util'

interface NativeSecp { ecdsaRecover: (sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean) => Uint8Array }
type KeccakFactory = (alg: string) => { update: (b: Buffer) => { digest: () => Buffer } }

let loaded: CustomCrypto | null | undefined

export function nativeCrypto (): CustomCrypto | undefined {
  if (loaded === undefined) loaded = load()
  return loaded ?? undefined
}

function load (): CustomCrypto | null {
  if (process.env.LUCID_PURE_JS_CRYPTO === '1') return null
  try {
    const require = createRequire(import.meta.url)
    const secp = require('secp256k1') as NativeSecp
    const keccak = require('keccak') as KeccakFactory
    // the pure-JS fallbacks of these packages would be slower than ethereumjs' own: insist on the native bindings
    const k = keccak('keccak256').update(Buffer.alloc(1)).digest()
    if (k.length !== 32) return null
    const keccak256 = (msg: Uint8Array): Uint8Array => new Uint8Array(keccak('keccak256').update(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength)).digest())
    const ecrecover = (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array => {
      const recid = Number(calculateSigRecovery(v, chainId))
      const sig = concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32))
      return secp.ecdsaRecover(sig, recid, msgHash, false).slice(1)
    }
    return { keccak256, ecrecover }
  } catch {
    return null
  }
}
