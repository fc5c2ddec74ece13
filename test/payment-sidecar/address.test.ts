// TRON address format against fixed vectors: private key → T… address, hex ↔ base58check.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { base58CheckDecode, base58ToHex, fromEvmAddress, hexToBase58, isTronAddress, privateKeyToTronAddress, toEvmAddress } from '../../payment-sidecar/src/tron/address.js'

// Vectors: TRON's documentation (TPL66…), mainnet USDT-TRC20 and the zero ("black hole") address; all equal to
// what tronweb 6.5.1 computes. Key 1's address is Ethereum's well-known 0x7e5f…95bdf with 0x41.
const KEYS: Array<[string, string, string]> = [
  ['da146374a75310b9666e834ee4ad0866d6f4035967bfc76217c5a495fff9f0d0', 'TPL66VK2gCXNCD7EJg9pgJRfqcRazjhUZY', '41928c9af0651632157ef27a2cf17ca72c575a4d21'],
  ['0000000000000000000000000000000000000000000000000000000000000001', 'TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC', '417e5f4552091a69125d5dfcb7b8c2659029395bdf'],
  ['fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140', 'TMhzXhj5o7aG14eMHn2htGe7ek39hiriPN', '4180c0dbf239224071c59dd8970ab9d542e3414ab2'],
  ['4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', '412c7536e3605d9c16a7a3d7b1898e529396a65c23']
]
const HEX: Array<[string, string]> = [
  ['41a614f803b6fd780986a42c78ec9c7f77e6ded13c', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'],
  ['410000000000000000000000000000000000000000', 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb']
]

describe('payment sidecar: TRON addresses', () => {
  it('private key → T… address (fixed vectors)', () => {
    for (const [key, base58, hex] of KEYS) {
      assert.equal(privateKeyToTronAddress(key), base58)
      assert.equal(privateKeyToTronAddress('0x' + key), base58)
      assert.equal(base58ToHex(base58), hex)
    }
  })

  it('hex ↔ base58check (fixed vectors)', () => {
    for (const [hex, base58] of [...HEX, ...KEYS.map(([, b, h]) => [h, b] as [string, string])]) {
      assert.equal(hexToBase58(hex), base58)
      assert.equal(hexToBase58('0x' + hex.toUpperCase()), base58)
      assert.equal(base58ToHex(base58), hex)
      assert.equal(toEvmAddress(base58), '0x' + hex.slice(2))
      assert.equal(fromEvmAddress('0x' + hex.slice(2)), base58)
    }
  })

  it('round-trips any 20-byte account (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
      const hex = '41' + Buffer.from(bytes).toString('hex')
      const b58 = hexToBase58(hex)
      return b58.startsWith('T') && b58.length === 34 && base58ToHex(b58) === hex
    }), { numRuns: 300 })
  })

  it('refuses bad checksums, wrong prefixes, wrong lengths and non-base58 characters, naming the problem', () => {
    const good = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
    const flipped = good.slice(0, 10) + (good[10] === 'a' ? 'b' : 'a') + good.slice(11)
    assert.throws(() => base58ToHex(flipped), /checksum/)
    assert.throws(() => base58ToHex('T0' + good.slice(2)), /not base58: character '0'/)
    assert.throws(() => hexToBase58('42a614f803b6fd780986a42c78ec9c7f77e6ded13c'), /not a TRON hex address/)
    assert.throws(() => hexToBase58('41a614f8'), /not a TRON hex address/)
    // a valid base58check string of an Ethereum-style 20-byte payload is not a TRON address
    assert.throws(() => base58ToHex('1111111111111111111114oLvT2'), /21 bytes starting 0x41|checksum/)
    assert.equal(isTronAddress(good), true)
    assert.equal(isTronAddress(flipped), false)
    assert.equal(base58CheckDecode(good).length, 21)
  })
})
