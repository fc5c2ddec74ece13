// The payout system writes kept with a block (node/src/chain entitlements-record.ts) read back exactly, for any
// entries and rollover (property); bytes that are not such records are refused with what is wrong.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { ethers } from 'ethers'
import { decodeEntitlementsRecords, encodeEntitlementsRecords, type EntitlementsRecord } from '../../../node/src/chain/entitlements-record.js'
import type { PayoutEntry } from '../../../protocols/poot/index.js'

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.hexlify(b))
const usd = fc.bigInt({ min: 0n, max: 2n ** 128n })
const entry: fc.Arbitrary<PayoutEntry> = fc.record({
  index: fc.nat({ max: 2 ** 32 - 1 }), address, route: fc.constantFrom('kyc' as const, 'v0' as const), grossUsd: usd, networkFeeUsd: usd, platformFeeUsd: usd, netUsd: usd
}).map((e) => ({ ...e })) // fast-check's records have no prototype
const record: fc.Arbitrary<EntitlementsRecord> = fc.record({
  epoch: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  root: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b)),
  entries: fc.array(entry, { maxLength: 12 }),
  distributedUsd: usd,
  rollover: fc.uniqueArray(fc.tuple(address, usd), { selector: ([a]) => a, maxLength: 6 }).map((xs) => new Map(xs))
}).map((r) => ({ ...r }))

describe('chain: entitlements records kept with a block', () => {
  it('round-trip exactly (property)', () => {
    fc.assert(fc.property(fc.array(record, { maxLength: 4 }), (records) => {
      assert.deepEqual(decodeEntitlementsRecords(encodeEntitlementsRecords(records)), records)
    }), { numRuns: 150 })
  })

  it('refuse what is not a record, naming the problem', () => {
    const one: EntitlementsRecord = { epoch: 3, root: '0x' + '11'.repeat(32), entries: [{ index: 0, address: '0x' + 'ab'.repeat(20), route: 'kyc', grossUsd: 5n, networkFeeUsd: 1n, platformFeeUsd: 0n, netUsd: 4n }], distributedUsd: 5n, rollover: new Map() }
    const good = encodeEntitlementsRecords([one])
    assert.throws(() => decodeEntitlementsRecords(good.subarray(0, good.length - 40)), /not ABI-encoded/)
    assert.throws(() => decodeEntitlementsRecords(new Uint8Array([1, 2, 3])), /not ABI-encoded/)
    // an entry whose route code is neither V0 nor KYC
    const coder = ethers.AbiCoder.defaultAbiCoder()
    const entries = coder.encode(['tuple(uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd, uint256 netUsd)[]'], [[[0, one.entries[0].address, 7, 5n, 1n, 0n, 4n]]])
    const bad = coder.encode(['tuple(uint64 epoch, bytes32 root, bytes entries, uint256 distributedUsd, address[] rolloverTo, uint256[] rolloverUsd)[]'], [[[3, one.root, entries, 5n, [], []]]])
    assert.throws(() => decodeEntitlementsRecords(ethers.getBytes(bad)), /epoch 3: entry 0 has an unknown route/)
    const uneven = coder.encode(['tuple(uint64 epoch, bytes32 root, bytes entries, uint256 distributedUsd, address[] rolloverTo, uint256[] rolloverUsd)[]'], [[[3, one.root, '0x', 5n, [one.entries[0].address], []]]])
    assert.throws(() => decodeEntitlementsRecords(ethers.getBytes(uneven)), /epoch 3: 1 rollover addresses, 0 amounts/)
  })
})
