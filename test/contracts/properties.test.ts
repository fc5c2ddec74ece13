// Property tests over random call sequences (fast-check). Each run deploys fresh contracts and checks the
// contracts against a small model after every call.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ethers } from 'ethers'
import { approve, as, attest, deploy, wallets } from './support/contracts.js'
import { routerFixture, USD, type RouterFixture } from './support/routers.js'
import { getChain } from './support/chain.js'
import { approveBatch, batchLeaf, merkleTree } from './support/merkle.js'
import { PARAMETERS } from './support/parameters.js'

const RUNS = Number(process.env.LUCID_PROPERTY_RUNS ?? 25)
const FUNDING = 3_000n * USD

type Approval = 'two' | 'three' | 'one' | 'same-twice' | 'stranger' | 'descending'
type Cmd =
  | { t: 'pay', amount: bigint, approval: Approval, replay: boolean }
  | { t: 'pause', byPauser: boolean }
  | { t: 'unpause', byPauser: boolean }
  | { t: 'caps', perTx: bigint, daily: bigint }

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('pay' as const), amount: fc.bigInt({ min: 0n, max: 1_500n * USD }), approval: fc.constantFrom<Approval>('two', 'two', 'three', 'one', 'same-twice', 'stranger', 'descending'), replay: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('pause' as const), byPauser: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unpause' as const), byPauser: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('caps' as const), perTx: fc.bigInt({ min: 1n, max: 2_000n * USD }), daily: fc.bigInt({ min: 1n, max: 5_000n * USD }) }) }
)

async function succeeds (p: Promise<ethers.ContractTransactionResponse>): Promise<boolean> {
  try { await (await p).wait(); return true } catch { return false }
}

/** Submits a payout with the given kind of approval; raw signatures so that malformed sets reach the contract. */
async function submit (f: RouterFixture, p: { sessionId: string, to: string, amount: bigint, nonce: bigint, deadline: bigint }, approval: Approval): Promise<boolean> {
  const [a, b, c] = f.disbursers
  let sigs: string[]
  switch (approval) {
    case 'two': sigs = await approve(f.domain, p, [a, c]); break
    case 'three': sigs = await approve(f.domain, p, [a, b, c]); break
    case 'one': sigs = await approve(f.domain, p, [b]); break
    case 'same-twice': { const [s] = await approve(f.domain, p, [a]); sigs = [s, s]; break }
    case 'stranger': sigs = await approve(f.domain, p, [a, ethers.Wallet.createRandom()]); break
    case 'descending': sigs = (await approve(f.domain, p, [b, c])).reverse(); break
  }
  const r = as(f.router, f.outsider)
  if (f.kind === 'V0') return await succeeds(r.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs))
  const kycHash = ethers.hexlify(ethers.randomBytes(32))
  return await succeeds(r.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs, kycHash, p.deadline, await attest(f.domain, f.compliance, p.to, kycHash, p.deadline)))
}

