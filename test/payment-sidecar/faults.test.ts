// A TRON node that is down, slow, answers garbage, loses a broadcast's reply or drops an acknowledged broadcast:
// the sidecar reports it clearly, never sends a duplicate payment, and finishes once the node is back.
import assert from 'node:assert/strict'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import type { PayoutService } from '../../payment-sidecar/src/service/service.js'
import { batchState, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD, type World } from './support/world.js'
import type { Fault } from '../../payment-sidecar/stand-in/server.js'

describe('payment sidecar: TRON node faults', function () {
  this.timeout(180_000)
  let w: World
  before(async () => { w = await openWorld() })
  after(async () => { await w?.close() })
  let epoch = 400

  async function scenario (setup: (s: PayoutService) => Promise<void>, tron: Record<string, unknown> = {}): Promise<PayoutService> {
    const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(4, `fault ${epoch}`), distributableUsd: 1_000n * USD })
    const block = await commitBatch(w, batch)
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 2, tron: { timeoutMs: 300, retries: 1, backoffMs: 10, ...tron } }), { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard() })
    await setup(s)
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd)
    s.d.ledger.close()
    return s
  }

  for (const [fault, want] of [['down', /getnowblock: ECONNREFUSED/], ['slow', /no reply within 300 ms/], ['garbage', /not JSON|not a JSON object|has no blockID/], ['error500', /HTTP 500/]] as Array<[Fault | 'down', RegExp]>) {
    it(`node ${fault}: a clear error while it lasts, then paid exactly once`, async () => {
      await scenario(async (s) => {
        if (fault === 'down') await w.tron.down(); else { w.tron.fault = fault; w.tron.slowMs = 600 }
        for (let i = 0; i < 3; i++) await s.tick()
        assert.match(s.lastError ?? '', want)
        assert.equal(s.state.counters.sent, 0)
        if (fault === 'down') await w.tron.up(); else w.tron.fault = 'none'
        await new Promise((resolve) => setTimeout(resolve, fault === 'slow' ? 700 : 0))
      })
    })
  }

  it('a broadcast accepted but its reply lost: looked up by txID, not sent twice', async () => {
    const before = w.tron.chain.txs.size
    let dupRejections = 0
    const s = await scenario(async (s) => {
      w.tron.fault = 'lose-broadcast-reply'
      for (let i = 0; i < 4; i++) await s.tick()
      assert.ok(w.tron.lostReplies > 0, 'a reply was lost')
      w.tron.fault = 'none'
    })
    dupRejections = [...s.state.txs.values()].filter((t) => t.attempt > 1).length
    assert.equal(dupRejections, 0, 'no transaction was rebuilt')
    const txids = [...s.state.txs.values()].map((t) => t.txid)
    assert.equal(new Set(txids).size, txids.length)
    assert.equal(w.tron.chain.txs.size - before, txids.length, 'each planned transaction landed once')
  })

  it('a broadcast acknowledged then dropped by the node: rebuilt after it provably expired, paid once', async () => {
    const s = await scenario(async (s) => {
      w.tron.fault = 'drop-broadcast'
      for (let i = 0; i < 3; i++) await s.tick()
      assert.ok([...s.state.txs.values()].some((t) => t.state === 'broadcast'))
      w.tron.fault = 'none'
      w.tron.timeOffsetMs += 25_000
      await w.tron.mine(1)
    }, { expirationMs: 20_000 })
    assert.ok([...s.state.txs.values()].some((t) => t.attempt === 2), 'the dropped transaction was rebuilt')
    assert.ok(s.d.ledger.records.some((r) => r.state === 'expired'))
  })

  it('the On-System chain unreachable: a clear error naming it, nothing sent', async () => {
    const config = sidecarConfig(w, {})
    config.chain.rpcUrl = 'http://127.0.0.1:9'
    const s = openService(config, { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard() })
    await s.tick()
    assert.match(s.lastError ?? '', /^chain http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/)
    assert.equal(s.state.txs.size, 0)
    s.d.ledger.close()
  })
})
