// The payout system write scales with the holder set: with the 30M gas of an ordinary system call it reverted past
// about 1,400 new holders (the epoch left unwritten, its new holders unrecorded, on every node alike); with
// PAYOUT_WRITE_GAS a write of 4,000 new holders and entries records every holder, and the next one appends more.
import { strict as assert } from 'node:assert'
import { PAYOUT_WRITE_GAS, SYSTEM_CALL_GAS } from '../../../node/src/chain/index.js'
import { devGenesis } from './support.js'
import { recordEntitlementsData, runSystemWrite, scratchVm, storedHolders, syntheticHolders } from './payout-write-size.js'

describe('chain: payout system write size', function () {
  this.timeout(120_000)

  it('4,000 new holders: out of gas at 30M, written in full with PAYOUT_WRITE_GAS; a second write appends', async () => {
    const g = await devGenesis()
    const holders = syntheticHolders(4000)
    const old = await scratchVm(g)
    const capped = await runSystemWrite(old, g, recordEntitlementsData(1, holders), SYSTEM_CALL_GAS)
    assert.equal(capped.error, 'out of gas')
    assert.deepEqual(await storedHolders(old, g), [], 'a reverted write records nothing')

    const vm = await scratchVm(g)
    const ok = await runSystemWrite(vm, g, recordEntitlementsData(1, holders), PAYOUT_WRITE_GAS)
    assert.equal(ok.error, undefined)
    assert.ok(ok.gasUsed > SYSTEM_CALL_GAS, `used ${ok.gasUsed}`)
    assert.deepEqual(await storedHolders(vm, g), holders)
    const more = syntheticHolders(500, 1)
    assert.equal((await runSystemWrite(vm, g, recordEntitlementsData(2, more), PAYOUT_WRITE_GAS)).error, undefined)
    assert.deepEqual(await storedHolders(vm, g), [...holders, ...more])
    // written once per epoch, whatever the gas
    assert.equal((await runSystemWrite(vm, g, recordEntitlementsData(2, []), PAYOUT_WRITE_GAS)).error, 'revert')
  })
})
