// What both routers share: approvals, replay, caps, pause, roles, signer rotation, token handling.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { approve, as, eventsOf, mined, rejectsWith, PAYOUT_TYPES } from './support/contracts.js'
import { routerFixture, DAILY_CAP, FUNDING, MAX_PER_TX, USD, type RouterFixture } from './support/routers.js'

for (const kind of ['V0', 'KYC'] as const) {
  describe(`contracts: PayoutRouter${kind} (shared guards)`, function () {
    let f: RouterFixture
    beforeEach(async function () { f = await routerFixture(kind) })

    it('pays on two approvals: transfer, Paid event, nonce consumed, totals counted', async function () {
      const p = await f.payout(100n * USD)
      const r = await mined(f.pay(p))
      assert.deepEqual([...eventsOf(r, f.router, 'Paid')[0]], [p.sessionId, p.to, p.amount, p.nonce])
      assert.equal(await f.token.balanceOf(p.to), 100n * USD)
      assert.equal(await f.token.balanceOf(await f.router.getAddress()), FUNDING - 100n * USD)
      assert.equal(await f.router.nonceUsed(p.nonce), true)
      assert.equal(await f.router.totalPaid(), 100n * USD)
      assert.equal(await f.router.paidOnDay(await f.router.today()), 100n * USD)
    })

    it('accepts all three approvals, and any two of the three', async function () {
      await mined(f.pay(await f.payout(1n * USD), f.disbursers))
      await mined(f.pay(await f.payout(1n * USD), [f.disbursers[0], f.disbursers[2]]))
      await mined(f.pay(await f.payout(1n * USD), [f.disbursers[1], f.disbursers[2]]))
      assert.equal(await f.token.balanceOf(f.payee), 3n * USD)
    })

    it('the digest is the standard EIP-712 digest of Payout under the router\'s domain', async function () {
      const p = await f.payout(5n * USD)
      assert.equal(await f.router.payoutDigest(p.sessionId, p.to, p.amount, p.nonce, p.deadline), ethers.TypedDataEncoder.hash(f.domain, PAYOUT_TYPES, p))
      assert.equal(await f.router.domainSeparator(), ethers.TypedDataEncoder.hashDomain(f.domain))
    })

    it('refuses one approval instead of two', async function () {
      await rejectsWith(f.pay(await f.payout(1n * USD), [f.disbursers[0]]), f.router, 'NotEnoughApprovals', [1n, 2n])
    })

    it('refuses the same signer twice and signatures out of ascending order', async function () {
      const p = await f.payout(1n * USD)
      const [sig] = await approve(f.domain, p, [f.disbursers[0]])
      const call = kind === 'V0' ? f.router.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, [sig, sig]) : f.pay(p, [f.disbursers[0], f.disbursers[0]])
      await rejectsWith(call, f.router, 'SignersNotAscending')
      if (kind === 'V0') {
        const sigs = await approve(f.domain, p, f.disbursers.slice(0, 2))
        await rejectsWith(f.router.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs.reverse()), f.router, 'SignersNotAscending')
      }
    })

    it('refuses a wrong signer, and a signature over other terms', async function () {
      const stranger = ethers.Wallet.createRandom()
      const p = await f.payout(1n * USD)
      await rejectsWith(f.pay(p, [f.disbursers[0], stranger]), f.router, 'UnknownSigner', [stranger.address])
      if (kind === 'V0') {
        const sigs = await approve(f.domain, p, f.disbursers.slice(0, 2))
        await rejectsWith(f.router.disburse(p.sessionId, p.to, p.amount + 1n, p.nonce, p.deadline, sigs), f.router, 'UnknownSigner')
        const other = { ...f.domain, verifyingContract: ethers.Wallet.createRandom().address }
        await rejectsWith(f.router.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, await approve(other, p, f.disbursers.slice(0, 2))), f.router, 'UnknownSigner')
      }
      assert.equal(await f.token.balanceOf(f.payee), 0n)
    })

    it('refuses a replayed nonce', async function () {
      const p = await f.payout(10n * USD)
      await mined(f.pay(p))
      await rejectsWith(f.pay(p), f.router, 'NonceAlreadyUsed', [p.nonce])
      await rejectsWith(f.pay({ ...p, amount: 11n * USD }), f.router, 'NonceAlreadyUsed')
      assert.equal(await f.token.balanceOf(p.to), 10n * USD)
    })

    it('refuses an expired payout', async function () {
      const p = { ...(await f.payout(1n * USD)), deadline: BigInt(await f.chain.latestTimestamp() - 1) }
      if (kind === 'V0') await rejectsWith(f.pay(p), f.router, 'Expired')
      else await rejectsWith(f.pay(p), f.router, 'AttestationExpired') // the attestation in the fixture expires with it
    })

    it('caps each transaction', async function () {
      await rejectsWith(f.pay(await f.payout(MAX_PER_TX + 1n)), f.router, 'PerTxCapExceeded', [MAX_PER_TX + 1n, MAX_PER_TX])
      await mined(f.pay(await f.payout(MAX_PER_TX)))
    })

    it('caps each day, and the cap resets the next UTC day', async function () {
      await mined(f.pay(await f.payout(MAX_PER_TX)))
      await mined(f.pay(await f.payout(MAX_PER_TX)))
      const rest = DAILY_CAP - 2n * MAX_PER_TX
      await rejectsWith(f.pay(await f.payout(rest + 1n)), f.router, 'DailyCapExceeded', [2n * MAX_PER_TX, rest + 1n, DAILY_CAP])
      await mined(f.pay(await f.payout(rest)))
      await rejectsWith(f.pay(await f.payout(1n)), f.router, 'DailyCapExceeded')
      if (!f.chain.canTimeTravel) return this.skip()
      await f.chain.increaseTime(86_400)
      await mined(f.pay(await f.payout(1n)))
    })

    it('refuses zero amounts and bad recipients', async function () {
      await rejectsWith(f.pay(await f.payout(0n)), f.router, 'ZeroAmount')
      await rejectsWith(f.pay(await f.payout(1n, ethers.ZeroAddress)), f.router, 'InvalidRecipient')
      await rejectsWith(f.pay(await f.payout(1n, await f.router.getAddress())), f.router, 'InvalidRecipient')
    })

    it('pauses and unpauses only by PAUSER_ROLE; nothing is paid while paused', async function () {
      const role = await f.router.PAUSER_ROLE()
      await rejectsWith(as(f.router, f.outsider).pause(), f.router, 'AccessControlUnauthorizedAccount', [await f.outsider.getAddress(), role])
      await rejectsWith(as(f.router, f.governance).pause(), f.router, 'AccessControlUnauthorizedAccount')
      await mined(as(f.router, f.pauser).pause())
      const p = await f.payout(1n * USD)
      await rejectsWith(f.pay(p), f.router, 'EnforcedPause')
      await rejectsWith(as(f.router, f.outsider).unpause(), f.router, 'AccessControlUnauthorizedAccount')
      await mined(as(f.router, f.pauser).unpause())
      await mined(f.pay(p))
    })

    it('the deployer holds no role; governance administers; the pauser only pauses', async function () {
      const [admin, gov, pauser] = [await f.router.DEFAULT_ADMIN_ROLE(), await f.router.GOVERNANCE_ROLE(), await f.router.PAUSER_ROLE()]
      const me = await f.deployer.getAddress()
      for (const role of [admin, gov, pauser]) assert.equal(await f.router.hasRole(role, me), false)
      assert.equal(await f.router.hasRole(admin, await f.governance.getAddress()), true)
      assert.equal(await f.router.hasRole(gov, await f.governance.getAddress()), true)
      assert.equal(await f.router.hasRole(pauser, await f.pauser.getAddress()), true)
      assert.equal(await f.router.hasRole(gov, await f.pauser.getAddress()), false)
    })

    it('rotates signers only by governance; old signers lose their power', async function () {
      const fresh = [ethers.Wallet.createRandom(), ethers.Wallet.createRandom(), ethers.Wallet.createRandom()]
      const set = fresh.map((w) => w.address)
      await rejectsWith(as(f.router, f.outsider).setSigners(set), f.router, 'AccessControlUnauthorizedAccount')
      await rejectsWith(as(f.router, f.pauser).setSigners(set), f.router, 'AccessControlUnauthorizedAccount')
      await rejectsWith(as(f.router, f.governance).setSigners([set[0], set[0], set[1]]), f.router, 'InvalidSignerSet')
      await rejectsWith(as(f.router, f.governance).setSigners([set[0], ethers.ZeroAddress, set[1]]), f.router, 'InvalidSignerSet')
      const r = await mined(as(f.router, f.governance).setSigners(set))
      assert.deepEqual([...eventsOf(r, f.router, 'SignersRotated')[0][1]], set)
      assert.equal(await f.router.signerSetVersion(), 2n)
      assert.deepEqual([...await f.router.signers()], set)
      await rejectsWith(f.pay(await f.payout(1n * USD)), f.router, 'UnknownSigner')
      await mined(f.pay(await f.payout(1n * USD), fresh.slice(1)))
    })

    it('sets caps only by governance, and only consistent ones', async function () {
      await rejectsWith(as(f.router, f.outsider).setCaps(1n, 2n), f.router, 'AccessControlUnauthorizedAccount')
      await rejectsWith(as(f.router, f.governance).setCaps(0n, 2n), f.router, 'InvalidCaps', [0n, 2n])
      await rejectsWith(as(f.router, f.governance).setCaps(3n, 2n), f.router, 'InvalidCaps', [3n, 2n])
      const r = await mined(as(f.router, f.governance).setCaps(5n * USD, 50n * USD))
      assert.deepEqual([...eventsOf(r, f.router, 'CapsSet')[0]], [5n * USD, 50n * USD])
      await rejectsWith(f.pay(await f.payout(6n * USD)), f.router, 'PerTxCapExceeded')
    })

    it('refuses to pay more than it holds', async function () {
      await mined(as(f.router, f.governance).setCaps(FUNDING * 2n, FUNDING * 2n))
      await rejectsWith(f.pay(await f.payout(FUNDING + 1n)), f.router, 'TransferFailed')
    })

    it('anyone may submit an approved payout (the signatures are the authority)', async function () {
      await mined(f.pay(await f.payout(2n * USD), undefined, f.outsider))
      assert.equal(await f.token.balanceOf(f.payee), 2n * USD)
    })
  })

  describe(`contracts: PayoutRouter${kind} with a TRON-USDT-like token`, function () {
    it('pays a token whose transfer returns false, and refuses one that returns true without moving funds', async function () {
      const f = await routerFixture(kind, { token: 'FalseReturnToken' })
      await mined(f.pay(await f.payout(7n * USD)))
      assert.equal(await f.token.balanceOf(f.payee), 7n * USD)
      await mined(f.token.setBroken(true))
      const p = await f.payout(7n * USD)
      await rejectsWith(f.pay(p), f.router, 'TransferFailed')
      assert.equal(await f.router.nonceUsed(p.nonce), false)
      assert.equal(await f.token.balanceOf(f.payee), 7n * USD)
    })
  })
}
