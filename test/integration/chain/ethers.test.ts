// ethers v6 against the chain's JSON-RPC while a ChainNode produces blocks on the wall clock: the genesis
// contracts are live and wired, a session registers (receipt, event, getLogs, contract.on through filters), custom
// errors decode, pending nonces count the mempool, block rewards are minted as native LUCID.
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import type { Chain } from '../../../node/src/chain/index.js'
import { liveDevChain, DEV_KEYS, type LiveDevChain } from './support.js'

describe('chain: ethers v6 over JSON-RPC', function () {
  this.timeout(120_000)
  let chain: Chain
  let provider: ethers.JsonRpcProvider
  const abi = (name: 'LucidAnchors' | 'ParamRegistry' | 'LucidTimelock') => loadArtifact(name).abi as ethers.InterfaceAbi

  let live: LiveDevChain

  before(async () => { live = await liveDevChain(); ({ chain, provider } = live) })
  after(async () => { await live.close() })

  it('has the genesis contracts deployed and wired', async () => {
    const { contracts } = chain.genesis
    for (const a of Object.values(contracts)) assert.notEqual(await provider.getCode(a), '0x')
    const params = new ethers.Contract(contracts.ParamRegistry, abi('ParamRegistry'), provider)
    assert.equal(await params.governance(), contracts.LucidTimelock)
    const timelock = new ethers.Contract(contracts.LucidTimelock, abi('LucidTimelock'), provider)
    assert.equal(await timelock.hasRole(await timelock.PROPOSER_ROLE(), contracts.LucidGovernor), true)
    assert.equal(await timelock.hasRole(ethers.ZeroHash, '0x' + ethers.keccak256(ethers.toUtf8Bytes('lucid/genesis-deployer')).slice(26)), false)
  })

  it('registers a session: receipt, event, getLogs, contract.on, custom errors, pending nonce', async () => {
    const wallet = new ethers.Wallet(DEV_KEYS[4], provider)
    const anchors = new ethers.Contract(chain.genesis.contracts.LucidAnchors, abi('LucidAnchors'), wallet)
    const seen = new Promise<string>((resolve) => { void anchors.on('SessionRegistered', (id: string) => resolve(id)) })
    const id = ethers.zeroPadBytes(ethers.randomBytes(16), 32)
    const tx = await anchors.registerSession(id, ethers.id('m'), 1_700_000_000n, wallet.address, ethers.id('r'), 3)
    assert.equal(await provider.getTransactionCount(wallet.address, 'pending'), 1)
    const receipt = await tx.wait()
    assert.equal(receipt?.status, 1)
    const ev = receipt!.logs.map((l: ethers.Log) => anchors.interface.parseLog(l)).find((l: ethers.LogDescription | null) => l?.name === 'SessionRegistered')
    assert.equal(ev?.args.sessionId, id)
    const logs = await provider.getLogs({ address: chain.genesis.contracts.LucidAnchors, fromBlock: 0, toBlock: 'latest', topics: [anchors.interface.getEvent('SessionRegistered')!.topicHash, id] })
    assert.equal(logs.length, 1)
    assert.equal(await seen, id)
    await anchors.removeAllListeners()
    await assert.rejects(anchors.registerSession(id, ethers.id('m'), 1n, wallet.address, ethers.id('r'), 3), (e: any) => e.code === 'CALL_EXCEPTION' && anchors.interface.parseError(e.data)?.name === 'SessionAlreadyRegistered')
    assert.equal(await anchors.isSessionRegistered(id), true)
  })

  it('mints each block reward (PoOT rewardTo) as a withdrawal to its reward address', async () => {
    const block = await provider.send('eth_getBlockByNumber', ['latest', false])
    assert.equal(block.withdrawals.length, 1)
    const state = chain.pootState(block.hash)!
    assert.equal(block.withdrawals[0].address, chain.genesis.rewardAddresses.get(state.rewardTo!)!.toLowerCase())
    assert.equal(BigInt(block.withdrawals[0].amount) * 10n ** 9n, state.reward)
    assert.equal(BigInt(block.withdrawals[0].amount) % 10n ** 9n, 0n) // whole LUCID, in gwei
    const fee = await provider.send('eth_feeHistory', ['0x4', 'latest', [50]])
    assert.equal(fee.baseFeePerGas.length, fee.gasUsedRatio.length + 1)
    assert.equal(fee.reward.length, fee.gasUsedRatio.length)
  })

  it('block filters collect new heads until uninstalled; getLogs checks its range', async () => {
    const id = await provider.send('eth_newBlockFilter', [])
    const start = await provider.getBlockNumber()
    const deadline = Date.now() + 30_000
    while (await provider.getBlockNumber() < start + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
    const hashes = await provider.send('eth_getFilterChanges', [id]) as string[]
    assert.ok(hashes.length >= 2 && hashes.every((h) => /^0x[0-9a-f]{64}$/.test(h)))
    assert.deepEqual(await provider.send('eth_getFilterChanges', [id]), [])
    assert.equal(await provider.send('eth_uninstallFilter', [id]), true)
    await assert.rejects(provider.send('eth_getFilterChanges', [id]), /filter not found/)
    await assert.rejects(provider.send('eth_getLogs', [{ fromBlock: '0x5', toBlock: '0x1' }]), /fromBlock 5 is after toBlock 1/)
  })
})
