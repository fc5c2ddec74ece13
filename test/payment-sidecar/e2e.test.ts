// Chain (EDR) → sidecar → TRON stand-in, end to end: an epoch's batch is paid and every recipient's token balance
// on the stand-in equals its entitlement to the unit.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import { reconcile } from '../../payment-sidecar/src/service/reconcile.js'
import { batchState, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD, type World } from './support/world.js'

describe('payment sidecar: chain → sidecar → TRON stand-in', function () {
  this.timeout(120_000)
  let w: World
  before(async () => { w = await openWorld() })
  after(async () => { await w?.close() })

  it('pays an epoch batch exactly: every balance equals its entitlement, each nonce paid once', async () => {
    const hs = holders(12, 'e2e')
    const batch = await makeBatch(w, { epoch: 7, holders: hs, distributableUsd: 5_000n * USD })
    assert.ok(batch.entries.some((e) => e.route === 'kyc') && batch.entries.some((e) => e.route === 'v0'))
    await commitBatch(w, batch)
    // the default finality: the chain's `finalized` block tag
    const config = sidecarConfig(w, { confirmations: 3, finality: 'finalized' })
    const logs: string[] = []
    const s = openService(config, { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard(), log: (m) => logs.push(m) })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
    // every Paid event on the stand-in, by nonce: exactly one per entry
    const paid = new Map<string, number>()
    const topic = ethers.id('Paid(bytes32,address,uint256,uint256)').slice(2)
    for (const { info } of w.tron.chain.txs.values()) {
      for (const l of info.log as Array<{ topics: string[] }>) if (l.topics[0] === topic) paid.set(l.topics[3], (paid.get(l.topics[3]) ?? 0) + 1)
    }
    assert.equal(paid.size, batch.entries.length)
    assert.ok([...paid.values()].every((n) => n === 1))
    assert.equal(s.state.counters.confirmed, batch.entries.length)
    assert.equal(s.state.counters.paidUsd6, batch.entries.reduce((a, e) => a + e.netUsd, 0n))
    assert.deepEqual(await reconcile(s), [])
    s.d.ledger.close()
  })
})
