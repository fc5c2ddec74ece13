// verifyBatch on its own (pure, no chain): every refusal reason the integration test does not reach, and that a
// valid batch passes. Signatures are real EIP-712 signatures over the router domains.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { buildPayoutBatch, DEFAULT_PAYOUT_PARAMS } from '../../protocols/poot/payouts.js'
import { BATCH_TYPES, KYC_TYPES, routeTree } from '../../payment-sidecar/src/batch/leaves.js'
import type { CommittedBatch, CommittedEntry, RouterApproval } from '../../payment-sidecar/src/batch/types.js'
import { verifyBatch, type VerifyContext } from '../../payment-sidecar/src/batch/verify.js'
import { holders } from './support/world.js'
import { ascendingSigners } from '../../protocols/poot/payout-commitment.js'

const USD = 1_000_000n
const w = (l: string): ethers.Wallet => new ethers.Wallet(ethers.id(`verify ${l}`))
const disbursers = [w('d0'), w('d1'), w('d2')]
const compliance = w('compliance')
const domain = (name: string, addr: string): ethers.TypedDataDomain => ({ name, version: '1', chainId: 3448148188n, verifyingContract: addr })
const domains = { v0: domain('LucidPayoutRouterV0', '0x' + '0a'.repeat(20)), kyc: domain('LucidPayoutRouterKYC', '0x' + '0b'.repeat(20)) }
const NOW = 1_800_000_000n
const reg = disbursers.map((d) => d.address.toLowerCase())
const router = (route: 'v0' | 'kyc'): VerifyContext['routers']['v0'] => ({ domainSeparator: ethers.TypedDataEncoder.hashDomain(domains[route]), signers: reg, maxPerTx: 10_000n * USD, dailyCap: 100_000n * USD, complianceSigner: route === 'kyc' ? compliance.address.toLowerCase() : undefined })
const ctx: VerifyContext = { registry: reg, routers: { v0: router('v0'), kyc: router('kyc') }, nowS: NOW, marginS: 600n, minPayoutUsd: 10n * USD, maxPerTxUsd: 10_000n * USD, dailyCapUsd: 100_000n * USD }

async function batch (signers = [0, 1]): Promise<CommittedBatch> {
  const built = buildPayoutBatch({ epoch: 3, distributableUsd: 900n * USD, holders: holders(5, 'verify'), carried: new Map(), networkFeeUsd: 0n }, DEFAULT_PAYOUT_PARAMS)
  if (!built.ok) throw new Error(built.reason)
  const id = ethers.hexlify(built.value.root)
  const entries: CommittedEntry[] = await Promise.all(built.value.entries.map(async (e) => e.route === 'v0' ? { ...e } : { ...e, kyc: { kycHash: ethers.id(e.address), expiry: NOW + 86_400n, signature: await compliance.signTypedData(domains.kyc, KYC_TYPES, { to: e.address, kycHash: ethers.id(e.address), expiry: NOW + 86_400n }) } }))
  const approvals: RouterApproval[] = []
  const sorted = ascendingSigners(signers.map((i) => disbursers[i]))
  for (const route of ['v0', 'kyc'] as const) {
    const { tree, total, entries: rs } = routeTree({ id, epoch: 3, entries }, route)
    if (rs.length === 0) continue
    const value = { root: tree.root, total, deadline: NOW + 86_400n }
    approvals.push({ route, ...value, signatures: await Promise.all(sorted.map(async (s) => await s.signTypedData(domains[route], BATCH_TYPES, value))) })
  }
  return { id, epoch: 3, blockNumber: 1, txHash: '0x', entries, approvals }
}

