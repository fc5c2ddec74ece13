/**
 * The anchor tracker against a scripted chain: blocks that include the anchor transaction, reorgs above the finalized
 * height (a late primary's block winning its slot), finality advancing, and chain changes that land between the
 * tracker's reads. The property: whatever happens, the final block it records is the one the finalized line has the
 * transaction in, recorded once, and never before that block is final.
 */
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { AnchorTracker, LOST_AFTER_LOOKS, anchorStep, type AnchorChainView } from '../../../node/src/chainnet/anchor-tracker.js'
import type { AnchorFinality, AnchorRecord } from '../../../crdt/schema.js'
import { ScriptedChain } from './scripted-chain.js'

const TX = '0x' + 'aa'.repeat(32)
const S = '00000000-0000-4000-8000-000000000001'

interface Recorded { included: AnchorRecord[], final: AnchorFinality[], warnings: string[], lost: string[], reverted: string[] }

function tracker (chain: ScriptedChain, fail = { reads: 0 }): { t: AnchorTracker, rec: Recorded } {
  const rec: Recorded = { included: [], final: [], warnings: [], lost: [], reverted: [] }
  const view = chain.view()
  const flaky: AnchorChainView = {
    ...view,
    headNumber: async () => { if (fail.reads-- > 0) throw new Error('connection refused'); return await view.headNumber() }
  }
  const t = new AnchorTracker({
    view: flaky,
    chainId: 7,
    record: {
      included: async (id, a) => { assert.equal(id, S); rec.included.push(a) },
      final: async (id, f) => { assert.equal(id, S); rec.final.push(f) }
    },
    gone: (id, tx, why) => { assert.equal(id, S); rec[why].push(tx) },
    log: { info: () => {}, debug: () => {}, warn: (_o, m) => { rec.warnings.push(m) } },
    now: () => 1000
  })
  return { t, rec }
}

