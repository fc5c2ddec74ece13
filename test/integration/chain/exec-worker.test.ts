// The execution worker (node/src/chain/exec-worker.ts): a node builds its blocks and re-executes received ones on a
// worker thread, whose trie reads and writes it serves from its own LevelDB. A worker that dies mid-block fails that
// import or build with the reason and leaves the node unchanged; the next one starts a new worker and succeeds. A
// reopened follower reads the state the worker wrote.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threadId, type Worker } from 'node:worker_threads'
import { bytesToHex, createAddressFromString } from '@ethereumjs/util'
import { Chain } from '../../../node/src/chain/index.js'
import type { ExecWorker } from '../../../node/src/chain/exec-worker.js'
import { devGenesis, openDevChain, produce, removeChainDirs, signedTx, slotTime, DEV_KEYS } from './support.js'

/** a chain's execution worker (private to Chain: reached by the test only) */
type ExecWorkerInternals = { worker?: Worker, state: { get: (k: Uint8Array) => Promise<Uint8Array | undefined> }, build: ExecWorker['build'] }
const execOf = (c: Chain): ExecWorkerInternals => (c as unknown as { execWorker: ExecWorkerInternals }).execWorker
const workerOf = (c: Chain): Worker | undefined => execOf(c).worker
/** terminates the chain's worker at its next trie read (while a block is being executed) */
function killAtNextRead (c: Chain, worker: Worker): void {
  const exec = execOf(c)
  const get = exec.state.get.bind(exec.state)
  exec.state.get = async (k) => { exec.state.get = get; await worker.terminate(); return await get(k) }
}

describe('chain: the execution worker', function () {
  this.timeout(120_000)
  const dir = mkdtempSync(join(tmpdir(), 'lucid-exec-worker-'))
  after(() => { removeChainDirs(); rmSync(dir, { recursive: true, force: true }) })

  it('re-executes on another thread; a worker killed mid-block fails only that import, the next one starts anew', async () => {
    const leader = await openDevChain()
    let follower = await Chain.open({ dir, genesis: await devGenesis() })
    try {
      for (let i = 0; i < 40; i++) await leader.submitRaw(signedTx(leader, { nonce: BigInt(i) }, DEV_KEYS[1]).serialize())
      const block = await produce(leader)
      assert.equal(block.transactions.length, 40)
      const env = (await leader.envelopeOf(block))!
      await follower.warmExecution()
      const worker = workerOf(follower)
      assert.ok(worker !== undefined && worker.threadId !== threadId, 'a worker thread of its own')

      // killed while the block is being executed: at its first trie read
      killAtNextRead(follower, worker)
      const r = await follower.importEnvelope(env, slotTime(100))
      assert.ok(!r.ok && /^execution: execution worker: exited with code/.test(r.reason), r.ok ? 'imported' : r.reason)
      assert.equal(follower.head.header.number, 0n, 'the follower is unchanged')

      // the next import starts a new worker and reaches the leader's state
      const again = await follower.importEnvelope(env, slotTime(100))
      assert.ok(again.ok, again.ok ? '' : again.reason)
      assert.notEqual(workerOf(follower), worker)
      assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))

      // what the worker wrote is in the follower's store: reopened, it reads the state on its own thread
      await follower.close()
      follower = await Chain.open({ dir, genesis: await devGenesis() })
      const to = createAddressFromString('0x' + '11'.repeat(20))
      const [a, b] = await Promise.all([leader, follower].map(async (c) => (await (await c.stateAt(c.head.header.stateRoot)).getAccount(to))?.balance))
      assert.ok(a !== undefined && a > 0n)
      assert.equal(b, a)
    } finally {
      await leader.close()
      await follower.close()
    }
  })

  it('builds on another thread; a worker killed mid-build fails only that build, the next one holds the transactions', async () => {
    const leader = await openDevChain()
    try {
      for (let i = 0; i < 20; i++) await leader.submitRaw(signedTx(leader, { nonce: BigInt(i) }, DEV_KEYS[2]).serialize())
      await leader.warmExecution()
      const worker = workerOf(leader)
      assert.ok(worker !== undefined && worker.threadId !== threadId, 'a worker thread of its own')
      killAtNextRead(leader, worker)
      await assert.rejects(produce(leader), /cannot build slot 1: execution worker: exited with code/)
      assert.equal(leader.head.header.number, 0n, 'no block stored')
      assert.equal(leader.mempool.size, 20, 'the transactions stay in the mempool')

      const block = await produce(leader, 2)
      assert.notEqual(workerOf(leader), worker)
      assert.equal(block.transactions.length, 20)
      assert.equal(leader.mempool.size, 0)
      // the block's state is in the leader's store, read on this thread
      const sender = createAddressFromString(block.transactions[0].getSenderAddress().toString())
      assert.equal((await (await leader.stateAt(block.header.stateRoot)).getAccount(sender))?.nonce, 20n)

      // a build the worker cannot start (its parent's state root is not in the store) fails that build only, with
      // ethereumjs' reason, and the worker carries on
      const live = workerOf(leader)
      const h = block.header
      const bad = await execOf(leader).build({
        parentHeader: h.serialize(),
        root: new Uint8Array(32).fill(7),
        writes: [],
        header: { timestamp: h.timestamp + 1n, coinbase: h.coinbase.toString(), extraData: h.extraData, mixHash: h.mixHash, gasLimit: h.gasLimit },
        withdrawals: [],
        txs: [],
        maxBuildMs: 100
      })
      assert.ok(!bad.ok && /State trie does not contain state root/.test(bad.message), bad.ok ? 'built' : bad.message)
      assert.equal(workerOf(leader), live, 'the same worker')
      assert.equal((await produce(leader)).header.number, block.header.number + 1n, 'the next build goes through')
    } finally {
      await leader.close()
    }
  })
})
