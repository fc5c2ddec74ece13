// Every check a committed batch must pass before any of it is paid; pure (the caller reads the chain and the
// routers and passes what it read). The first failing check is the reason the batch is refused, in full.
import { ethers } from 'ethers'
import { encodePayoutEntry } from '../../../protocols/poot/payouts.js'
import { leafHash as blake3Leaf, merkleRoot } from '../../../protocols/poot/merkle.js'
import { BATCH_TYPES, KYC_TYPES, routeTree, typedDigest } from './leaves.js'
import type { CommittedBatch } from './types.js'

export type Verdict = { ok: true } | { ok: false, reason: string }

export interface RouterView {
  /** the router's domainSeparator() */
  readonly domainSeparator: string
  /** the router's signers(), 0x lowercase */
  readonly signers: readonly string[]
  readonly maxPerTx: bigint
  readonly dailyCap: bigint
  /** KYC router only */
  readonly complianceSigner?: string
}

export interface VerifyContext {
  /** the disburser set of the signer registry on the On-System chain (ParamRegistry.disbursers()), 0x lowercase */
  readonly registry: readonly string[]
  readonly routers: { readonly v0: RouterView, readonly kyc: RouterView }
  /** seconds, the TRON chain's latest block time */
  readonly nowS: bigint
  /** an approval deadline or KYC expiry closer than this is refused: the payouts could not all land in time */
  readonly marginS: bigint
  readonly minPayoutUsd: bigint
  /** local caps (the router caps apply as well; the lower wins) */
  readonly maxPerTxUsd: bigint
  readonly dailyCapUsd: bigint
  /** the root the chain's system write recorded for the batch's epoch (null/absent: none, the epoch is not bound) */
  readonly systemRoot?: string | null
}

const refuse = (reason: string): Verdict => ({ ok: false, reason })
const THRESHOLD = 2

function recoverOrNull (digest: string, sig: string): string | null {
  try { return ethers.recoverAddress(digest, sig).toLowerCase() } catch { return null }
}

export function verifyBatch (b: CommittedBatch, ctx: VerifyContext): Verdict {
  if (b.entries.length === 0) return refuse('empty-batch')
  if (ctx.systemRoot != null && ctx.systemRoot.toLowerCase() !== b.id.toLowerCase()) return refuse(`not-the-chains-root:${ctx.systemRoot.toLowerCase()}`)
  for (let i = 0; i < b.entries.length; i++) {
    const e = b.entries[i]
    if (e.index !== i) return refuse(`bad-index:${i}`)
    if (e.route !== 'v0' && e.route !== 'kyc') return refuse(`unknown-route:${i}`)
    if (!/^0x[0-9a-f]{40}$/.test(e.address) || e.address === ethers.ZeroAddress) return refuse(`bad-address:${i}`)
    if (i > 0 && e.address <= b.entries[i - 1].address) return refuse(`unsorted-entries:${i}`)
    if (e.grossUsd < ctx.minPayoutUsd || e.networkFeeUsd < 0n || e.platformFeeUsd < 0n) return refuse(`bad-amount:${i}`)
    if (e.netUsd <= 0n || e.netUsd !== e.grossUsd - e.networkFeeUsd - e.platformFeeUsd) return refuse(`bad-amount:${i}`)
    if (e.route === 'kyc' && e.kyc === undefined) return refuse(`missing-kyc-attestation:${i}`)
  }
  const root = ethers.hexlify(merkleRoot(b.entries.map((e) => blake3Leaf(encodePayoutEntry(b.epoch, e as never)))))
  if (root !== b.id.toLowerCase()) return refuse('wrong-root')

  const registry = new Set(ctx.registry.map((a) => a.toLowerCase()))
  if (registry.size !== 3) return refuse('registry-not-2-of-3')
  let total = 0n
  for (const a of b.approvals) {
    if (a.route !== 'v0' && a.route !== 'kyc') return refuse('unknown-route:approval')
  }
  for (const route of ['v0', 'kyc'] as const) {
    const { tree, total: routeTotal, entries } = routeTree(b, route)
    const approvals = b.approvals.filter((a) => a.route === route)
    if (entries.length === 0) {
      if (approvals.length > 0) return refuse(`unexpected-approval:${route}`)
      continue
    }
    if (approvals.length !== 1) return refuse(`missing-approval:${route}`)
    const a = approvals[0]
    const router = ctx.routers[route]
    const routerSigners = new Set(router.signers.map((s) => s.toLowerCase()))
    if (routerSigners.size !== 3 || [...routerSigners].some((s) => !registry.has(s))) return refuse(`router-signers-differ:${route}`)
    if (a.root.toLowerCase() !== tree.root) return refuse(`approval-root-mismatch:${route}`)
    if (a.total !== routeTotal) return refuse(`approval-total-mismatch:${route}`)
    if (a.deadline < ctx.nowS + ctx.marginS) return refuse(`approval-expired:${route}`)
    if (a.signatures.length < THRESHOLD) return refuse(`not-enough-approvals:${route}:${a.signatures.length}`)
    const digest = typedDigest(router.domainSeparator, BATCH_TYPES, { root: a.root, total: a.total, deadline: a.deadline })
    let last = 0n
    for (const sig of a.signatures) {
      const signer = recoverOrNull(digest, sig)
      if (signer === null) return refuse(`bad-approval-signature:${route}`)
      if (!registry.has(signer)) return refuse(`unknown-signer:${route}:${signer}`)
      if (BigInt(signer) <= last) return refuse(`approvals-not-ascending:${route}`)
      last = BigInt(signer)
    }
    const perTx = ctx.maxPerTxUsd < router.maxPerTx ? ctx.maxPerTxUsd : router.maxPerTx
    for (const e of entries) {
      if (e.netUsd > perTx) return refuse(`over-per-tx-cap:${e.index}`)
      if (route === 'kyc') {
        const k = e.kyc!
        if (k.expiry < ctx.nowS + ctx.marginS) return refuse(`kyc-expired:${e.index}`)
        const signer = recoverOrNull(typedDigest(router.domainSeparator, KYC_TYPES, { to: e.address, kycHash: k.kycHash, expiry: k.expiry }), k.signature)
        if (signer === null || router.complianceSigner === undefined || signer !== router.complianceSigner.toLowerCase()) return refuse(`kyc-wrong-signer:${e.index}`)
      }
    }
    if (routeTotal > router.dailyCap) return refuse(`over-daily-cap:${route}`)
    total += routeTotal
  }
  if (total > ctx.dailyCapUsd) return refuse('over-daily-cap')
  return { ok: true }
}