describe('chain: anchor tracker', () => {
  it('records the including block, then the final one, once each', async () => {
    const chain = new ScriptedChain()
    chain.extend(); chain.extend([[TX, true]])
    const { t, rec } = tracker(chain)
    t.follow(S, TX)
    await t.tick()
    assert.deepEqual(rec.included, [{ tx: TX, chainId: 7, block: 2, at: 1000 }])
    assert.deepEqual(rec.final, [])
    chain.extend(); chain.finalize(2)
    await t.tick()
    assert.deepEqual(rec.final, [{ block: 2, blockHash: chain.blocks[2].hash, at: 1000 }])
    assert.deepEqual(t.pending, [])
    chain.extend(); chain.finalize(4)
    await t.tick()
    assert.equal(rec.included.length + rec.final.length, 2, 'nothing recorded twice')
  })

  it('a reorg before finality moves the anchor: the final block is the one the finalized line has it in', async () => {
    const chain = new ScriptedChain()
    chain.extend(); chain.extend([[TX, true]])
    const { t, rec } = tracker(chain)
    t.follow(S, TX)
    await t.tick()
    const first = chain.blocks[2].hash
    // the late primary's block wins height 2 without the transaction; it returns to the mempool and lands in height 3
    chain.reorg(1, 2, { tx: TX, at: 1 })
    assert.notEqual(chain.blocks[2].hash, first)
    chain.finalize(3)
    await t.tick()
    assert.deepEqual(rec.included.map((a) => a.block), [2], 'the first inclusion stays as recorded')
    assert.deepEqual(rec.final, [{ block: 3, blockHash: chain.blocks[3].hash, at: 1000 }])
  })

  it('a receipt read before a reorg does not make a block final', async () => {
    const chain = new ScriptedChain()
    chain.extend(); chain.extend([[TX, true]]); chain.extend()
    // finalize height 2 only after the receipt was read, and let the reorg land first: the receipt then names a block
    // the finalized line does not have (the chain's finalized height moves past it in the same breath)
    let reads = 0
    chain.beforeRead = () => {
      if (++reads === 2) { chain.reorg(1, 3, { tx: TX, at: 2 }); chain.finalize(2) }
    }
    const step = await anchorStep(chain.view(), TX)
    assert.equal(step.kind, 'pending')
    chain.beforeRead = () => {}
    assert.equal(chain.where(TX), 4)
    assert.equal((await anchorStep(chain.view(), TX)).kind, 'included')
    chain.finalize(4)
    assert.deepEqual(await anchorStep(chain.view(), TX), { kind: 'final', block: 4, blockHash: chain.blocks[4].hash, succeeded: true })
  })

  it('a transaction reverted in a final block is handed back as reverted, nothing recorded', async () => {
    const chain = new ScriptedChain()
    chain.extend([[TX, false]])
    const { t, rec } = tracker(chain)
    t.follow(S, TX)
    await t.tick()
    assert.deepEqual(rec.included, [], 'a reverted inclusion is not an anchor')
    chain.extend(); chain.finalize(1)
    await t.tick()
    assert.deepEqual(rec, { included: [], final: [], warnings: [], lost: [], reverted: [TX] })
    assert.deepEqual(t.pending, [])
  })

  it('a transaction the chain does not know at all is given up as lost after a few blocks; one in the mempool is not', async () => {
    const chain = new ScriptedChain()
    const { t, rec } = tracker(chain)
    const OTHER = '0x' + 'bb'.repeat(32)
    chain.mempool.add(TX)
    t.follow(S, TX)
    for (let i = 0; i < LOST_AFTER_LOOKS + 2; i++) { chain.extend(); await t.tick() }
    assert.deepEqual(rec.lost, [], 'waiting in the mempool is not lost')
    t.follow(S, OTHER)
    for (let i = 0; i < LOST_AFTER_LOOKS - 1; i++) { chain.extend(); await t.tick() }
    assert.deepEqual(rec.lost, [])
    chain.extend(); await t.tick()
    assert.deepEqual(rec.lost, [OTHER])
    assert.deepEqual(t.pending, [])
  })

  it('an included transaction a reorg took out, then gone from the mempool too, is handed back as lost', async () => {
    const chain = new ScriptedChain()
    chain.extend([[TX, true]])
    const { t, rec } = tracker(chain)
    t.follow(S, TX)
    await t.tick()
    assert.equal(rec.included.length, 1)
    chain.reorg(0, 2) // its block abandoned; the transaction is in neither the new blocks nor the mempool
    for (let i = 0; i < LOST_AFTER_LOOKS - 1; i++) { chain.extend(); await t.tick() }
    assert.deepEqual(rec.lost, [])
    chain.mempool.add(TX) // back in the mempool: known again, the count starts over
    for (let i = 0; i < LOST_AFTER_LOOKS; i++) { chain.extend(); await t.tick() }
    assert.deepEqual(rec.lost, [])
    chain.mempool.delete(TX)
    for (let i = 0; i < LOST_AFTER_LOOKS; i++) { chain.extend(); await t.tick() }
    assert.deepEqual(rec.lost, [TX], 'given back, not followed forever')
    assert.deepEqual(t.pending, [])
  })

  it('looks again only when the head moved, and after a failed read', async () => {
    const chain = new ScriptedChain()
    chain.extend()
    const fail = { reads: 1 }
    const { t, rec } = tracker(chain, fail)
    t.follow(S, TX)
    await t.tick() // the chain cannot be read
    assert.equal(chain.calls, 0)
    await t.tick() // head read, the transaction looked for
    const afterLook = chain.calls
    assert.ok(afterLook >= 2)
    await t.tick() // same head: only the head is read
    assert.equal(chain.calls, afterLook + 1)
    chain.extend([[TX, true]])
    await t.tick()
    assert.equal(rec.included.length, 1)
  })

  it('an anchor already in the state is followed to its final block without recording it again (restart)', async () => {
    const chain = new ScriptedChain()
    chain.extend([[TX, true]]); chain.extend(); chain.finalize(1)
    const { t, rec } = tracker(chain)
    t.follow(S, TX, true)
    await t.tick()
    assert.deepEqual(rec.included, [])
    assert.deepEqual(rec.final, [{ block: 1, blockHash: chain.blocks[1].hash, at: 1000 }])
  })

  it('property: the recorded final block is where the finalized line has the transaction, whatever the reorgs', async () => {
    type Op = { kind: 'extend', tx: boolean } | { kind: 'reorg', depth: number, count: number, txAt: number, thenFinalize: number } | { kind: 'finalize', lag: number } | { kind: 'tick' }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('extend' as const), tx: fc.boolean() }),
      fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 0, max: 4 }), count: fc.integer({ min: 1, max: 4 }), txAt: fc.integer({ min: -1, max: 3 }), thenFinalize: fc.integer({ min: -1, max: 2 }) }),
      fc.record({ kind: fc.constant('finalize' as const), lag: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('tick' as const) })
    )
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.array(op, { maxLength: 20 }), async (ops, interleaved) => {
      const chain = new ScriptedChain()
      const apply = (o: Op): void => {
        // the transaction is in at most one canonical block: a new inclusion only while it is in none
        const free = chain.where(TX) < 0
        if (o.kind === 'extend') chain.extend(o.tx && free ? [[TX, true]] : [])
        else if (o.kind === 'reorg') {
          chain.reorg(chain.head - o.depth, o.count, { tx: TX, at: o.txAt })
          // finality may move on in the same breath (two changes between two reads of the tracker)
          if (o.thenFinalize >= 0) chain.finalize(chain.head - o.thenFinalize)
        }
        else if (o.kind === 'finalize') chain.finalize(chain.head - o.lag)
      }
      // chain changes also land between the tracker's reads
      let next = 0
      chain.beforeRead = () => { const o = interleaved[next++]; if (o !== undefined && o.kind !== 'tick') apply(o) }
      chain.mempool.add(TX) // sent: in the mempool whenever no canonical block has it (a reorg returns it there)
      const { t, rec } = tracker(chain)
      t.follow(S, TX)
      const check = (): void => {
        assert.ok(rec.final.length <= 1, 'recorded final once')
        for (const f of rec.final) {
          assert.ok(f.block <= chain.finalized, 'final only once the block is final')
          assert.equal(chain.blocks[f.block].hash, f.blockHash, 'the finalized line has that block')
          assert.ok(chain.blocks[f.block].txs.get(TX), 'with the transaction in it')
        }
        if (rec.final.length > 0) assert.ok(rec.included.length === 1, 'included recorded before final')
      }
      for (const o of ops) {
        if (o.kind === 'tick') await t.tick()
        else apply(o)
        check()
      }
      // the end: the whole chain final, two more looks
      chain.beforeRead = () => {}
      chain.extend(); chain.finalize(chain.head)
      await t.tick(); chain.extend(); await t.tick()
      check()
      const at = chain.where(TX)
      if (at >= 0) assert.deepEqual(rec.final.map((f) => f.block), [at], 'a final anchor is recorded final')
      assert.deepEqual(rec.lost, [], 'a transaction in the mempool is never given up')
    }), { numRuns: 300 })
  })
})
