// The replay's light reading of a stored block (node/src/chain stored-block.ts) gives what ethereumjs' Block gives:
// the hash and the parent, number and state root, for any header (property); malformed bytes are refused by name.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { RLP } from '@ethereumjs/rlp'
import { createBlock } from '@ethereumjs/block'
import { Common, Mainnet } from '@ethereumjs/common'
import { bytesToHex } from '@ethereumjs/util'
import { storedBlockRef } from '../../../node/src/chain/stored-block.js'

const common = new Common({ chain: Mainnet, hardfork: 'cancun' })
const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('chain: a stored block read for the replay', () => {
  it('has the hash and header fields ethereumjs decodes (property)', () => {
    fc.assert(fc.property(b32, b32, fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.uint8Array({ maxLength: 32 }), (parentHash, stateRoot, number, timestamp, extraData) => {
      const block = createBlock({ header: { parentHash, stateRoot, number, timestamp, extraData, gasLimit: 30_000_000n, baseFeePerGas: 7n } }, { common })
      const ref = storedBlockRef(block.serialize())
      assert.equal(bytesToHex(ref.hash()), bytesToHex(block.hash()))
      assert.equal(bytesToHex(ref.header.parentHash), bytesToHex(block.header.parentHash))
      assert.equal(ref.header.number, block.header.number)
      assert.equal(bytesToHex(ref.header.stateRoot), bytesToHex(block.header.stateRoot))
    }), { numRuns: 60 })
  })

  it('refuses what is not a block', () => {
    for (const bad of [RLP.encode(new Uint8Array([1, 2])), RLP.encode([]), RLP.encode([[new Uint8Array(32)]]), RLP.encode([[[new Uint8Array(1)], ...Array(9).fill(new Uint8Array(0))]])]) {
      assert.throws(() => storedBlockRef(bad), /stored block: not an RLP block with a header list/)
    }
  })
})
