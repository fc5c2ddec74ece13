// Catch-up over JSON-RPC (lucid_getEnvelopes): a fresh node syncs from genesis to the same state root, a returning
// node from its own head; a source serving a tampered block is refused at that block with the reason.
import { strict as assert } from 'node:assert'
import { bytesToHex } from '@ethereumjs/util'
import { syncFrom, type SyncProgress, rpcEnvelopeSource, SyncError, decodeEnvelope, encodeEnvelope, type Chain, type EnvelopeSource } from '../../../node/src/chain/index.js'
import { startRpcServer, type RpcServer } from '../../../node/src/rpc/server.js'
import { openDevChain, produce, removeChainDirs, signedTx, DEV_KEYS } from './support.js'

describe('chain: sync from another node', function () {
  this.timeout(120_000)
  let leader: Chain
  let rpc: RpcServer
  before(async () => {
    leader = await openDevChain()
    for (let i = 0; i < 70; i++) {
      if (i % 7 === 0) await leader.submitRaw(signedTx(leader, { nonce: BigInt(i / 7) }, DEV_KEYS[6]).serialize())
      await produce(leader)
    }
    rpc = await startRpcServer(leader, { port: 0 })
  })
  after(async () => { await rpc.close(); await leader.close(); removeChainDirs() })

  it('a fresh node syncs from genesis to the same head and state root', async () => {
    const fresh = await openDevChain()
    try {
      const progress: SyncProgress[] = []
      const r = await syncFrom(fresh, rpcEnvelopeSource(rpc.url), () => Number.MAX_SAFE_INTEGER, undefined, (p) => progress.push(p))
      assert.equal(r.imported, 70)
      // where it stood: from genesis, after each batch of 64, up to the source's head
      assert.deepEqual(progress.map((p) => p.currentBlock), [0n, 64n, 70n])
      assert.ok(progress.every((p) => p.startingBlock === 0n && p.highestBlock === 70n))
      assert.equal(bytesToHex(fresh.head.hash()), bytesToHex(leader.head.hash()))
      assert.equal(bytesToHex(fresh.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
      // returning: the leader moves on, the node syncs again from its own head
      await produce(leader)
      await produce(leader)
      const again = await syncFrom(fresh, rpcEnvelopeSource(rpc.url), () => Number.MAX_SAFE_INTEGER)
      assert.equal(again.imported, 2)
      assert.equal(fresh.headPoot.hash, leader.headPoot.hash)
    } finally { await fresh.close() }
  })

  it('refuses a tampered block from the source, naming the block and the reason', async () => {
    const honest = rpcEnvelopeSource(rpc.url)
    const liar: EnvelopeSource = {
      headNumber: honest.headNumber,
      envelopes: async (from, count) => (await honest.envelopes(from, count)).map((raw, i) => {
        if (from + BigInt(i) !== 5n) return raw
        const env = decodeEnvelope(raw)
        const sig = new Uint8Array(env.seal[0].sig)
        sig[0] ^= 0xff
        return encodeEnvelope({ ...env, seal: [{ member: env.seal[0].member, sig }] })
      })
    }
    const fresh = await openDevChain()
    try {
      await assert.rejects(syncFrom(fresh, liar, () => Number.MAX_SAFE_INTEGER), (e: unknown) => e instanceof SyncError && e.number === 5n && /seal-bad-signature/.test(e.message))
      assert.equal(fresh.head.header.number, 4n)
    } finally { await fresh.close() }
  })

  it('lucid_getEnvelopes checks its params', async () => {
    const res = await fetch(rpc.url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'lucid_getEnvelopes', params: ['0x1', 100000] }) })
    const body = await res.json() as { error: { code: number, message: string } }
    assert.equal(body.error.code, -32602)
    assert.match(body.error.message, /params\[1\] \(count\)/)
  })
})
