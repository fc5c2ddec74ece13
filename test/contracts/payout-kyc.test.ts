// What only PayoutRouterKYC checks: the compliance signer's attestation and the per-recipient daily limit.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { approve, as, attest, eventsOf, KYC_TYPES, mined, rejectsWith, type Payout } from './support/contracts.js'
import { routerFixture, USD, type RouterFixture } from './support/routers.js'

describe('contracts: PayoutRouterKYC (attestations)', function () {
  let f: RouterFixture
  beforeEach(async function () { f = await routerFixture('KYC', { recipientDailyLimit: 300n * USD }) })

  async function payWith (p: Payout, kycHash: string, expiry: bigint, kycSig: string): Promise<ethers.ContractTransactionResponse> {
    return await f.router.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, await approve(f.domain, p, f.disbursers.slice(0, 2)), kycHash, expiry, kycSig)
  }

  it('pays with a valid attestation and emits KycVerified and Paid', async function () {
    const p = await f.payout(50n * USD)
    const kycHash = ethers.id('kyc record of the worker')
    const r = await mined(payWith(p, kycHash, p.deadline, await attest(f.domain, f.compliance, p.to, kycHash, p.deadline)))
    assert.deepEqual([...eventsOf(r, f.router, 'KycVerified')[0]], [p.to, kycHash, p.deadline])
    assert.deepEqual([...eventsOf(r, f.router, 'Paid')[0]], [p.sessionId, p.to, p.amount, p.nonce])
    assert.equal(await f.token.balanceOf(p.to), 50n * USD)
    assert.equal(await f.router.kycDigest(p.to, kycHash, p.deadline), ethers.TypedDataEncoder.hash(f.domain, KYC_TYPES, { to: p.to, kycHash, expiry: p.deadline }))
  })

  it('has no payout path without an attestation', function () {
    assert.equal(f.router.interface.getFunction('disburse'), null)
  })

  it('refuses an expired attestation', async function () {
    const p = await f.payout(1n * USD)
    const expiry = BigInt(await f.chain.latestTimestamp() - 1)
    const kycHash = ethers.id('k')
    await rejectsWith(payWith(p, kycHash, expiry, await attest(f.domain, f.compliance, p.to, kycHash, expiry)), f.router, 'AttestationExpired')
  })

  it('refuses an attestation by the wrong signer, for another recipient, or for another router', async function () {
    const p = await f.payout(1n * USD)
    const kycHash = ethers.id('k')
    const stranger = ethers.Wallet.createRandom()
    await rejectsWith(payWith(p, kycHash, p.deadline, await attest(f.domain, stranger, p.to, kycHash, p.deadline)), f.router, 'WrongComplianceSigner', [stranger.address])
    const forOther = await attest(f.domain, f.compliance, ethers.Wallet.createRandom().address, kycHash, p.deadline)
    await rejectsWith(payWith(p, kycHash, p.deadline, forOther), f.router, 'WrongComplianceSigner')
    const otherRouter = { ...f.domain, verifyingContract: ethers.Wallet.createRandom().address }
    await rejectsWith(payWith(p, kycHash, p.deadline, await attest(otherRouter, f.compliance, p.to, kycHash, p.deadline)), f.router, 'WrongComplianceSigner')
    // a disburser is not the compliance signer
    await rejectsWith(payWith(p, kycHash, p.deadline, await attest(f.domain, f.disbursers[0], p.to, kycHash, p.deadline)), f.router, 'WrongComplianceSigner')
  })

  it('refuses a replayed attestation, even with a new payout', async function () {
    const kycHash = ethers.id('k')
    const p1 = await f.payout(1n * USD)
    const sig = await attest(f.domain, f.compliance, p1.to, kycHash, p1.deadline)
    await mined(payWith(p1, kycHash, p1.deadline, sig))
    const p2 = { ...(await f.payout(1n * USD)), deadline: p1.deadline }
    const digest = await f.router.kycDigest(p1.to, kycHash, p1.deadline)
    await rejectsWith(payWith(p2, kycHash, p1.deadline, sig), f.router, 'AttestationAlreadyUsed', [digest])
    assert.equal(await f.router.attestationUsed(digest), true)
  })

  it('still needs two disburser approvals', async function () {
    const p = await f.payout(1n * USD)
    const kycHash = ethers.id('k')
    const [one] = await approve(f.domain, p, [f.disbursers[2]])
    await rejectsWith(f.router.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, [one], kycHash, p.deadline, await attest(f.domain, f.compliance, p.to, kycHash, p.deadline)), f.router, 'NotEnoughApprovals', [1n, 2n])
  })

  it('limits what one recipient receives per day; 0 turns the limit off', async function () {
    await mined(f.pay(await f.payout(200n * USD)))
    await rejectsWith(f.pay(await f.payout(101n * USD)), f.router, 'RecipientDailyLimitExceeded', [f.payee, 200n * USD, 101n * USD, 300n * USD])
    await mined(f.pay(await f.payout(100n * USD)))
    assert.equal(await f.router.paidToOnDay(f.payee, await f.router.today()), 300n * USD)
    // another recipient has its own allowance
    const other = ethers.Wallet.createRandom().address
    await mined(f.pay(await f.payout(300n * USD, other)))
    await rejectsWith(as(f.router, f.outsider).setRecipientDailyLimit(0n), f.router, 'AccessControlUnauthorizedAccount')
    const r = await mined(as(f.router, f.governance).setRecipientDailyLimit(0n))
    assert.deepEqual([...eventsOf(r, f.router, 'RecipientDailyLimitSet')[0]], [0n])
    await mined(f.pay(await f.payout(500n * USD)))
    assert.equal(await f.token.balanceOf(f.payee), 800n * USD)
  })

  it('rotates the compliance signer only by governance', async function () {
    const next = ethers.Wallet.createRandom()
    await rejectsWith(as(f.router, f.outsider).setComplianceSigner(next.address), f.router, 'AccessControlUnauthorizedAccount')
    await rejectsWith(as(f.router, f.governance).setComplianceSigner(ethers.ZeroAddress), f.router, 'ZeroAddress')
    const r = await mined(as(f.router, f.governance).setComplianceSigner(next.address))
    assert.deepEqual([...eventsOf(r, f.router, 'ComplianceSignerSet')[0]], [next.address])
    const p = await f.payout(1n * USD)
    const kycHash = ethers.id('k')
    await rejectsWith(payWith(p, kycHash, p.deadline, await attest(f.domain, f.compliance, p.to, kycHash, p.deadline)), f.router, 'WrongComplianceSigner', [f.compliance.address])
    await mined(payWith(p, kycHash, p.deadline, await attest(f.domain, next, p.to, kycHash, p.deadline)))
  })

  it('a V0 approval does not pay through the KYC router (domains differ)', async function () {
    const p = await f.payout(1n * USD)
    const v0Domain = { ...f.domain, name: 'LucidPayoutRouterV0' }
    const kycHash = ethers.id('k')
    await rejectsWith(f.router.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, await approve(v0Domain, p, f.disbursers.slice(0, 2)), kycHash, p.deadline, await attest(f.domain, f.compliance, p.to, kycHash, p.deadline)), f.router, 'UnknownSigner')
  })
})
