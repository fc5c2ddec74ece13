// PayoutBatches and the chain's own payout computation: the disbursers declare an epoch's income (2-of-3), the
// system address records the entitlements the chain computed (and, at every block, the holders the block before made),
// and a disbursers' commit must then carry that root.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import fc from 'fast-check'
import { COMMIT_TYPES, ascendingSigners, ENTITLEMENTS_EVENT, INCOME_TYPES, commitDomain, encodeEntitlements, decodeEntitlements, type CommittedEntry } from '../../protocols/poot/payout-commitment.js'
import { getChain, type TestChain } from './support/chain.js'
import { as, deploy, eventsOf, mined, rejectsWith, fundedWallets, wallets } from './support/contracts.js'


describe('contracts: PayoutBatches income and entitlements', function () {
  let chain: TestChain
  let governance: ethers.Signer
  let system: ethers.Signer
  let outsider: ethers.Signer
  let disbursers: ethers.Wallet[]
  let batches: ethers.Contract
  let domain: ethers.TypedDataDomain
  const entries: CommittedEntry[] = [
    { index: 0, address: '0x' + '11'.repeat(20), route: 'kyc', grossUsd: 30_000_000n, networkFeeUsd: 1_000_000n, platformFeeUsd: 0n, netUsd: 29_000_000n },
    { index: 1, address: '0x' + '22'.repeat(20), route: 'v0', grossUsd: 12_000_000n, networkFeeUsd: 1_000_000n, platformFeeUsd: 0n, netUsd: 11_000_000n }
  ]
  const root = ethers.id('blake3 root computed by the chain')
  const batch = '0x1234'

  before(async function () {
    chain = await getChain()
    ;[governance, system, outsider] = chain.accounts
    disbursers = await fundedWallets(3, 'payout-entitlements disburser', chain.provider, governance)
  })

  beforeEach(async function () {
    const registry = await deploy('ParamRegistry', governance, await governance.getAddress(), disbursers.map((d) => d.address))
    batches = await deploy('PayoutBatches', governance, await registry.getAddress(), await system.getAddress())
    domain = commitDomain((await chain.provider.getNetwork()).chainId, await batches.getAddress())
  })

  const by = (i: number): ethers.Contract => as(batches, disbursers[i])
  /** what PayoutBatches keeps of a rollover list: keccak256(abi.encode(accounts, amounts)) */
  const rolloverHash = (accounts: string[], amounts: bigint[]): string => ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['address[]', 'uint256[]'], [accounts, amounts]))
  const incomeSigs = async (epoch: number, gross: bigint, fee: bigint, signers: ethers.Wallet[]): Promise<string[]> =>
    await Promise.all(signers.map(async (s) => await s.signTypedData(domain, INCOME_TYPES, { epoch, grossUsd: gross, networkFeeUsd: fee })))
  const commitSigs = async (epoch: number, r: string): Promise<string[]> =>
    await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, { epoch, root: r, batchHash: ethers.keccak256(batch) })))
  const record = (epoch: number, r: string, holders: string[] = [], roll: [string[], bigint[]] = [[], []], vault: [bigint, bigint] = [0n, 0n]): Promise<ethers.ContractTransactionResponse> =>
    as(batches, system).recordEntitlements(epoch, r, encodeEntitlements(entries), holders, roll[0], roll[1], vault[0], vault[1])

  it('takes an epoch\'s income once, with two disbursers\' signatures', async function () {
    const sigs = await incomeSigs(3, 5_000_000_000n, 1_000_000n, ascendingSigners(disbursers.slice(1)))
    assert.equal(await batches.incomeDigest(3, 5_000_000_000n, 1_000_000n), ethers.TypedDataEncoder.hash(domain, INCOME_TYPES, { epoch: 3, grossUsd: 5_000_000_000n, networkFeeUsd: 1_000_000n }))
    const r = await mined(by(0).declareIncome(3, 5_000_000_000n, 1_000_000n, sigs))
    assert.deepEqual([...eventsOf(r, batches, 'PayoutIncomeDeclared')[0]], [3n, 5_000_000_000n, 1_000_000n, disbursers[0].address])
    assert.deepEqual([...await batches.incomeOf(3)], [true, 5_000_000_000n, 1_000_000n])
    assert.deepEqual([...await batches.incomeOf(4)], [false, 0n, 0n])
    await rejectsWith(by(1).declareIncome(3, 1n, 0n, await incomeSigs(3, 1n, 0n, ascendingSigners(disbursers.slice(0, 2)))), batches, 'IncomeAlreadyDeclared', [3n])
  })

  it('refuses an income declaration from an outsider, with too few, foreign, tampered or unsorted signatures', async function () {
    const [lo, hi] = ascendingSigners(disbursers.slice(0, 2))
    const good = await incomeSigs(5, 100n, 0n, [lo, hi])
    await rejectsWith(as(batches, outsider).declareIncome(5, 100n, 0n, good), batches, 'NotDisburser', [await outsider.getAddress()])
    await rejectsWith(by(0).declareIncome(5, 100n, 0n, good.slice(0, 1)), batches, 'NotEnoughApprovals', [1n, 2n])
    await rejectsWith(by(0).declareIncome(5, 100n, 0n, [good[1], good[0]]), batches, 'SignersNotAscending')
    await rejectsWith(by(0).declareIncome(5, 101n, 0n, good), batches, 'UnknownSigner')
    const stranger = wallets(1, 'payout-entitlements stranger')[0]
    const foreign = ascendingSigners([lo, stranger])
    await rejectsWith(by(0).declareIncome(5, 100n, 0n, await incomeSigs(5, 100n, 0n, foreign)), batches, 'UnknownSigner', [stranger.address])
    assert.deepEqual([...await batches.incomeOf(5)], [false, 0n, 0n])
  })

  it('lets only the system address record entitlements, once per epoch, and keeps the next computation\'s state', async function () {
    await rejectsWith(by(0).recordEntitlements(7, root, '0x', [], [], [], 0n, 0n), batches, 'NotSystem', [disbursers[0].address])
    await rejectsWith(as(batches, system).recordEntitlements(7, root, '0x', [], [entries[0].address], [], 0n, 0n), batches, 'LengthMismatch')
    const a = ethers.getAddress('0x' + '33'.repeat(20))
    const b = ethers.getAddress('0x' + '44'.repeat(20))
    const r = await mined(record(7, root, [a], [[b], [9_000_000n]], [400n, 20_000_000_000_000n]))
    const ev = eventsOf(r, batches, 'PayoutEntitlements')
    assert.equal(ev.length, 1)
    assert.deepEqual([ev[0][0], ev[0][1]], [7n, root])
    assert.deepEqual(decodeEntitlements(ev[0][2] as string), entries)
    assert.equal(batches.interface.getEvent('PayoutEntitlements')!.topicHash, new ethers.Interface([ENTITLEMENTS_EVENT]).getEvent('PayoutEntitlements')!.topicHash)
    assert.deepEqual([...await batches.entitlementsOf(7)], [true, root, BigInt(r.blockNumber)])
    assert.deepEqual([...await batches.entitlementsOf(8)], [false, ethers.ZeroHash, 0n])
    assert.deepEqual([...await batches.payoutState()], [400n, 20_000_000_000_000n, rolloverHash([b], [9_000_000n]), 1n])
    await rejectsWith(record(7, root), batches, 'EntitlementsAlreadyWritten', [7n])
    // holders accumulate; rollovers and the vault are replaced
    await mined(record(8, ethers.ZeroHash, [b], [[], []], [500n, 20_000_000_000_000n]))
    assert.deepEqual([...await batches.payoutHolders()], [a, b])
    assert.deepEqual([...await batches.payoutState()], [500n, 20_000_000_000_000n, rolloverHash([], []), 0n])
  })

  it('property: the rollover hash and count are always those of the last list written, and the write\'s storage does not grow with the list', async function () {
    const addr = (n: number): string => ethers.getAddress('0x' + n.toString(16).padStart(40, '0'))
    const lists = fc.array(fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.bigInt({ min: 1n, max: 2n ** 128n })), { maxLength: 60 }), { minLength: 1, maxLength: 4 })
    let epoch = 100
    await fc.assert(fc.asyncProperty(lists, async (writes) => {
      for (const w of writes) {
        const list = [...new Map(w.map(([n, usd]) => [addr(n), usd])).entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))
        const accounts = list.map((x) => x[0])
        const amounts = list.map((x) => x[1])
        const r = await mined(record(epoch++, root, [], [accounts, amounts]))
        assert.deepEqual([...await batches.payoutState()].slice(2), [rolloverHash(accounts, amounts), BigInt(list.length)])
        // calldata and hashing grow with the list; storage writes do not: well under one 20,000-gas store per entry
        assert.ok(r.gasUsed < 150_000n + 2_500n * BigInt(list.length), `${list.length} rollovers: ${r.gasUsed} gas`)
      }
    }), { numRuns: Number(process.env.LUCID_PROPERTY_RUNS ?? 25) })
  })

  it('records the holders of a block: only from the system address, each once, only accounts with a balance and no code', async function () {
    const [rich, poor] = wallets(2, 'payout-entitlements holders').map((w) => w.address)
    await (await governance.sendTransaction({ to: rich, value: 1n })).wait()
    const contract = await batches.getAddress() // code (and no balance)
    const funded = await governance.getAddress()
    await rejectsWith(by(0).recordHolders([rich]), batches, 'NotSystem', [disbursers[0].address])
    await mined(as(batches, system).recordHolders([rich, poor, contract, funded]))
    assert.deepEqual([...await batches.payoutHolders()], [rich, funded])
    assert.deepEqual(await Promise.all([rich, poor, contract, funded].map(async (a) => await batches.isHolder(a))), [true, false, false, true])
    // a second record of the same accounts, and an entitlements write naming one, store nothing twice
    await mined(as(batches, system).recordHolders([funded, rich]))
    await mined(record(13, ethers.ZeroHash, [rich, ethers.getAddress('0x' + '55'.repeat(20))]))
    assert.deepEqual([...await batches.payoutHolders()], [rich, funded, ethers.getAddress('0x' + '55'.repeat(20))])
  })

  it('refuses income for an epoch already written or committed', async function () {
    await mined(record(9, root))
    await rejectsWith(by(0).declareIncome(9, 100n, 0n, await incomeSigs(9, 100n, 0n, ascendingSigners(disbursers.slice(0, 2)))), batches, 'EntitlementsAlreadyWritten', [9n])
    await mined(by(0).commit(10, root, batch, await commitSigs(10, root)))
    await rejectsWith(by(0).declareIncome(10, 100n, 0n, await incomeSigs(10, 100n, 0n, ascendingSigners(disbursers.slice(0, 2)))), batches, 'EpochAlreadyCommitted', [10n, root])
  })

  it('binds the disbursers\' commit to the root the system wrote; a zero root binds nothing', async function () {
    await mined(record(11, root))
    const wrong = ethers.id('an off-chain root')
    await rejectsWith(by(0).commit(11, wrong, batch, await commitSigs(11, wrong)), batches, 'RootMismatch', [11n, root, wrong])
    await rejectsWith(as(batches, system).commit(11, wrong, batch, []), batches, 'RootMismatch', [11n, root, wrong])
    await mined(by(0).commit(11, root, batch, await commitSigs(11, root)))
    assert.equal(await batches.isCommitted(11), true)
    await mined(record(12, ethers.ZeroHash))
    await mined(by(0).commit(12, wrong, batch, await commitSigs(12, wrong)))
  })
})
