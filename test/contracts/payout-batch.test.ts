// Batch-root approvals: the disbursers sign one Merkle root for many payouts, each leaf is paid once.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { as, attest, eventsOf, mined, rejectsWith } from './support/contracts.js'
import { approveBatch, batchLeaf, merkleTree, BATCH_TYPES, type BatchPayout } from './support/merkle.js'
import { routerFixture, MAX_PER_TX, USD, type RouterFixture } from './support/routers.js'

let batchNonce = 1_000_000n

for (const kind of ['V0', 'KYC'] as const) {
  describe(`contracts: PayoutRouter${kind} batch approvals`, function () {
    let f: RouterFixture
    let payouts: BatchPayout[]
    let tree: ReturnType<typeof merkleTree>
    let total: bigint
    let deadline: bigint

    beforeEach(async function () {
      f = await routerFixture(kind)
      payouts = [5n, 7n, 11n, 13n, 17n].map((usd, i) => ({ sessionId: ethers.id(`batch session ${i}`), to: ethers.Wallet.createRandom().address, amount: usd * USD, nonce: batchNonce++ }))
      tree = merkleTree(payouts.map(batchLeaf))
      total = payouts.reduce((n, p) => n + p.amount, 0n)
      deadline = BigInt(await f.chain.latestTimestamp() + 3600)
    })

    let attestations = 0
    /** Pays leaf i (V0), or leaf i with a fresh attestation valid until `kycExpiry` (KYC). */
    async function payLeaf (i: number, proof = tree.proof(i), root = tree.root, p = payouts[i], kycExpiry = deadline): Promise<ethers.ContractTransactionResponse> {
      const r = as(f.router, f.outsider)
      if (kind === 'V0') return await r.disburseFromBatch(root, p, proof)
      const kycHash = ethers.id(`kyc batch ${p.nonce} ${attestations++}`)
      return await r.disburseKYCFromBatch(root, p, proof, kycHash, kycExpiry, await attest(f.domain, f.compliance, p.to, kycHash, kycExpiry))
    }

    it('approves a root on two signatures, then pays every leaf once', async function () {
      assert.equal(await f.router.batchDigest(tree.root, total, deadline), ethers.TypedDataEncoder.hash(f.domain, BATCH_TYPES, { root: tree.root, total, deadline }))
      assert.equal(await f.router.batchLeaf(payouts[0]), batchLeaf(payouts[0]))
      const r = await mined(f.router.approveBatch(tree.root, total, deadline, await approveBatch(f.domain, { root: tree.root, total, deadline }, f.disbursers.slice(1))))
      assert.deepEqual([...eventsOf(r, f.router, 'BatchApproved')[0]], [tree.root, total, deadline])
      for (let i = 0; i < payouts.length; i++) {
        const pr = await mined(payLeaf(i))
        assert.deepEqual([...eventsOf(pr, f.router, 'Paid')[0]], [payouts[i].sessionId, payouts[i].to, payouts[i].amount, payouts[i].nonce])
        assert.equal(await f.token.balanceOf(payouts[i].to), payouts[i].amount)
      }
      assert.equal((await f.router.batches(tree.root))[0], 0n)
      await rejectsWith(payLeaf(2), f.router, 'NonceAlreadyUsed', [payouts[2].nonce])
    })

    it('refuses one approval, a wrong signer, an expired or re-approved batch', async function () {
      const b = { root: tree.root, total, deadline }
      await rejectsWith(f.router.approveBatch(tree.root, total, deadline, await approveBatch(f.domain, b, [f.disbursers[0]])), f.router, 'NotEnoughApprovals', [1n, 2n])
      const stranger = ethers.Wallet.createRandom()
      await rejectsWith(f.router.approveBatch(tree.root, total, deadline, await approveBatch(f.domain, b, [f.disbursers[0], stranger])), f.router, 'UnknownSigner', [stranger.address])
      await rejectsWith(f.router.approveBatch(tree.root, total + 1n, deadline, await approveBatch(f.domain, b, f.disbursers.slice(0, 2))), f.router, 'UnknownSigner')
      const past = BigInt(await f.chain.latestTimestamp() - 1)
      await rejectsWith(f.router.approveBatch(tree.root, total, past, await approveBatch(f.domain, { ...b, deadline: past }, f.disbursers.slice(0, 2))), f.router, 'Expired')
      const sigs = await approveBatch(f.domain, b, f.disbursers.slice(0, 2))
      await mined(f.router.approveBatch(tree.root, total, deadline, sigs))
      await rejectsWith(f.router.approveBatch(tree.root, total, deadline, sigs), f.router, 'BatchAlreadyApproved', [tree.root])
    })

    it('refuses leaves of an unapproved root, bad proofs and altered leaves', async function () {
      await rejectsWith(payLeaf(0), f.router, 'BatchNotApproved', [tree.root])
      await mined(f.router.approveBatch(tree.root, total, deadline, await approveBatch(f.domain, { root: tree.root, total, deadline }, f.disbursers.slice(0, 2))))
      await rejectsWith(payLeaf(0, tree.proof(1)), f.router, 'InvalidProof')
      await rejectsWith(payLeaf(0, tree.proof(0), tree.root, { ...payouts[0], amount: payouts[0].amount + 1n }), f.router, 'InvalidProof')
      await rejectsWith(payLeaf(0, tree.proof(0), tree.root, { ...payouts[0], to: ethers.Wallet.createRandom().address }), f.router, 'InvalidProof')
    })

    it('never pays more than the approved total, and still applies caps, pause and nonces', async function () {
      // approve the same leaves with a total one dollar short of the sum
      const short = total - 1n * USD
      await mined(f.router.approveBatch(tree.root, short, deadline, await approveBatch(f.domain, { root: tree.root, total: short, deadline }, f.disbursers.slice(0, 2))))
      for (let i = 0; i < payouts.length - 1; i++) await mined(payLeaf(i))
      const last = payouts.length - 1
      await rejectsWith(payLeaf(last), f.router, 'BatchExhausted', [tree.root, payouts[last].amount - 1n * USD, payouts[last].amount])

      const big: BatchPayout[] = [{ sessionId: ethers.id('big'), to: f.payee, amount: MAX_PER_TX + 1n, nonce: batchNonce++ }, { sessionId: ethers.id('ok'), to: f.payee, amount: 1n * USD, nonce: batchNonce++ }]
      const t2 = merkleTree(big.map(batchLeaf))
      const sum = big[0].amount + big[1].amount
      await mined(f.router.approveBatch(t2.root, sum, deadline, await approveBatch(f.domain, { root: t2.root, total: sum, deadline }, f.disbursers.slice(0, 2))))
      await rejectsWith(payLeaf(0, t2.proof(0), t2.root, big[0]), f.router, 'PerTxCapExceeded')
      await mined(as(f.router, f.pauser).pause())
      await rejectsWith(payLeaf(1, t2.proof(1), t2.root, big[1]), f.router, 'EnforcedPause')
      await mined(as(f.router, f.pauser).unpause())
      await mined(payLeaf(1, t2.proof(1), t2.root, big[1]))
      // a single-payout approval cannot pay a nonce a batch already used
      const p = { ...(await f.payout(1n * USD)), nonce: big[1].nonce }
      await rejectsWith(f.pay(p), f.router, 'NonceAlreadyUsed')
    })

    it('refuses leaves after the batch deadline', async function () {
      if (!f.chain.canTimeTravel) return this.skip()
      await mined(f.router.approveBatch(tree.root, total, deadline, await approveBatch(f.domain, { root: tree.root, total, deadline }, f.disbursers.slice(0, 2))))
      await f.chain.increaseTime(3700)
      await rejectsWith(payLeaf(0, tree.proof(0), tree.root, payouts[0], deadline + 86_400n), f.router, 'Expired')
    })
  })
}