describe('payment sidecar: batch verification (pure)', () => {
  it('passes a valid batch, with any two of the three disbursers', async () => {
    for (const pair of [[0, 1], [0, 2], [1, 2], [0, 1, 2]]) assert.deepEqual(verifyBatch(await batch(pair), ctx), { ok: true })
  })

  it('refuses a batch whose root is not the one the chain\'s system write recorded for its epoch, when there is one', async () => {
    const b = await batch()
    assert.deepEqual(verifyBatch(b, { ...ctx, systemRoot: b.id }), { ok: true })
    assert.deepEqual(verifyBatch(b, { ...ctx, systemRoot: b.id.toUpperCase().replace('0X', '0x') }), { ok: true })
    assert.deepEqual(verifyBatch(b, { ...ctx, systemRoot: null }), { ok: true })
    const other = '0x' + 'ab'.repeat(32)
    assert.deepEqual(verifyBatch(b, { ...ctx, systemRoot: other }), { ok: false, reason: `not-the-chains-root:${other}` })
  })

  it('refuses with the reason of the first failing check', async () => {
    const b = await batch()
    const kycIndex = b.entries.find((e) => e.route === 'kyc')!.index
    const kycApproval = b.approvals.findIndex((a) => a.route === 'kyc')
    const cases: Array<[string, CommittedBatch, VerifyContext, RegExp]> = [
      ['empty', { ...b, entries: [] }, ctx, /^empty-batch$/],
      ['index gap', { ...b, entries: b.entries.map((e, i) => i === 1 ? { ...e, index: 7 } : e) }, ctx, /^bad-index:1$/],
      ['unsorted', { ...b, entries: [b.entries[1], b.entries[0], ...b.entries.slice(2)].map((e, i) => ({ ...e, index: i })) }, ctx, /^unsorted-entries:1$/],
      ['below minimum', { ...b, entries: b.entries.map((e, i) => i === 0 ? { ...e, grossUsd: 5n * USD, netUsd: 5n * USD } : e) }, ctx, /^bad-amount:0$/],
      ['KYC entry without attestation', { ...b, entries: b.entries.map((e) => e.index === kycIndex ? { ...e, kyc: undefined } : e) }, ctx, new RegExp(`^missing-kyc-attestation:${kycIndex}$`)],
      ['approvals reversed', { ...b, approvals: b.approvals.map((a) => ({ ...a, signatures: [...a.signatures].reverse() })) }, ctx, /^approvals-not-ascending:/],
      ['same signer twice', { ...b, approvals: b.approvals.map((a) => ({ ...a, signatures: [a.signatures[0], a.signatures[0]] })) }, ctx, /^approvals-not-ascending:/],
      ['garbage signature', { ...b, approvals: b.approvals.map((a) => ({ ...a, signatures: ['0x1234', a.signatures[1]] })) }, ctx, /^bad-approval-signature:/],
      ['approval missing', { ...b, approvals: b.approvals.filter((a) => a.route !== 'kyc') }, ctx, /^missing-approval:kyc$/],
      ['approval twice', { ...b, approvals: [...b.approvals, b.approvals[kycApproval]] }, ctx, /^missing-approval:kyc$/],
      ['total changed', { ...b, approvals: b.approvals.map((a) => ({ ...a, total: a.total + 1n })) }, ctx, /^approval-total-mismatch:/],
      ['registry differs from the router', b, { ...ctx, registry: [reg[0], reg[1], w('other').address.toLowerCase()] }, /^router-signers-differ:/],
      ['registry not three', b, { ...ctx, registry: [reg[0], reg[0], reg[1]] }, /^registry-not-2-of-3$/],
      ['attestation by someone else', b, { ...ctx, routers: { ...ctx.routers, kyc: { ...ctx.routers.kyc, complianceSigner: w('other').address.toLowerCase() } } }, new RegExp(`^kyc-wrong-signer:${kycIndex}$`)],
      ['router cap below the local one', b, { ...ctx, routers: { ...ctx.routers, v0: { ...ctx.routers.v0, maxPerTx: 1n } } }, /^over-per-tx-cap:\d+$/],
      ['router daily cap', b, { ...ctx, routers: { ...ctx.routers, kyc: { ...ctx.routers.kyc, dailyCap: 1n, maxPerTx: 1n } } }, /^over-per-tx-cap:\d+$|^over-daily-cap:kyc$/],
      ['signed for another chain', b, { ...ctx, routers: { ...ctx.routers, v0: { ...ctx.routers.v0, domainSeparator: ethers.TypedDataEncoder.hashDomain({ ...domains.v0, chainId: 1n }) } } }, /^unknown-signer:v0:/]
    ]
    for (const [name, bb, c, want] of cases) {
      const v = verifyBatch(bb, c)
      assert.equal(v.ok, false, name)
      if (!v.ok) assert.match(v.reason, want, name)
    }
  })
})
