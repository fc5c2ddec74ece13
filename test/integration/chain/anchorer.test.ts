// The node's Anchorer against an in-process chain's JSON-RPC while a ChainNode produces blocks on the wall clock: a
// submission the mempool refuses leaves no nonce gap (the next one is included), and the view the anchor tracker
// reads gives the same receipt, block hashes and finalized height as ethers and lucid_finality, knows a
// transaction while it waits in the mempool, and finds a session's registration (registrant, root, transaction).
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { ethers } from 'ethers'
import type { Chain } from '../../../node/src/chain/index.js'
import type { RpcServer } from '../../../node/src/rpc/server.js'
import { Anchorer } from '../../../node/src/chainnet/anchorer.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import { waitFor } from '../../support/wait-for.js'
import { liveDevChain, DEV_KEYS, type LiveDevChain } from './support.js'

/** The fields of a manifest that registerSession takes (the rest plays no part in anchoring). */
function manifest (): Manifest {
  return { sessionId: randomUUID(), owner: 'recorder', startedAt: Date.now(), merkleRoot: ethers.randomBytes(32), chunkCount: 2 } as unknown as Manifest
}

describe('chain: the Anchorer over JSON-RPC', function () {
  this.timeout(120_000)
  let chain: Chain
  let rpc: RpcServer
  let provider: ethers.JsonRpcProvider

  let live: LiveDevChain

  before(async () => { live = await liveDevChain(); ({ chain, rpc, provider } = live) })
  after(async () => { await live.close() })

  it('a submission the mempool refuses leaves no nonce gap: the next one is included', async () => {
    const account = ethers.Wallet.createRandom()
    const anchorer = new Anchorer(rpc.url, ethers.getBytes(account.privateKey), chain.genesis.contracts.LucidAnchors as string, chain.chainId)
    await assert.rejects(anchorer.submit(manifest(), 'ab'.repeat(32)), /insufficient funds/)
    const funder = new ethers.Wallet(DEV_KEYS[6], provider)
    await (await funder.sendTransaction({ to: account.address, value: ethers.parseEther('1') })).wait()
    const sent = await anchorer.submit(manifest(), 'cd'.repeat(32))
    const tx = await provider.getTransaction(sent.tx)
    assert.equal(tx?.nonce, 0, 'the refused transaction did not use up a nonce')
    const receipt = await provider.waitForTransaction(sent.tx, 1, 60_000)
    assert.equal(receipt?.status, 1)
  })

  it("the tracker's view reads what ethers and lucid_finality read", async () => {
    const anchorer = new Anchorer(rpc.url, ethers.getBytes(DEV_KEYS[7]), chain.genesis.contracts.LucidAnchors as string, chain.chainId)
    const view = anchorer.view()
    // no block while it waits: the transaction is in the mempool only, known but without a receipt
    await live.node.stop()
    const m = manifest()
    assert.equal(await view.registration(m.sessionId), null, 'not registered yet')
    const sent = await anchorer.submit(m, 'ef'.repeat(32))
    assert.equal(await view.receipt(sent.tx), null)
    assert.equal(await view.registration(m.sessionId), null, 'a registration in the mempool is not one yet')
    assert.equal(await view.known(sent.tx), true, 'a transaction in the mempool is known')
    live.node.start()
    assert.equal(await view.known('0x' + '12'.repeat(32)), false)
    assert.equal(await view.receipt('0x' + '12'.repeat(32)), null)
    const receipt = await provider.waitForTransaction(sent.tx, 1, 60_000)
    assert.ok(receipt !== null)
    await waitFor('the view sees the receipt', async () => await view.receipt(sent.tx) !== null, 10_000, 100)
    assert.deepEqual(await view.receipt(sent.tx), { block: receipt.blockNumber, blockHash: receipt.blockHash, succeeded: true })
    assert.equal(await view.blockHash(receipt.blockNumber), (await provider.getBlock(receipt.blockNumber))?.hash)
    assert.equal(await view.known(sent.tx), true)
    assert.deepEqual(await view.registration(m.sessionId),
      { tx: sent.tx, block: receipt.blockNumber, registrant: anchorer.address, merkleRoot: ethers.hexlify(m.merkleRoot) },
      'the registration: by whom, with which root, in which transaction and block')
    assert.ok(await view.headNumber() >= receipt.blockNumber)
    assert.equal(await view.blockHash(await view.headNumber() + 1000), null, 'no block above the head')
    const finalized = async (): Promise<number> => Number((await provider.send('lucid_finality', []) as { finalized: { number: string } }).finalized.number)
    const before = await finalized()
    const seen = await view.finalizedNumber()
    assert.ok(before <= seen && seen <= await finalized(), 'the finalized height lucid_finality reports')
  })
})
