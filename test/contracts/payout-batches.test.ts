// PayoutBatches: one payout batch per epoch, committed by a disburser with 2-of-3 disburser signatures (or by the
// system address), published as PayoutBatchCommitted for the payout sidecar.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { encodeBatchPayload, joinBatchPayloads, partsCommitValue, splitBatchPayload, COMMIT_EVENT, COMMIT_TYPES, PART_EVENT, PARTS_COMMIT_EVENT, commitDomain, type CommittedEntry, type RouterApproval, ascendingSigners } from '../../protocols/poot/payout-commitment.js'
import { getChain, type TestChain } from './support/chain.js'
import { pendingParts, sendBatch } from '../../node/src/cli/commands/payout-commit-send.js'
import { as, deploy, eventsOf, mined, rejectsWith, fundedWallets, wallets } from './support/contracts.js'

/** A batch in the sidecar's encoding: n entries (every third KYC, with a 65-byte attestation) and two approvals. */
function entriesAndApprovals (n: number, seed: string): { entries: CommittedEntry[], approvals: RouterApproval[] } {
  const sig65 = (i: number): string => ethers.concat([ethers.id(`${seed} r ${i}`), ethers.id(`${seed} s ${i}`), '0x1b'])
  const entries: CommittedEntry[] = Array.from({ length: n }, (_, i) => {
    const kyc = i % 3 === 0
    return {
      index: i,
      address: ethers.id(`${seed} holder ${i}`).slice(0, 42),
      route: kyc ? 'kyc' : 'v0',
      grossUsd: 25_000_000n + BigInt(i),
      networkFeeUsd: 1_000_000n,
      platformFeeUsd: 0n,
      netUsd: 24_000_000n + BigInt(i),
      ...(kyc ? { kyc: { kycHash: ethers.id(`${seed} kyc ${i}`), expiry: 2_000_000_000n, signature: sig65(i) } } : {})
    }
  })
  const approvals: RouterApproval[] = (['v0', 'kyc'] as const).map((route, r) => ({
    route, root: ethers.id(`${seed} route root ${route}`), total: 1_000_000_000n, deadline: 2_000_000_000n, signatures: [sig65(1000 + 2 * r), sig65(1001 + 2 * r)]
  }))
  return { entries, approvals }
}
function payload (n: number, seed: string): string {
  const { entries, approvals } = entriesAndApprovals(n, seed)
  return encodeBatchPayload(entries, approvals)
}