describe('contracts: properties over random call sequences', function () {
  this.timeout(600_000)

  for (const kind of ['V0', 'KYC'] as const) {
    it(`PayoutRouter${kind}: pays exactly what the model allows, never more than its funding, nothing while paused`, async function () {
      await fc.assert(fc.asyncProperty(fc.array(cmdArb, { minLength: 4, maxLength: 18 }), async (cmds) => {
        const f = await routerFixture(kind, { funding: FUNDING })
        const routerAddr = await f.router.getAddress()
        let paused = false
        let perTx = await f.router.maxPerTx() as bigint
        let daily = await f.router.dailyCap() as bigint
        let paid = 0n
        const paidOn = new Map<bigint, bigint>()
        let last: { sessionId: string, to: string, amount: bigint, nonce: bigint, deadline: bigint } | undefined
        for (const cmd of cmds) {
          if (cmd.t === 'pause' || cmd.t === 'unpause') {
            const ok = await succeeds(as(f.router, cmd.byPauser ? f.pauser : f.outsider)[cmd.t]())
            const expected: boolean = cmd.byPauser && (cmd.t === 'pause' ? !paused : paused)
            assert.equal(ok, expected, `${cmd.t} by ${cmd.byPauser ? 'pauser' : 'outsider'}`)
            if (ok) paused = cmd.t === 'pause'
          } else if (cmd.t === 'caps') {
            const ok = await succeeds(as(f.router, f.governance).setCaps(cmd.perTx, cmd.daily))
            assert.equal(ok, cmd.perTx <= cmd.daily)
            if (ok) { perTx = cmd.perTx; daily = cmd.daily }
          } else {
            const p = cmd.replay && last !== undefined ? last : await f.payout(cmd.amount)
            const day = await f.router.today() as bigint
            const fresh = !(await f.router.nonceUsed(p.nonce) as boolean)
            const balance = FUNDING - paid
            const before = await f.token.balanceOf(routerAddr) as bigint
            const expected: boolean = !paused && fresh && ['two', 'three'].includes(cmd.approval) && p.amount > 0n &&
              p.amount <= perTx && (paidOn.get(day) ?? 0n) + p.amount <= daily && p.amount <= balance
            const ok = await submit(f, p, cmd.approval)
            assert.equal(ok, expected, JSON.stringify({ ...cmd, paused, fresh, perTx, daily }, (_, v) => typeof v === 'bigint' ? v.toString() : v))
            if (ok) { paid += p.amount; paidOn.set(day, (paidOn.get(day) ?? 0n) + p.amount) }
            if (paused) assert.equal(await f.token.balanceOf(routerAddr), before, 'paid while paused')
            last = p
          }
          const held = await f.token.balanceOf(routerAddr) as bigint
          assert.equal(await f.router.totalPaid(), paid)
          assert.equal(held + paid, FUNDING)
          assert.ok(paid <= FUNDING)
          assert.equal(await f.token.balanceOf(f.payee), paid)
        }
      }), { numRuns: RUNS })
    })
  }

  it('ParamRegistry: every parameter stays within its bounds, whoever calls with whatever value', async function () {
    const chain = await getChain()
    const [deployer, governance, outsider] = chain.accounts
    const names = PARAMETERS.map(([n]) => n)
    const valueArb = fc.oneof(
      fc.bigInt({ min: 0n, max: 20_000_000_000_000n }),
      fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
      fc.constantFrom(...PARAMETERS.flatMap(([, , min, max]) => [min - 1n, min, max, max + 1n]).filter((v) => v >= 0n))
    )
    const callArb = fc.record({ name: fc.constantFrom(...names), value: valueArb, byGovernance: fc.boolean() })
    await fc.assert(fc.asyncProperty(fc.array(callArb, { minLength: 1, maxLength: 15 }), async (calls) => {
      const registry = await deploy('ParamRegistry', deployer, await governance.getAddress(), wallets(3, 'prop/registry').map((w) => w.address))
      const model = new Map(PARAMETERS.map(([n, v]) => [n, v]))
      for (const call of calls) {
        const [, , min, max] = PARAMETERS.find(([n]) => n === call.name)!
        const key = ethers.encodeBytes32String(call.name)
        const ok = await succeeds(as(registry, call.byGovernance ? governance : outsider).setParameter(key, call.value))
        const crossOk = call.name === 'payout.maxPerTxUsd6' ? call.value <= model.get('payout.dailyCapUsd6')!
          : call.name === 'payout.dailyCapUsd6' ? call.value >= model.get('payout.maxPerTxUsd6')! : true
        assert.equal(ok, call.byGovernance && call.value >= min && call.value <= max && crossOk)
        if (ok) model.set(call.name, call.value)
      }
      for (const [name, , min, max] of PARAMETERS) {
        const [value, lo, hi] = await registry.parameter(ethers.encodeBytes32String(name))
        assert.deepEqual([lo, hi], [min, max], `bounds of ${name} moved`)
        assert.ok(value >= min && value <= max, `${name} = ${value} outside [${min}, ${max}]`)
        assert.equal(value, model.get(name))
      }
    }), { numRuns: RUNS })
  })

  it('no single key can move funds from either router', async function () {
    const v0 = await routerFixture('V0', { funding: FUNDING })
    const kyc = await routerFixture('KYC', { funding: FUNDING })
    // Every key a router knows about, except governance: that is the Timelock (or a TRON multisig), not one key.
    const holders = ['disburser0', 'disburser1', 'disburser2', 'compliance', 'pauser', 'deployer', 'outsider', 'stranger'] as const
    const attemptArb = fc.record({
      holder: fc.constantFrom(...holders),
      onKyc: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 500n * USD }),
      shape: fc.constantFrom('one', 'same-twice', 'with-junk', 'batch')
    })
    const stranger = ethers.Wallet.createRandom()
    await fc.assert(fc.asyncProperty(fc.array(attemptArb, { minLength: 1, maxLength: 10 }), async (attempts) => {
      for (const a of attempts) {
        const f = a.onKyc ? kyc : v0
        const key: ethers.BaseWallet = a.holder.startsWith('disburser') ? f.disbursers[Number(a.holder.slice(-1))]
          : a.holder === 'compliance' ? f.compliance : stranger
        const sender = a.holder === 'pauser' ? f.pauser : a.holder === 'deployer' ? f.deployer : f.outsider
        const p = await f.payout(a.amount)
        const [sig] = await approve(f.domain, p, [key])
        const junk = ethers.hexlify(ethers.randomBytes(65))
        const sigs = a.shape === 'one' ? [sig] : a.shape === 'same-twice' ? [sig, sig] : [sig, junk]
        const r = as(f.router, sender)
        if (a.shape === 'batch') {
          // the key approves a one-leaf batch by itself (alone, then twice), then tries to pay the leaf
          const leaf = { sessionId: p.sessionId, to: p.to, amount: p.amount, nonce: p.nonce }
          const tree = merkleTree([batchLeaf(leaf)])
          const [bs] = await approveBatch(f.domain, { root: tree.root, total: p.amount, deadline: p.deadline }, [key])
          assert.equal(await succeeds(r.approveBatch(tree.root, p.amount, p.deadline, [bs])), false)
          assert.equal(await succeeds(r.approveBatch(tree.root, p.amount, p.deadline, [bs, bs])), false)
          const kh = ethers.id('single key batch')
          const paidLeaf = f.kind === 'V0'
            ? await succeeds(r.disburseFromBatch(tree.root, leaf, []))
            : await succeeds(r.disburseKYCFromBatch(tree.root, leaf, [], kh, p.deadline, await attest(f.domain, key, p.to, kh, p.deadline)))
          assert.equal(paidLeaf, false, `${a.holder} alone paid a batch leaf`)
          continue
        }
        const kycHash = ethers.id('single key')
        const ok = f.kind === 'V0'
          ? await succeeds(r.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs))
          : await succeeds(r.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs, kycHash, p.deadline, await attest(f.domain, key, p.to, kycHash, p.deadline)))
        assert.equal(ok, false, `${a.holder} alone moved funds`)
      }
      for (const f of [v0, kyc]) {
        assert.equal(await f.token.balanceOf(await f.router.getAddress()), FUNDING)
        assert.equal(await f.router.totalPaid(), 0n)
      }
    }), { numRuns: RUNS })
  })
})
