// The payout system write: the disbursers declare epoch 1's income on chain; the first block of payout epoch 2 calls
// PayoutBatches.recordEntitlements from the keyless system address with the batch the chain computed (on the builder
// and on a re-executing follower alike: same state root); `lucid payout commit --from-chain 1` commits exactly that
// root (in parts, the run interrupted after its second part completed by the next), and a commit of another root is
// refused. A node that syncs from genesis and restarts computes the next
// epoch's write (holders stored by the blocks after those that made them) exactly as the leader does.
// A payout epoch in which no block was made at all is written too, by the first block after it, in order.
// Accounts that receive LUCID only inside a contract's execution (a CALL forwarding value, a SELFDESTRUCT
// beneficiary) become holders like a transaction's recipient does. A stall of more than MAX_PAYOUT_WRITES_PER_BLOCK
// payout epochs is written over the blocks after it, each epoch once, in order. A commit of a 1,000-entry batch
// (a 434 KB transaction) goes through JSON-RPC, the mempool, the builder and a re-executing follower.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, concatBytes, createAddressFromString, utf8ToBytes } from '@ethereumjs/util'
import { ClassicLevel } from 'classic-level'
import { ethers } from 'ethers'
import { encodeRollover, payoutBatchesInterface, readStoredHolders } from '../../../node/src/chain/payout-system.js'
import { encodePayoutEntry, leafHash, merkleRoot, payoutEpochOf, splitRevenue, USD } from '../../../protocols/poot/index.js'
import { COMMIT_TYPES, ascendingSigners, INCOME_TYPES, KYC_TYPES, commitDomain, routerDomain } from '../../../protocols/poot/payout-commitment.js'
import { Chain, MAX_PAYOUT_WRITES_PER_BLOCK, devDisburserKeys, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { startRpcServer, type RpcServer } from '../../../node/src/rpc/server.js'
import { runPayoutCommit, type PayoutCommitFlags } from '../../../node/src/cli/commands/payout.js'
import { JsonRpcBatchSource } from '../../../payment-sidecar/src/chain/source.js'
import { DEV_KEYS, devGenesis, openDevChain, removeChainDirs, slotTime } from './support.js'
import { syntheticBatchPayload } from './payout-write-size.js'

const iface = payoutBatchesInterface()

async function view (chain: Chain, fn: string, args: unknown[]): Promise<ethers.Result> {
  const r = await chain.call({ to: createAddressFromString(chain.genesis.contracts.PayoutBatches), data: ethers.getBytes(iface.encodeFunctionData(fn, args)) }, chain.head)
  assert.ok(r.ok, `${fn} failed`)
  return iface.decodeFunctionResult(fn, r.returnValue)
}

describe('chain: the payout system write (PayoutBatches.recordEntitlements at each payout epoch)', function () {
  this.timeout(300_000)
  let leader: Chain
  let follower: Chain
  const followerDir = mkdtempSync(join(tmpdir(), 'lucid-payout-follower-'))
  let rpc: RpcServer
  let provider: ethers.JsonRpcProvider
  const newHolder = '0x' + 'ab'.repeat(20)
  // paid only inside contract creations' execution: no transaction names them
  const calledHolder = '0x' + 'a1'.repeat(20)
  const destructHolder = '0x' + 'a2'.repeat(20)
  /** one LUCID: a share far under the payout minimum, carried over to the next epoch */
  const smallHolder = '0x' + 'a3'.repeat(20)
  /** init code that CALLs `to` with all of its CALLVALUE (and deploys nothing) */
  const forwardCall = (to: string): string => '0x6000600060006000' + '34' + '73' + to.slice(2) + '5af100'
  /** init code that SELFDESTRUCTs to `to` (the created account's value goes there; EIP-6780: in the creating tx) */
  const forwardDestruct = (to: string): string => '0x73' + to.slice(2) + 'ff'
  const tronChainId = '728126428'
  const routers = { v0: '0x' + '0a'.repeat(20), kyc: '0x' + '0b'.repeat(20) }

  before(async () => {
    leader = await openDevChain()
    follower = await Chain.open({ dir: followerDir, genesis: await devGenesis() })
    rpc = await startRpcServer(leader, { port: 0 })
    provider = new ethers.JsonRpcProvider(rpc.url, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 })
  })
  after(async () => { provider.destroy(); await rpc.close(); await leader.close(); await follower.close(); removeChainDirs(); rmSync(followerDir, { recursive: true, force: true }) })

  const decide = (): ReturnType<typeof localProposer> => localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))
  /** Builds `slot` on the leader, imports it on the follower; the state roots must agree. */
  async function step (slot: number): Promise<void> {
    const p = decide()(leader, slot, slotTime(slot))!
    const block = await leader.build(p)
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot), `slot ${slot}: the follower's state root`)
  }

  const disbursers = devDisburserKeys().map((k) => new ethers.Wallet(k))
  const gross = 50_000n * USD
  const fee = USD

  it('writes the computed entitlements at the payout epoch\'s boundary; a re-executing follower reaches the same state', async () => {
    const P = leader.genesis.payout
    assert.equal(P.epochSlots, 32, 'the dev genesis has short payout epochs')
    const domain = commitDomain(leader.chainId, leader.genesis.contracts.PayoutBatches)
    const sigs = await Promise.all(ascendingSigners(disbursers.slice(1)).map(async (s) => await s.signTypedData(domain, INCOME_TYPES, { epoch: 1, grossUsd: gross, networkFeeUsd: fee })))
    const declarer = disbursers[0].connect(provider)
    const batches = new ethers.Contract(leader.genesis.contracts.PayoutBatches, iface, declarer)
    // bad signatures are refused by the contract on the real chain (checked with eth_call)
    await assert.rejects(batches.declareIncome.staticCall(1, gross + 1n, fee, sigs), (e: Error & { data?: string }) => iface.parseError(e.data!)?.name === 'UnknownSigner')
    await declarer.sendTransaction({ to: await batches.getAddress(), data: iface.encodeFunctionData('declareIncome', [1, gross, fee, sigs]) })
    for (let slot = 1; slot < 2 * P.epochSlots; slot++) {
      if (slot === P.epochSlots + 2) await new ethers.Wallet(DEV_KEYS[3], provider).sendTransaction({ to: newHolder, value: ethers.parseEther('250000') })
      if (slot === P.epochSlots + 3) {
        await new ethers.Wallet(DEV_KEYS[5], provider).sendTransaction({ data: forwardCall(calledHolder), value: ethers.parseEther('100000'), gasLimit: 100_000n })
        await new ethers.Wallet(DEV_KEYS[6], provider).sendTransaction({ data: forwardDestruct(destructHolder), value: ethers.parseEther('200000'), gasLimit: 100_000n })
      }
      if (slot === P.epochSlots + 4) await new ethers.Wallet(DEV_KEYS[3], provider).sendTransaction({ to: smallHolder, value: ethers.parseEther('1') })
      await step(slot)
    }
    assert.deepEqual([...await view(leader, 'incomeOf', [1])], [true, gross, fee])
    await assert.rejects(batches.declareIncome.staticCall(1, gross, fee, sigs), (e: Error & { data?: string }) => iface.parseError(e.data!)?.name === 'IncomeAlreadyDeclared')
    // epoch 0: written at slot 32, nothing to pay (no income, no rollover), so its root binds nothing
    const e0 = await view(leader, 'entitlementsOf', [0])
    assert.deepEqual([e0[0], e0[1]], [true, ethers.ZeroHash])
    assert.equal((await view(leader, 'entitlementsOf', [1]))[0], false, 'epoch 1 is not over yet')
    await step(2 * P.epochSlots) // the first block of payout epoch 2
    assert.equal(payoutEpochOf(leader.headPoot.slot, P), 2)
    const [written, root, blockNumber] = await view(leader, 'entitlementsOf', [1]) as unknown as [boolean, string, bigint]
    assert.equal(written, true)
    assert.notEqual(root, ethers.ZeroHash)
    assert.equal(blockNumber, leader.head.header.number)
    assert.deepEqual([...await view(follower, 'entitlementsOf', [1])], [written, root, blockNumber])
    // the entries: the distributable 40 % of the income, shared by LUCID balance; node workers (reward addresses) on KYC
    const w = (await leader.payoutEntitlements(1))!
    const entries = w.entries
    assert.equal(ethers.hexlify(merkleRoot(entries.map((e) => leafHash(encodePayoutEntry(1, e))))), root)
    const paid = entries.reduce((s, e) => s + e.grossUsd, 0n) + [...w.rollover.values()].reduce((s, v) => s + v, 0n)
    assert.equal(paid, splitRevenue(gross, P).distributable)
    const x = entries.find((e) => e.address === newHolder)
    assert.ok(x !== undefined && x.route === 'v0' && x.networkFeeUsd === fee, 'the account first seen in epoch 1 is an end user')
    // the internally paid accounts hold what they got, and are paid by it
    assert.equal(await provider.getBalance(calledHolder), ethers.parseEther('100000'))
    assert.equal(await provider.getBalance(destructHolder), ethers.parseEther('200000'))
    const byCall = entries.find((e) => e.address === calledHolder)
    const byDestruct = entries.find((e) => e.address === destructHolder)
    assert.ok(byCall !== undefined && byDestruct !== undefined, 'accounts paid inside a contract\'s execution are holders')
    assert.ok(byDestruct.grossUsd > byCall.grossUsd && x.grossUsd > byDestruct.grossUsd, 'shared by balance')
    const worker = entries.find((e) => e.address === [...leader.genesis.rewardAddresses.values()][1].toLowerCase())
    assert.equal(worker?.route, 'kyc')
    assert.ok(!entries.some((e) => e.address === leader.genesis.spec.contracts.systemAddress.toLowerCase()))
    // what the next write starts from: the vault's 40 %; the new holders were stored by the blocks after those that
    // made them (recordHolders), in that order, not by the boundary
    const st = await view(leader, 'payoutState', [])
    assert.equal(st[0], splitRevenue(gross, P).vault)
    // the rollovers: only their hash and count in the contract, the list kept by every node that executed the write
    assert.ok(w.rollover.has(smallHolder), 'the small holder rolls over')
    const rollover = encodeRollover(w.rollover)
    assert.deepEqual([st[2], st[3]], [rollover.hash, BigInt(w.rollover.size)])
    for (const c of [leader, follower]) assert.equal(ethers.hexlify((await c.store.rollover(ethers.getBytes(rollover.hash)))!), ethers.hexlify(rollover.encoded))
    assert.deepEqual([...await view(leader, 'payoutHolders', [])].flat().map((a: string) => a.toLowerCase()), [newHolder, calledHolder, destructHolder, smallHolder])
    const parent = (await leader.blockByNumber(leader.head.header.number - 1n))!
    const before = await leader.call({ to: createAddressFromString(leader.genesis.contracts.PayoutBatches), data: ethers.getBytes(iface.encodeFunctionData('payoutHolders', [])) }, parent)
    assert.ok(before.ok)
    assert.deepEqual([...iface.decodeFunctionResult('payoutHolders', before.returnValue)[0]].map((a: string) => a.toLowerCase()), [newHolder, calledHolder, destructHolder, smallHolder], 'stored before the boundary')
    // the boundary reads them from the array's storage slots, as the view returns them
    const parentState = await leader.stateAt(parent.header.stateRoot)
    assert.deepEqual(await readStoredHolders(parentState, leader.genesis.contracts.PayoutBatches), [newHolder, calledHolder, destructHolder, smallHolder])
    // with the holders read at an ancestor as the known prefix, only the slots after it are read
    assert.deepEqual(await readStoredHolders(parentState, leader.genesis.contracts.PayoutBatches, [newHolder, calledHolder]), [newHolder, calledHolder, destructHolder, smallHolder])
    assert.deepEqual(await readStoredHolders(parentState, leader.genesis.contracts.PayoutBatches, ['0x' + '99'.repeat(20)]), ['0x' + '99'.repeat(20), calledHolder, destructHolder, smallHolder], 'the prefix is trusted: the caller passes only one read at a final ancestor')
  })

  it('commits that root with `lucid payout commit --from-chain`; another root and bad flags are refused', async () => {
    const [, root] = await view(leader, 'entitlementsOf', [1]) as unknown as [boolean, string]
    const batch = '0x1234'
    const domain = commitDomain(leader.chainId, leader.genesis.contracts.PayoutBatches)
    const wrong = ethers.id('an off-chain root')
    const sigs = await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, { epoch: 1, root: wrong, batchHash: ethers.keccak256(batch) })))
    const batches = new ethers.Contract(leader.genesis.contracts.PayoutBatches, iface, disbursers[0].connect(provider))
    await assert.rejects(batches.commit.staticCall(1, wrong, batch, sigs), (e: Error & { data?: string }) => {
      const parsed = iface.parseError(e.data!)
      return parsed?.name === 'RootMismatch' && parsed.args[1] === root
    })

    const dir = mkdtempSync(join(tmpdir(), 'lucid-payout-write-'))
    const compliance = new ethers.Wallet(ethers.id('payout-write compliance'))
    const kycDomain = routerDomain('kyc', BigInt(tronChainId), routers.kyc)
    const kyc: Record<string, unknown> = {}
    const expiry = Math.floor(Date.now() / 1000) + 86_400
    for (const a of new Set([...leader.genesis.rewardAddresses.values()].map((x) => x.toLowerCase()))) {
      const kycHash = ethers.id(`kyc of ${a}`)
      kyc[a] = { kycHash, expiry, signature: await compliance.signTypedData(kycDomain, KYC_TYPES, { to: a, kycHash, expiry }) }
    }
    const kycFile = join(dir, 'kyc.json')
    writeFileSync(kycFile, JSON.stringify(kyc))
    const flags = (more: Partial<PayoutCommitFlags>): PayoutCommitFlags => ({ rpc: rpc.url, tronChainId, v0Router: routers.v0, kycRouter: routers.kyc, compliance: compliance.address, dev: true, validFor: '3600', ...more })
    const refused = async (file: string | undefined, f: Partial<PayoutCommitFlags>, want: RegExp): Promise<void> => {
      await assert.rejects(runPayoutCommit(file, flags(f), {}, () => {}), (e: Error) => want.test(e.message) || assert.fail(e.message))
    }
    await refused(undefined, { fromChain: 'one' }, /^--from-chain: expected a non-negative integer \(a payout epoch\), got one$/)
    await refused(kycFile, { fromChain: '1' }, /--from-chain and an entitlements file exclude each other/)
    await refused(undefined, {}, /pass the epoch's entitlements file, or --from-chain <epoch>/)
    await refused(undefined, { fromChain: '9', kyc: kycFile }, /--from-chain 9: the chain has not written that epoch's entitlements \(yet\)/)
    await refused(undefined, { fromChain: '0', kyc: kycFile }, /--from-chain 0: the chain's entitlements of epoch 0 pay nothing/)
    await refused(undefined, { fromChain: '1' }, /--kyc: kyc\.0x[0-9a-f]{40}: missing: node worker/)
    await refused(undefined, { fromChain: '1', kyc: join(dir, 'absent.json') }, /--kyc .*absent\.json: cannot read: ENOENT/)

    // blocks keep coming while the CLI waits for its receipt
    let done = false
    const producing = (async () => {
      while (!done) {
        await step(leader.headPoot.slot + 1)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()
    let entries = 0
    try {
      // committed in parts of at most 4,096 bytes; the first run stops after sending its second part (as if killed)
      const interrupted = runPayoutCommit(undefined, flags({ fromChain: '1', kyc: kycFile, maxTxBytes: '4096' }), {}, (line) => { if (/^sent part 2 of/.test(line)) throw new Error('interrupted') })
      await assert.rejects(interrupted, /^Error: interrupted$/)
      // the next run finds the epoch committed in the same parts and publishes the rest: the two parts the first run
      // sent may still be in the mempool, and whichever transaction comes second for a part fails harmlessly
      const r = await runPayoutCommit(undefined, flags({ fromChain: '1', kyc: kycFile, maxTxBytes: '4096' }), {}, () => {})
      assert.equal(r.root, root)
      assert.equal(r.epoch, 1)
      assert.equal(r.resumed, true)
      assert.ok(r.parts >= 3, `${r.parts} parts`)
      assert.ok(r.txHash !== undefined)
      assert.equal((await view(leader, 'partsOf', [1]))[1], (1n << BigInt(r.parts)) - 1n)
      const listed = (await provider.send('lucid_payoutBatches', [1]) as { batches: Array<{ root: string, transactionHash: string | null, parts?: unknown }> }).batches
      assert.deepEqual(listed.map((b) => [b.root, b.parts, b.transactionHash !== null]), [[root, { count: r.parts, published: r.parts }, true]])
      entries = r.entries
      await refused(undefined, { fromChain: '1', kyc: kycFile, maxTxBytes: '4096' }, new RegExp(`^epoch 1 is already committed \\(root ${root}, block [0-9]+, all ${r.parts} parts published\\): one batch per epoch$`))
      await refused(undefined, { fromChain: '1', kyc: kycFile, maxTxBytes: '4095' }, /^--max-tx-bytes: at least 4096, got 4095$/)
    } finally {
      done = true
      await producing
    }
    const [cRoot] = await view(leader, 'commitmentOf', [1]) as unknown as [string]
    assert.equal(cRoot, root)
    assert.equal(((await view(follower, 'commitmentOf', [1])) as unknown as [string])[0], root)
    // the payout sidecar reads the same system-written roots over JSON-RPC (and refuses a batch of another root)
    const source = new JsonRpcBatchSource(rpc.url, { batchContract: leader.genesis.contracts.PayoutBatches, registry: leader.genesis.contracts.ParamRegistry, finality: 0 })
    try {
      assert.equal(await source.systemRoot(1), root.toLowerCase())
      assert.equal(await source.systemRoot(0), null, 'a zero root binds nothing')
      assert.equal(await source.systemRoot(40), null)
      const { batches: seen } = await source.finalBatchesSince(0)
      assert.deepEqual(seen.map((b) => [b.epoch, b.id, b.entries.length]), [[1, root.toLowerCase(), entries]])
    } finally { source.provider.destroy() }
  })

  it('a node synced from genesis, then restarted, computes the next epoch\'s write as the leader does', async () => {
    const P = leader.genesis.payout
    const dir = mkdtempSync(join(tmpdir(), 'lucid-payout-late-'))
    const genesis = await devGenesis()
    let late = await Chain.open({ dir, genesis })
    try {
      for (const env of await leader.envelopes(1n, Number(leader.head.header.number), 1 << 30)) {
        const r = await late.importEnvelope(env, Number.MAX_SAFE_INTEGER)
        assert.ok(r.ok, r.ok ? '' : r.reason)
      }
      await late.close()
      late = await Chain.open({ dir, genesis })
      assert.equal(bytesToHex(late.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot), 'synced and restarted: the leader\'s state')
      // income for the epoch of the next block (which includes the declaration: when the head ends an epoch, that
      // block writes it before its transactions run), and a transfer that makes another new holder
      const epoch = payoutEpochOf(leader.headPoot.slot + 1, P)
      assert.ok(epoch >= 2)
      const domain = commitDomain(leader.chainId, leader.genesis.contracts.PayoutBatches)
      const sigs = await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (s) => await s.signTypedData(domain, INCOME_TYPES, { epoch, grossUsd: gross, networkFeeUsd: fee })))
      await disbursers[2].connect(provider).sendTransaction({ to: leader.genesis.contracts.PayoutBatches, data: iface.encodeFunctionData('declareIncome', [epoch, gross, fee, sigs]) })
      await new ethers.Wallet(DEV_KEYS[4], provider).sendTransaction({ to: '0x' + 'cd'.repeat(20), value: ethers.parseEther('100000') })
      for (let slot = leader.headPoot.slot + 1; payoutEpochOf(leader.headPoot.slot, P) <= epoch; slot++) {
        await step(slot)
        const r = await late.importEnvelope((await leader.envelopeOf(leader.head))!, Number.MAX_SAFE_INTEGER)
        assert.ok(r.ok, r.ok ? '' : r.reason)
        assert.equal(bytesToHex(late.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot), `slot ${slot}: the late node's state root`)
      }
      const [written, root] = await view(late, 'entitlementsOf', [epoch]) as unknown as [boolean, string]
      assert.equal(written, true)
      assert.notEqual(root, ethers.ZeroHash)
      assert.equal((await late.payoutEntitlements(epoch))!.root, (await leader.payoutEntitlements(epoch))!.root)
      assert.deepEqual([...await view(late, 'payoutHolders', [])].flat().map((a: string) => a.toLowerCase()), [newHolder, calledHolder, destructHolder, smallHolder, '0x' + 'cd'.repeat(20)])
      // the rollover of epoch 1, read back from the list the late node kept by the contract's hash, grew by a share
      const carried = (await leader.payoutEntitlements(1))!.rollover.get(smallHolder)!
      assert.ok((await late.payoutEntitlements(epoch))!.rollover.get(smallHolder)! > carried, 'the small holder\'s rollover carried over and grew')
    } finally {
      await late.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a payout epoch without any block is written by the first block after it, after the epoch before it, with its declared income', async () => {
    const P = leader.genesis.payout
    const slot = leader.headPoot.slot + 1
    const epoch = payoutEpochOf(slot, P)
    const skipped = epoch + 1
    const domain = commitDomain(leader.chainId, leader.genesis.contracts.PayoutBatches)
    const sigs = await Promise.all(ascendingSigners(disbursers.slice(1)).map(async (d) => await d.signTypedData(domain, INCOME_TYPES, { epoch: skipped, grossUsd: gross, networkFeeUsd: fee })))
    await disbursers[0].connect(provider).sendTransaction({ to: leader.genesis.contracts.PayoutBatches, data: iface.encodeFunctionData('declareIncome', [skipped, gross, fee, sigs]) })
    await step(slot)
    assert.deepEqual([...await view(leader, 'incomeOf', [skipped])], [true, gross, fee])
    // not a single block in payout epoch `skipped`: the next one is in the epoch after it
    await step((skipped + 1) * P.epochSlots + 1)
    const head = leader.head.header.number
    const [w0, w1] = await Promise.all([epoch, skipped].map(async (e) => await view(leader, 'entitlementsOf', [e]) as unknown as [boolean, string, bigint]))
    assert.deepEqual([w0[0], w0[2], w1[0], w1[2]], [true, head, true, head], 'both written by that block')
    assert.notEqual(w1[1], ethers.ZeroHash, 'the skipped epoch\'s income is shared out')
    const recomputed = (await leader.payoutEntitlements(skipped))!
    assert.equal(recomputed.root, w1[1])
    assert.ok(recomputed.distributedUsd > 0n)
    assert.equal((await leader.payoutEntitlements(epoch))!.root, w0[1])
    assert.equal((await follower.payoutEntitlements(skipped))!.root, w1[1], 'the follower recomputes it too')
  })

  it('a stall longer than the per-block cap is written over the next blocks, each epoch once, in order; a restarted node agrees', async () => {
    const P = leader.genesis.payout
    const from = payoutEpochOf(leader.headPoot.slot, P)
    const stalled = MAX_PAYOUT_WRITES_PER_BLOCK + 3 // epochs without a block after `from`
    const last = from + stalled // the epoch the chain resumes in; epochs from..last-1 are owed
    const unwritten = async (chain: Chain): Promise<number[]> => {
      const out: number[] = []
      for (let e = from; e < last; e++) if (!(await view(chain, 'entitlementsOf', [e]))[0]) out.push(e)
      return out
    }
    await step((last * P.epochSlots) + 1)
    const first = leader.head.header.number
    assert.deepEqual(await unwritten(leader), Array.from({ length: stalled - MAX_PAYOUT_WRITES_PER_BLOCK }, (_, i) => from + MAX_PAYOUT_WRITES_PER_BLOCK + i), 'the cap: the newest epochs wait')
    await step((last * P.epochSlots) + 2) // same payout epoch: no new epoch is due, the backlog is
    assert.deepEqual(await unwritten(leader), [])
    const at = await Promise.all(Array.from({ length: stalled }, async (_, i) => (await view(leader, 'entitlementsOf', [from + i]))[2] as bigint))
    assert.deepEqual(at, at.map((_, i) => i < MAX_PAYOUT_WRITES_PER_BLOCK ? first : first + 1n))
    assert.deepEqual(await unwritten(follower), [], 'the follower re-executed both blocks to the same state')
    await step((last * P.epochSlots) + 3)
    assert.equal((await view(leader, 'entitlementsOf', [last]))[0], false, 'nothing written twice, nothing early')
    // the backlog follows from the blocks' slots: a node reopened on the follower's store writes what the leader does
    await follower.close()
    follower = await Chain.open({ dir: followerDir, genesis: follower.genesis })
    assert.equal((await follower.payoutEntitlements(from + stalled - 1))!.root, (await leader.payoutEntitlements(from + stalled - 1))!.root)
    await step((last + 1) * P.epochSlots)
    assert.equal((await view(follower, 'entitlementsOf', [last]))[0], true)
    // clients read which payout epoch the next block (by the clock) is in
    const { genesisMs, params: { slotMs } } = leader.genesis.poot
    const epochNow = (): number => Math.floor(Math.max(leader.headPoot.slot + 1, Math.floor((Date.now() - genesisMs) / slotMs)) / P.epochSlots)
    const before = epochNow()
    const { payoutEpoch } = await provider.send('lucid_chainInfo', []) as { payoutEpoch: number }
    assert.ok(payoutEpoch >= before && payoutEpoch <= epochNow(), `payout epoch ${payoutEpoch}`)
  })

  it('a 1,000-entry batch commit (434 KB) is accepted over JSON-RPC, mined, and re-executed by the follower', async () => {
    const epoch = 900 // not written by the chain: any root may be committed for it
    const batch = syntheticBatchPayload(1000)
    const root = ethers.id('a large batch')
    const domain = commitDomain(leader.chainId, leader.genesis.contracts.PayoutBatches)
    const sigs = await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (d) => await d.signTypedData(domain, COMMIT_TYPES, { epoch, root, batchHash: ethers.keccak256(batch) })))
    const sent = await disbursers[0].connect(provider).sendTransaction({ to: leader.genesis.contracts.PayoutBatches, data: iface.encodeFunctionData('commit', [epoch, root, batch, sigs]) })
    assert.ok(ethers.dataLength(sent.data) > 400_000, `${ethers.dataLength(sent.data)} bytes`)
    await step(leader.headPoot.slot + 1)
    const receipt = await provider.getTransactionReceipt(sent.hash)
    assert.equal(receipt?.status, 1)
    assert.ok(receipt.gasUsed > 5_000_000n && receipt.gasUsed < 30_000_000n, `gas ${receipt.gasUsed}`)
    const [committed] = await view(follower, 'commitmentOf', [epoch]) as unknown as [string]
    assert.equal(committed, root)
  })

  it('lucid_payoutEntitlements: the record over JSON-RPC, null for an epoch not written, bad params and a store without the record refused with the reason', async () => {
    const got = await provider.send('lucid_payoutEntitlements', [1]) as { epoch: number, root: string, blockNumber: string, count: number }
    const [, root, blockNumber] = await view(leader, 'entitlementsOf', [1]) as unknown as [boolean, string, bigint]
    assert.deepEqual([got.epoch, got.root, BigInt(got.blockNumber)], [1, root.toLowerCase(), blockNumber])
    assert.ok(got.count > 0)
    assert.equal(await provider.send('lucid_payoutEntitlements', [899]), null)
    await assert.rejects(provider.send('lucid_payoutEntitlements', ['epoch one']), /params\[0\] \(epoch\)/)
    // the follower's record of the writing block deleted, as in a store from before records were kept
    const block = (await follower.blockByNumber(blockNumber))!
    await follower.close()
    const level = new ClassicLevel<Uint8Array, Uint8Array>(followerDir, { keyEncoding: 'view', valueEncoding: 'view' })
    await level.sublevel<Uint8Array, Uint8Array>('meta', { keyEncoding: 'view', valueEncoding: 'view' }).del(concatBytes(utf8ToBytes('p:'), block.hash()))
    await level.close()
    follower = await Chain.open({ dir: followerDir, genesis: await devGenesis() })
    const served = await startRpcServer(follower, { port: 0 })
    try {
      const res = await fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'lucid_payoutEntitlements', params: [1] }) })
      const body = await res.json() as { id: number, error?: { code: number, message: string } }
      assert.equal(body.id, 7)
      assert.match(body.error?.message ?? '', new RegExp(`block ${blockNumber} wrote epoch 1's entitlements but has no stored record of them`))
      assert.equal(await follower.payoutEntitlements(0).then((r) => r?.epoch), 0, 'other epochs are still served')
    } finally { await served.close() }
  })
})
