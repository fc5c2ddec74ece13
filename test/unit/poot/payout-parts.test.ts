// A payout batch too large for one transaction is committed in parts (protocols/poot/payout-commitment.ts): the
// parts join back to exactly the batch, each fits the limit, and the split depends only on the entries.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { ethers } from 'ethers'
import { encodeBatchPayload, joinBatchPayloads, publishedParts, splitBatchPayload, type CommittedEntry, type RouterApproval } from '../../../protocols/poot/payout-commitment.js'

const entryArb = (index: number): fc.Arbitrary<CommittedEntry> => fc.record({
  address: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.hexlify(b)),
  netUsd: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  kyc: fc.option(fc.integer({ min: 0, max: 97 }).map((n) => ({ kycHash: ethers.ZeroHash.replace(/0$/, '1'), expiry: 2_000_000_000n, signature: ethers.hexlify(new Uint8Array(n).fill(7)) })), { nil: undefined })
}).map(({ address, netUsd, kyc }) => ({ index, address, route: kyc === undefined ? 'v0' : 'kyc', grossUsd: netUsd + 5n, networkFeeUsd: 5n, platformFeeUsd: 0n, netUsd, ...(kyc === undefined ? {} : { kyc }) }))

const batchArb = fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => entryArb(i))))
const approvals: RouterApproval[] = [{ route: 'v0', root: ethers.id('v0'), total: 9n, deadline: 2_000_000_000n, signatures: [ethers.hexlify(new Uint8Array(65).fill(1)), ethers.hexlify(new Uint8Array(65).fill(2))] }]

describe('poot: payout batches in parts', () => {
  it('joins back to the batch, every piece within the limit, and splits only when it must', () => {
    fc.assert(fc.property(batchArb, fc.integer({ min: 1_200, max: 6_000 }), (entries, maxBytes) => {
      const whole = encodeBatchPayload(entries, approvals)
      const split = splitBatchPayload(entries, approvals, maxBytes)
      if ('whole' in split) {
        assert.equal(split.whole, whole)
        assert.ok(ethers.dataLength(whole) <= maxBytes)
        return
      }
      assert.ok(ethers.dataLength(whole) > maxBytes)
      const pieces = [split.head, ...split.parts]
      for (const p of pieces) assert.ok(ethers.dataLength(p) <= maxBytes, `${ethers.dataLength(p)} > ${maxBytes}`)
      assert.ok(split.parts.length >= 1)
      assert.deepEqual(joinBatchPayloads(pieces), joinBatchPayloads([whole]))
      // tight: no part could have taken the next part's first entry
      for (let i = 0; i + 1 < split.parts.length; i++) {
        const here = joinBatchPayloads([split.parts[i]]).entries
        const next = joinBatchPayloads([split.parts[i + 1]]).entries[0]
        assert.ok(ethers.dataLength(encodeBatchPayload([...here, next], [])) > maxBytes)
      }
      // the split depends on the entries only: other approvals change the head, not the parts
      const again = splitBatchPayload(entries, [{ ...approvals[0], deadline: 1n }], maxBytes)
      assert.ok(!('whole' in again) && again.parts.length === split.parts.length && again.parts.every((p, i) => p === split.parts[i]))
    }), { numRuns: 60 })
  })

  it('refuses an entry that alone exceeds the limit, and names a bad piece', () => {
    const big: CommittedEntry = { index: 1, address: ethers.ZeroAddress, route: 'kyc', grossUsd: 1n, networkFeeUsd: 0n, platformFeeUsd: 0n, netUsd: 1n, kyc: { kycHash: ethers.ZeroHash, expiry: 1n, signature: ethers.hexlify(new Uint8Array(2_000)) } }
    const small = { ...big, index: 0, kyc: undefined, route: 'v0' as const }
    assert.throws(() => splitBatchPayload([small, big], approvals, 1_500), /entry 1 alone encodes to more than 1500 bytes/)
    assert.throws(() => joinBatchPayloads([encodeBatchPayload([], approvals), '0x1234']), /^Error: part 0: batch payload is not ABI-encoded/)
  })

  it('reads which parts a partsOf bitmap marks published, of the batch\'s parts only', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 256 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 })))), ([n, set]) => {
      const bits = set.reduce((b, i) => b | (1n << BigInt(i)), 0n)
      assert.deepEqual(publishedParts(bits | (1n << BigInt(n)), n), new Set(set))
    }))
  })
})
