/**
 * The rollover list PayoutBatches keeps only as a hash: encoded as the contract hashes it (accounts ascending), and
 * read back from the node's store by that hash, refused with the reason when missing, damaged or of another length.
 */
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import fc from 'fast-check'
import { encodeRollover, storedRollover, type PayoutReads } from '../../../node/src/chain/payout-system.js'

const reads = (kept: Map<string, Uint8Array>): PayoutReads => ({
  call: async () => { throw new Error('not used') },
  state: undefined as unknown as PayoutReads['state'],
  rollover: async (hash) => kept.get(hash),
  storedHolders: async () => { throw new Error('not used') }
})

describe('chain: the rollover list kept by its hash', () => {
  it('property: encoded as abi.encode(accounts ascending, amounts), read back whole by its hash', async () => {
    const entry = fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.hexlify(b)), fc.bigInt({ min: 1n, max: 2n ** 96n }))
    await fc.assert(fc.asyncProperty(fc.array(entry, { maxLength: 30 }), async (list) => {
      const rollover = new Map(list)
      const r = encodeRollover(rollover)
      assert.deepEqual(r.accounts, [...rollover.keys()].sort())
      assert.equal(r.hash, ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['address[]', 'uint256[]'], [r.accounts, r.amounts])))
      const back = await storedRollover(reads(new Map([[r.hash, r.encoded]])), r.hash, BigInt(rollover.size))
      assert.deepEqual(back, new Map([...rollover].map(([a, v]) => [a.toLowerCase(), v])))
    }))
  })

  it('none to read when the contract counts none; a missing, damaged or other-length list is refused with the reason', async () => {
    const r = encodeRollover(new Map([['0x' + '11'.repeat(20), 5n], ['0x' + '22'.repeat(20), 7n]]))
    assert.deepEqual(await storedRollover(reads(new Map()), ethers.ZeroHash, 0n), new Map())
    await assert.rejects(storedRollover(reads(new Map()), r.hash, 2n), /rollover list 0x[0-9a-f]{64} of the last payout write is not kept in this store/)
    const damaged = Uint8Array.from(r.encoded)
    damaged[damaged.length - 1] ^= 1
    await assert.rejects(storedRollover(reads(new Map([[r.hash, damaged]])), r.hash, 2n), /does not hash to it/)
    await assert.rejects(storedRollover(reads(new Map([[r.hash, r.encoded]])), r.hash, 3n), /has 2 entries, PayoutBatches counts 3/)
  })
})
