import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { getChain } from './support/chain.js'
import { as, deploy, eventsOf, mined, rejectsWith, wallets } from './support/contracts.js'
import { PARAMETERS } from './support/parameters.js'

const key = (name: string): string => ethers.encodeBytes32String(name)


describe('contracts: ParamRegistry', function () {
  let registry: ethers.Contract
  let governance: ethers.Signer
  let outsider: ethers.Signer
  const disbursers = wallets(3, 'registry').map((w) => w.address)

  beforeEach(async function () {
    const chain = await getChain()
    ;[, governance, outsider] = chain.accounts
    registry = await deploy('ParamRegistry', chain.accounts[0], await governance.getAddress(), disbursers)
  })

  it('holds the specified defaults, bounds and units, and nothing else', async function () {
    const keys = (await registry.keys() as string[]).map((k) => ethers.decodeBytes32String(k))
    assert.deepEqual(keys, PARAMETERS.map(([name]) => name))
    for (const [name, value, min, max, unit] of PARAMETERS) {
      assert.deepEqual([...await registry.parameter(key(name))], [value, min, max, BigInt(unit)], name)
      assert.equal(await registry.get(key(name)), value)
    }
    assert.equal(await registry.get(await registry.LEADER_TIMEOUT_MS()), 5000n)
    await rejectsWith(registry.get(key('no.such.key')), registry, 'UnknownKey')
  })

  it('sets a value only by governance, emitting ParameterSet', async function () {
    const k = key('leader.timeoutMs')
    await rejectsWith(as(registry, outsider).setParameter(k, 6000n), registry, 'NotGovernance', [await outsider.getAddress()])
    const r = await mined(as(registry, governance).setParameter(k, 6000n))
    assert.deepEqual([...eventsOf(r, registry, 'ParameterSet')[0]], [k, 5000n, 6000n])
    assert.equal(await registry.get(k), 6000n)
  })

  it('accepts the bounds themselves and refuses anything outside them; bounds never move', async function () {
    for (const [name, , min, max] of PARAMETERS) {
      if (name.startsWith('payout.maxPerTx') || name.startsWith('payout.dailyCap')) continue // cross-checked below
      const k = key(name)
      await rejectsWith(as(registry, governance).setParameter(k, max + 1n), registry, 'OutOfBounds', [k, max + 1n, min, max])
      if (min > 0n) await rejectsWith(as(registry, governance).setParameter(k, min - 1n), registry, 'OutOfBounds', [k, min - 1n, min, max])
      await mined(as(registry, governance).setParameter(k, min))
      await mined(as(registry, governance).setParameter(k, max))
      const [value, lo, hi] = await registry.parameter(k)
      assert.deepEqual([value, lo, hi], [max, min, max])
    }
  })

  it('keeps the slot duration fixed at 120 s', async function () {
    const k = key('slot.durationS')
    await rejectsWith(as(registry, governance).setParameter(k, 60n), registry, 'OutOfBounds')
    await rejectsWith(as(registry, governance).setParameter(k, 121n), registry, 'OutOfBounds')
  })

  it('refuses unknown keys and a per-transaction cap above the daily cap', async function () {
    await rejectsWith(as(registry, governance).setParameter(key('bogus'), 1n), registry, 'UnknownKey', [key('bogus')])
    const perTx = key('payout.maxPerTxUsd6')
    const daily = key('payout.dailyCapUsd6')
    await rejectsWith(as(registry, governance).setParameter(perTx, 200_000_000_000n), registry, 'PerTxCapAboveDailyCap')
    await mined(as(registry, governance).setParameter(daily, 500_000_000_000n))
    await mined(as(registry, governance).setParameter(perTx, 200_000_000_000n))
    await rejectsWith(as(registry, governance).setParameter(daily, 100_000_000_000n), registry, 'PerTxCapAboveDailyCap')
  })

  it('rotates the disburser set only by governance, to three distinct non-zero addresses', async function () {
    assert.deepEqual([...await registry.disbursers()], disbursers)
    assert.equal(await registry.isDisburser(disbursers[1]), true)
    assert.equal(await registry.isDisburser(ethers.ZeroAddress), false)
    const next = wallets(3, 'registry/next').map((w) => w.address)
    await rejectsWith(as(registry, outsider).setDisbursers(next), registry, 'NotGovernance')
    await rejectsWith(as(registry, governance).setDisbursers([next[0], next[0], next[1]]), registry, 'InvalidSignerSet')
    await rejectsWith(as(registry, governance).setDisbursers([next[0], ethers.ZeroAddress, next[1]]), registry, 'InvalidSignerSet')
    const r = await mined(as(registry, governance).setDisbursers(next))
    const [version, set] = eventsOf(r, registry, 'DisbursersRotated')[0]
    assert.equal(version, 2n)
    assert.deepEqual([...set], next)
    assert.equal(await registry.isDisburser(disbursers[1]), false)
    assert.equal(await registry.disburserSetVersion(), 2n)
  })
})
