// The official vectors in ../shared/vectors, every case, through the project's own functions.
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nativeBlake3, loadWasmBlake3, type Blake3 } from '../../../protocols/session/blake3.js'
import { xchachaOpen, xchachaSeal } from '../../../protocols/session/xchacha20poly1305.js'
import { fromHex, toHex } from '../../../protocols/session/bytes.js'

const vectorsDir = fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url))
const blake3Vectors = JSON.parse(readFileSync(vectorsDir + 'blake3_test_vectors.json', 'utf8')) as { cases: Array<{ input_len: number, hash: string }> }
const wycheproof = JSON.parse(readFileSync(vectorsDir + 'wycheproof_xchacha20_poly1305_test.json', 'utf8')) as {
  numberOfTests: number
  testGroups: Array<{ tests: Array<{ tcId: number, key: string, iv: string, aad: string, msg: string, ct: string, tag: string, result: 'valid' | 'invalid', flags: string[] }> }>
}

// The BLAKE3 vectors' input: byte i is i mod 251.
function vectorInput (length: number): Uint8Array {
  const input = new Uint8Array(length)
  for (let i = 0; i < length; i++) input[i] = i % 251
  return input
}

const wasm = await loadWasmBlake3()

describe('official vectors', () => {
  const impls: Blake3[] = [wasm]
  if (nativeBlake3 !== undefined) impls.push(nativeBlake3)
  for (const impl of impls) {
    it(`BLAKE3 (${impl.name}): all ${blake3Vectors.cases.length} hash-mode cases, 32-byte output`, () => {
      for (const c of blake3Vectors.cases) {
        const input = vectorInput(c.input_len)
        assert.equal(toHex(impl.hash(input)), c.hash.slice(0, 64), `input_len ${c.input_len}`)
        // Fed in two parts, as the Merkle tree does (prefix byte, then blob).
        const cut = Math.min(1, input.length)
        assert.equal(toHex(impl.hash(input.subarray(0, cut), input.subarray(cut))), c.hash.slice(0, 64), `input_len ${c.input_len} in parts`)
      }
    })
  }

  it(`XChaCha20-Poly1305: every Wycheproof case (${wycheproof.numberOfTests}), valid and invalid`, () => {
    let valid = 0
    let invalid = 0
    for (const group of wycheproof.testGroups) {
      for (const t of group.tests) {
        const key = fromHex(t.key)
        const nonce = fromHex(t.iv)
        const aad = fromHex(t.aad)
        const sealed = fromHex(t.ct + t.tag)
        const label = `tcId ${t.tcId} (${t.flags.join(',')})`
        if (nonce.length !== 24) {
          assert.equal(t.result, 'invalid', label)
          assert.throws(() => xchachaSeal(key, nonce, fromHex(t.msg), aad), /nonce must be 24 bytes/, label)
          assert.throws(() => xchachaOpen(key, nonce, sealed, aad), /nonce must be 24 bytes/, label)
          invalid++
          continue
        }
        const opened = xchachaOpen(key, nonce, sealed, aad)
        if (t.result === 'valid') {
          assert.ok(opened !== undefined, `${label}: should authenticate`)
          assert.equal(toHex(opened), t.msg, label)
          assert.equal(toHex(xchachaSeal(key, nonce, fromHex(t.msg), aad)), t.ct + t.tag, label)
          valid++
        } else {
          assert.equal(opened, undefined, `${label}: must be rejected`)
          invalid++
        }
      }
    }
    assert.equal(valid + invalid, wycheproof.numberOfTests)
    assert.ok(valid > 0 && invalid > 0)
  })
})
