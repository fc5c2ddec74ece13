// Chain (EDR) → sidecar → TRON stand-in, end to end: an epoch's batch is paid and every recipient's token balance
// on the stand-in equals its entitlement to the unit; a batch committed in parts is paid once its last part is in.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import { reconcile } from '../../payment-sidecar/src/service/reconcile.js'
import { batchState, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD, type World } from './support/world.js'
import { commitPartsAs } from './support/batch-chain.js'
import { splitBatchPayload } from '../../protocols/poot/payout-commitment.js'

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

  it('pays a batch committed in parts only once its last part is published, then exactly', async () => {
    const batch = await makeBatch(w, { epoch: 8, holders: holders(12, 'e2e parts'), distributableUsd: 3_000n * USD })
    const split = splitBatchPayload(batch.entries, batch.approvals, 2_500)
    assert.ok(!('whole' in split) && split.parts.length >= 3, 'split into parts')
    const lucid = w.lucid
    const fromBlock = await lucid.chain!.provider.getBlockNumber() + 1 // after the batch the test above paid
    const { publish } = await commitPartsAs(lucid.batches, lucid.disbursers, lucid.chain!.provider, batch.epoch, batch.root, split.head, split.parts)
    for (let i = 0; i < split.parts.length - 1; i++) await publish(i)
    const s = openService(sidecarConfig(w, { confirmations: 3, finality: 0, fromBlock }), { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard(), log: () => {} })
    for (let i = 0; i < 5; i++) await s.tick()
    assert.equal(batchState(s, batch.root), undefined, 'a batch with a part missing is not seen')
    await publish(split.parts.length - 1)
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
    assert.equal(s.state.counters.confirmed, batch.entries.length)
    assert.deepEqual([...s.state.batches.keys()], [batch.root])
    assert.deepEqual(await reconcile(s), [])
    s.d.ledger.close()
  })
})