describe('contracts: PayoutBatches', function () {
  let chain: TestChain
  let governance: ethers.Signer
  let system: ethers.Signer
  let outsider: ethers.Signer
  let disbursers: ethers.Wallet[]
  let registry: ethers.Contract
  let batches: ethers.Contract
  let domain: ethers.TypedDataDomain
  const root = ethers.id('blake3 root of epoch 7')
  const batch = payload(4, 'small')

  before(async function () {
    chain = await getChain()
    ;[governance, system, outsider] = chain.accounts
    // the disbursers send the commit themselves: funded wallets (their keys sign the EIP-712 approvals)
    disbursers = await fundedWallets(3, 'payout-batches disburser', chain.provider, governance)
  })

  beforeEach(async function () {
    registry = await deploy('ParamRegistry', governance, await governance.getAddress(), disbursers.map((d) => d.address))
    batches = await deploy('PayoutBatches', governance, await registry.getAddress(), await system.getAddress())
    domain = commitDomain((await chain.provider.getNetwork()).chainId, await batches.getAddress())
  })

  /** Signatures of `signers` over the commitment, ascending by signer address unless `order` is 'as given'. */
  async function sign (epoch: number, r: string, data: string, signers: ethers.Wallet[], order: 'ascending' | 'as given' = 'ascending'): Promise<string[]> {
    const list = order === 'ascending' ? ascendingSigners(signers) : signers
    return await Promise.all(list.map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, { epoch, root: r, batchHash: ethers.keccak256(data) })))
  }
  const by = (i: number): ethers.Contract => as(batches, disbursers[i])

  it('commits a batch signed by two disbursers and emits exactly the sidecar\'s event', async function () {
    const sigs = await sign(7, root, batch, disbursers.slice(1))
    const r = await mined(by(0).commit(7, root, batch, sigs))
    const events = eventsOf(r, batches, 'PayoutBatchCommitted')
    assert.equal(events.length, 1)
    assert.deepEqual([...events[0]], [7n, root, batch])
    // the event is the one the sidecar filters on (same signature, so the same topic)
    assert.equal(batches.interface.getEvent('PayoutBatchCommitted')!.topicHash, new ethers.Interface([COMMIT_EVENT]).getEvent('PayoutBatchCommitted')!.topicHash)
    const [cRoot, cHash, cBlock, committer] = await batches.commitmentOf(7)
    assert.deepEqual([cRoot, cHash, cBlock, committer], [root, ethers.keccak256(batch), BigInt(r.blockNumber), disbursers[0].address])
    assert.equal(await batches.isCommitted(7), true)
    assert.equal(await batches.isCommitted(8), false)
    assert.deepEqual([...await batches.committedEpochs()], [7n])
    assert.equal(await batches.epochCount(), 1n)
    assert.deepEqual([...await batches.commitmentOf(8)], [ethers.ZeroHash, ethers.ZeroHash, 0n, ethers.ZeroAddress])
  })

  it('computes the domain separator and digest that ethers signs', async function () {
    assert.equal(await batches.domainSeparator(), ethers.TypedDataEncoder.hashDomain(domain))
    const value = { epoch: 3, root, batchHash: ethers.keccak256(batch) }
    assert.equal(await batches.commitDigest(3, root, value.batchHash), ethers.TypedDataEncoder.hash(domain, COMMIT_TYPES, value))
  })

  it('refuses a second batch for an epoch, whoever commits it; other epochs stay open', async function () {
    await mined(by(0).commit(1, root, batch, await sign(1, root, batch, disbursers.slice(0, 2))))
    const other = ethers.id('another root')
    await rejectsWith(by(2).commit(1, other, batch, await sign(1, other, batch, disbursers.slice(1))), batches, 'EpochAlreadyCommitted', [1n, root])
    await rejectsWith(by(0).commit(1, root, batch, await sign(1, root, batch, disbursers.slice(0, 2))), batches, 'EpochAlreadyCommitted', [1n, root])
    await rejectsWith(as(batches, system).commit(1, other, batch, []), batches, 'EpochAlreadyCommitted', [1n, root])
    await mined(by(1).commit(2, other, batch, await sign(2, other, batch, disbursers.slice(0, 2))))
    assert.deepEqual([...await batches.committedEpochs()], [1n, 2n])
  })

  it('lets only a disburser or the system address commit', async function () {
    const sigs = await sign(4, root, batch, disbursers.slice(0, 2))
    await rejectsWith(as(batches, outsider).commit(4, root, batch, sigs), batches, 'NotCommitter', [await outsider.getAddress()])
    await rejectsWith(as(batches, governance).commit(4, root, batch, sigs), batches, 'NotCommitter', [await governance.getAddress()])
    // the system address needs no signatures: only the chain runtime can act as it
    const r = await mined(as(batches, system).commit(4, root, batch, []))
    assert.deepEqual([...eventsOf(r, batches, 'PayoutBatchCommitted')[0]], [4n, root, batch])
    assert.equal((await batches.commitmentOf(4))[3], await system.getAddress())
  })

  it('refuses a zero root and an empty batch', async function () {
    await rejectsWith(by(0).commit(5, ethers.ZeroHash, batch, await sign(5, ethers.ZeroHash, batch, disbursers.slice(0, 2))), batches, 'ZeroRoot')
    await rejectsWith(as(batches, system).commit(5, ethers.ZeroHash, batch, []), batches, 'ZeroRoot')
    await rejectsWith(by(0).commit(5, root, '0x', await sign(5, root, '0x', disbursers.slice(0, 2))), batches, 'EmptyBatch')
    assert.equal(await batches.isCommitted(5), false)
  })

  it('needs two distinct disbursers\' signatures over this epoch, root and batch, in ascending order', async function () {
    await rejectsWith(by(0).commit(6, root, batch, []), batches, 'NotEnoughApprovals', [0n, 2n])
    await rejectsWith(by(0).commit(6, root, batch, await sign(6, root, batch, [disbursers[0]])), batches, 'NotEnoughApprovals', [1n, 2n])
    const stranger = wallets(1, 'payout-batches stranger')[0]
    await rejectsWith(by(0).commit(6, root, batch, await sign(6, root, batch, [disbursers[0], stranger])), batches, 'UnknownSigner', [stranger.address])
    const [lo, hi] = ascendingSigners(disbursers.slice(0, 2))
    await rejectsWith(by(0).commit(6, root, batch, await sign(6, root, batch, [hi, lo], 'as given')), batches, 'SignersNotAscending')
    const once = await sign(6, root, batch, [lo])
    await rejectsWith(by(0).commit(6, root, batch, [once[0], once[0]]), batches, 'SignersNotAscending')
    // signatures over anything else recover to someone who is not a disburser
    const tampered = payload(4, 'tampered')
    await rejectsWith(by(0).commit(6, root, tampered, await sign(6, root, batch, [lo, hi])), batches, 'UnknownSigner')
    await rejectsWith(by(0).commit(6, root, batch, await sign(9, root, batch, [lo, hi])), batches, 'UnknownSigner')
    await rejectsWith(by(0).commit(6, root, batch, await sign(6, ethers.id('other'), batch, [lo, hi])), batches, 'UnknownSigner')
    await mined(by(0).commit(6, root, batch, await sign(6, root, batch, [lo, hi, disbursers[2]])))
  })

  it('follows a rotation of the registry\'s disbursers at once', async function () {
    const next = [disbursers[0], ...wallets(2, 'payout-batches next disburser')]
    await mined(as(registry, governance).setDisbursers(next.map((d) => d.address)))
    await rejectsWith(by(1).commit(10, root, batch, await sign(10, root, batch, disbursers.slice(0, 2))), batches, 'NotCommitter', [disbursers[1].address])
    await rejectsWith(by(0).commit(10, root, batch, await sign(10, root, batch, disbursers.slice(0, 2))), batches, 'UnknownSigner', [disbursers[1].address])
    await mined(by(0).commit(10, root, batch, await sign(10, root, batch, next.slice(1))))
  })

  it('refuses a zero registry or system address at deployment', async function () {
    const art = (await import('../../contracts/index.js')).loadArtifact('PayoutBatches')
    const factory = new ethers.ContractFactory(art.abi as ethers.InterfaceAbi, art.bytecode, governance)
    await rejectsWith(factory.deploy(ethers.ZeroAddress, await system.getAddress()), batches, 'ZeroAddress')
    await rejectsWith(factory.deploy(await registry.getAddress(), ethers.ZeroAddress), batches, 'ZeroAddress')
  })

  it('commits a 100-entry batch for well under a block\'s gas', async function () {
    const big = payload(100, 'big')
    const sigs = await sign(11, root, big, disbursers.slice(0, 2))
    const r = await mined(by(0).commit(11, root, big, sigs))
    const bytes = ethers.getBytes(big).length
    // calldata (~16 gas per non-zero byte) + log data (8 gas per byte) + three new slots + two ecrecovers
    assert.ok(r.gasUsed < 1_500_000n, `gas ${r.gasUsed} for ${bytes} bytes`)
    assert.ok(bytes < 100 * 1024, `payload ${bytes} bytes (the Lucid mempool takes transactions up to 128 KiB)`)
    assert.deepEqual([...eventsOf(r, batches, 'PayoutBatchCommitted')[0]], [11n, root, big])
    console.log(`      PayoutBatches.commit, 100 entries (${bytes} bytes): ${r.gasUsed} gas`)
  })

  describe('a batch committed in parts', function () {
    // 30 entries split at 4,000 bytes: a head with the approvals, then parts of the entries in order
    const { entries, approvals } = entriesAndApprovals(30, 'parts')
    const split = splitBatchPayload(entries, approvals, 4_000) as { head: string, parts: string[] }
    const partHashes = split.parts.map((p) => ethers.keccak256(p))
    const signParts = async (epoch: number, r: string, head: string, parts: string[], signers: ethers.Wallet[]): Promise<string[]> =>
      await Promise.all(ascendingSigners(signers).map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, partsCommitValue(epoch, r, head, parts))))

    it('commits the head and part hashes with two approvals; anyone publishes each part once; the parts join to the batch', async function () {
      assert.ok(split.parts.length >= 3, `${split.parts.length} parts`)
      assert.equal(await batches.partsBatchHash(split.head, partHashes), partsCommitValue(12, root, split.head, split.parts).batchHash)
      const r = await mined(by(0).commitParts(12, root, split.head, partHashes, await signParts(12, root, split.head, split.parts, disbursers.slice(1))))
      assert.deepEqual([...eventsOf(r, batches, 'PayoutBatchPartsCommitted')[0]].map(String), [12n, root, split.head, partHashes].map(String))
      assert.equal(batches.interface.getEvent('PayoutBatchPartsCommitted')!.topicHash, new ethers.Interface([PARTS_COMMIT_EVENT]).getEvent('PayoutBatchPartsCommitted')!.topicHash)
      assert.equal(batches.interface.getEvent('PayoutBatchPart')!.topicHash, new ethers.Interface([PART_EVENT]).getEvent('PayoutBatchPart')!.topicHash)
      assert.equal(await batches.isCommitted(12), true)
      assert.equal((await batches.commitmentOf(12))[1], partsCommitValue(12, root, split.head, split.parts).batchHash)

      // published out of order, by someone who is not a disburser: the commitment binds the bytes
      const published: string[] = []
      for (const i of [2, 0, 1, ...split.parts.keys()].filter((v, k, a) => a.indexOf(v) === k)) {
        const pr = await mined(as(batches, outsider).publishPart(12, i, split.parts[i]))
        assert.deepEqual([...eventsOf(pr, batches, 'PayoutBatchPart')[0]], [12n, root, BigInt(i), BigInt(split.parts.length), split.parts[i]])
        published[i] = split.parts[i]
      }
      const [hashes, bits] = await batches.partsOf(12)
      assert.deepEqual([...hashes], partHashes)
      assert.equal(bits, (1n << BigInt(split.parts.length)) - 1n)
      assert.deepEqual(joinBatchPayloads([split.head, ...published]), { entries, approvals })

      await rejectsWith(by(1).publishPart(12, 0, split.parts[0]), batches, 'PartAlreadyPublished', [12n, 0n])
      await rejectsWith(by(1).publishPart(12, split.parts.length, split.parts[0]), batches, 'UnknownPart', [12n, BigInt(split.parts.length)])
    })

    it('refuses a part other than the committed one, parts of a batch committed whole, and a second commit', async function () {
      await mined(by(0).commitParts(13, root, split.head, partHashes, await signParts(13, root, split.head, split.parts, disbursers.slice(0, 2))))
      await rejectsWith(by(0).publishPart(13, 0, split.parts[1]), batches, 'PartHashMismatch', [13n, 0n])
      await rejectsWith(by(0).commit(13, root, batch, await sign(13, root, batch, disbursers.slice(0, 2))), batches, 'EpochAlreadyCommitted', [13n, root])
      await rejectsWith(by(0).commitParts(13, root, split.head, partHashes, await signParts(13, root, split.head, split.parts, disbursers.slice(0, 2))), batches, 'EpochAlreadyCommitted', [13n, root])
      await mined(by(0).commit(14, root, batch, await sign(14, root, batch, disbursers.slice(0, 2))))
      await rejectsWith(by(0).publishPart(14, 0, batch), batches, 'UnknownPart', [14n, 0n])
      assert.deepEqual([...(await batches.partsOf(14))[0]], [])
    })

    it('`lucid payout commit` completes a commit in parts another run started; a part published meanwhile is no error', async function () {
      const sender = by(0)
      const send = async (resume: Awaited<ReturnType<typeof pendingParts>>, call: ethers.Contract, lines: string[]): Promise<Awaited<ReturnType<typeof sendBatch>>> =>
        await sendBatch(call, batches.interface, { epoch: 16, root, split, signers: ascendingSigners(disbursers.slice(0, 2)), domain, resume, dryRun: false }, (l) => lines.push(l))
      // a first run stopped after committing and publishing part 0
      await mined(sender.commitParts(16, root, split.head, partHashes, await signParts(16, root, split.head, split.parts, disbursers.slice(0, 2))))
      await mined(sender.publishPart(16, 0, split.parts[0]))
      const resume = await pendingParts(batches, 16)
      assert.deepEqual(resume, { hashes: partHashes, published: new Set([0]) })
      // while the next run publishes, another transaction publishes part 2 just before it does
      const racing = new Proxy(sender, {
        get: (target, prop, receiver) => prop !== 'publishPart'
          ? Reflect.get(target, prop, receiver)
          : async (epoch: number, i: number, part: string) => {
            if (i === 2) await mined(as(batches, outsider).publishPart(epoch, i, part))
            return await (target.publishPart as (...a: unknown[]) => Promise<unknown>)(epoch, i, part)
          }
      })
      const lines: string[] = []
      const sent = await send(resume, racing, lines)
      assert.deepEqual({ parts: sent?.parts, resumed: sent?.resumed }, { parts: split.parts.length, resumed: true })
      assert.ok(lines.includes(`part 3 of ${split.parts.length} was published by another transaction`), lines.join('\n'))
      assert.ok(!lines.some((l) => l.startsWith('sent part 1 ')), 'part 0 (published before) is not sent again')
      assert.equal((await batches.partsOf(16))[1], (1n << BigInt(split.parts.length)) - 1n)
      // a run with other parts (another split) is refused, naming the committed parts
      const other = splitBatchPayload(entries, approvals, 6_000) as { head: string, parts: string[] }
      await assert.rejects(sendBatch(sender, batches.interface, { epoch: 16, root, split: other, signers: disbursers.slice(0, 2), domain, resume, dryRun: false }, () => {}),
        new RegExp(`^UsageError: epoch 16 is already committed in ${split.parts.length} parts whose hashes are not this batch's ${other.parts.length}: one batch per epoch$`))
    })

    it('needs two approvals over the head and every part hash, and 2 to 256 parts', async function () {
      const [lo, hi] = ascendingSigners(disbursers.slice(0, 2))
      await rejectsWith(by(0).commitParts(15, root, split.head, partHashes, await signParts(15, root, split.head, split.parts, [lo])), batches, 'NotEnoughApprovals', [1n, 2n])
      // approvals over other parts, another head or a dropped part recover to someone who is not a disburser
      const reordered = [split.parts[1], split.parts[0], ...split.parts.slice(2)]
      await rejectsWith(by(0).commitParts(15, root, split.head, reordered.map((p) => ethers.keccak256(p)), await signParts(15, root, split.head, split.parts, [lo, hi])), batches, 'UnknownSigner')
      await rejectsWith(by(0).commitParts(15, root, batch, partHashes, await signParts(15, root, split.head, split.parts, [lo, hi])), batches, 'UnknownSigner')
      await rejectsWith(by(0).commitParts(15, root, split.head, partHashes.slice(1), await signParts(15, root, split.head, split.parts, [lo, hi])), batches, 'UnknownSigner')
      await rejectsWith(by(0).commitParts(15, root, split.head, partHashes.slice(0, 1), await signParts(15, root, split.head, split.parts.slice(0, 1), [lo, hi])), batches, 'BadPartCount', [1n])
      await rejectsWith(by(0).commitParts(15, root, split.head, Array(257).fill(partHashes[0]), []), batches, 'BadPartCount', [257n])
      await rejectsWith(by(0).commitParts(15, root, '0x', partHashes, await signParts(15, root, '0x', split.parts, [lo, hi])), batches, 'EmptyBatch')
      await rejectsWith(as(batches, outsider).commitParts(15, root, split.head, partHashes, []), batches, 'NotCommitter', [await outsider.getAddress()])
      assert.equal(await batches.isCommitted(15), false)
    })
  })
})
