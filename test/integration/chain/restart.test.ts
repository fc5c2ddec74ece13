// SIGKILL the chain process while it produces blocks with transactions in flight; after a restart it has the
// same blocks and state roots, the receipts of included transactions, and keeps producing.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { startChainProcess, rpcCall, waitFor, type ChainProcess } from './process.js'

describe('chain: SIGKILL mid-production and restart', function () {
  this.timeout(180_000)
  const home = mkdtempSync(join(tmpdir(), 'lucid-chain-restart-'))
  let proc: ChainProcess | undefined
  after(async () => { await proc?.kill(); rmSync(home, { recursive: true, force: true }) })

  it('restarts with the same head and state root and keeps producing', async () => {
    proc = await startChainProcess(home)
    const provider = new ethers.JsonRpcProvider(proc.url, undefined, { staticNetwork: true, polling: true, pollingInterval: 200 })
    const wallet = new ethers.Wallet(proc.keys[0], provider)
    const first = await (await wallet.sendTransaction({ to: ethers.Wallet.createRandom().address, value: 1000n })).wait()
    assert.equal(first?.status, 1)
    // a burst of transfers so that the kill most likely lands while a block with transactions is being built
    let nonce = await provider.getTransactionCount(wallet.address, 'pending')
    for (let i = 0; i < 30; i++) await wallet.sendTransaction({ to: ethers.Wallet.createRandom().address, value: 1n, nonce: nonce++ })
    await waitFor('a block with burst transactions', async () => {
      const b = await rpcCall(proc!.url, 'eth_getBlockByNumber', ['latest', false])
      return b.transactions.length > 0
    })
    const seen = await rpcCall(proc.url, 'eth_getBlockByNumber', ['latest', false])
    await proc.kill()
    provider.destroy()

    proc = await startChainProcess(home)
    const again = await rpcCall(proc.url, 'eth_getBlockByNumber', [seen.number, false])
    assert.equal(again.hash, seen.hash)
    assert.equal(again.stateRoot, seen.stateRoot)
    const receipt = await rpcCall(proc.url, 'eth_getTransactionReceipt', [first!.hash])
    assert.equal(receipt.status, '0x1')
    const target = Number(seen.number) + 3
    await waitFor('new blocks after the restart', async () => Number(await rpcCall(proc!.url, 'eth_blockNumber')) >= target)
    // transactions lost with the mempool can be resent; the account nonce reflects only included ones
    const count = Number(await rpcCall(proc.url, 'eth_getTransactionCount', [wallet.address, 'latest']))
    assert.ok(count >= 1 && count <= 31)
    await proc.stop()
    assert.equal(proc.child.exitCode, 0)
  })
})
