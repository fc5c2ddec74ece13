/**
 * Payout economics (SPEC.md, "Payout economics"), in USD with 6 decimals as bigint, exact:
 *   splitRevenue      gross → 18 % tax, 2 % management, 40 % holdings vault, distributable = the rest (40 % plus
 *                     the rounding units of the three floors, so the four parts always add up to gross).
 *   vaultStimulus     while the vault holds ≥ its goal: 10 % of the goal moves from the vault to the distributable
 *                     pool and the goal rises by 5M (first goal 20M).
 *   buildPayoutBatch  each holder's share = distributable × balance / Σ balances (floors, then the leftover units one
 *                     each by largest remainder, ties by address), plus what rolled over to it; an entitlement under
 *                     the minimum ($10 before fees), or one the fees would swallow, rolls over to the next epoch.
 *                     Node workers are paid through PayoutRouterKYC, end users through PayoutRouterV0.
 *                     Root: the project's BLAKE3 Merkle tree over the encoded entries, in address order.
 * Conservation: Σ entry gross + Σ new rollover = distributable + Σ old rollover, to the unit.
 */
import { concatBytes, fromHex, u256, u32, u64, u8 } from './bytes.js'
import { leafHash, merkleRoot } from './merkle.js'
import { invalid, okValue, type Result, VALID, type Validity } from './validity.js'

export const USD = 1_000_000n

export interface PayoutParams {
  readonly taxBps: number
  readonly managementBps: number
  readonly vaultBps: number
  readonly minPayoutUsd: bigint
  readonly platformFeeBps: number
  readonly vaultFirstGoalUsd: bigint
  readonly vaultGoalStepUsd: bigint
  readonly stimulusPermille: number
  /** Slots per payout epoch (monthly: 30 days of 120 s slots). */
  readonly epochSlots: number
}

export const DEFAULT_PAYOUT_PARAMS: PayoutParams = Object.freeze({
  taxBps: 1800,
  managementBps: 200,
  vaultBps: 4000,
  minPayoutUsd: 10n * USD,
  platformFeeBps: 0,
  vaultFirstGoalUsd: 20_000_000n * USD,
  vaultGoalStepUsd: 5_000_000n * USD,
  stimulusPermille: 100,
  epochSlots: 21_600
})

export function checkPayoutParams (p: PayoutParams): Validity {
  for (const k of ['taxBps', 'managementBps', 'vaultBps', 'platformFeeBps'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0 || p[k] > 10_000) return invalid(`param-out-of-bounds:${k}`)
  }
  if (p.taxBps + p.managementBps + p.vaultBps > 10_000) return invalid('param-relation:split-exceeds-100%')
  if (p.minPayoutUsd < 0n || p.vaultFirstGoalUsd <= 0n || p.vaultGoalStepUsd <= 0n) return invalid('param-out-of-bounds:usd-amount')
  if (!Number.isInteger(p.stimulusPermille) || p.stimulusPermille < 0 || p.stimulusPermille > 1000) return invalid('param-out-of-bounds:stimulusPermille')
  if (!Number.isInteger(p.epochSlots) || p.epochSlots < 1) return invalid('param-out-of-bounds:epochSlots')
  return VALID
}

/** The payout epoch a slot belongs to; a batch for epoch e is built once the chain reaches its first slot of e + 1. */
export function payoutEpochOf (slot: number, p: PayoutParams): number {
  return Math.floor(slot / p.epochSlots)
}

export interface RevenueSplit { readonly tax: bigint, readonly management: bigint, readonly vault: bigint, readonly distributable: bigint }

export function splitRevenue (grossUsd: bigint, p: PayoutParams): RevenueSplit {
  if (grossUsd < 0n) throw new RangeError('gross income is negative')
  const part = (bps: number): bigint => (grossUsd * BigInt(bps)) / 10_000n
  const tax = part(p.taxBps)
  const management = part(p.managementBps)
  const vault = part(p.vaultBps)
  return { tax, management, vault, distributable: grossUsd - tax - management - vault }
}

export interface VaultState { readonly balanceUsd: bigint, readonly nextGoalUsd: bigint }

export function vaultStimulus (vault: VaultState, p: PayoutParams): { stimulusUsd: bigint, vault: VaultState } {
  let { balanceUsd, nextGoalUsd } = vault
  let stimulusUsd = 0n
  while (balanceUsd >= nextGoalUsd) {
    const bonus = (nextGoalUsd * BigInt(p.stimulusPermille)) / 1000n
    stimulusUsd += bonus
    balanceUsd -= bonus
    nextGoalUsd += p.vaultGoalStepUsd
  }
  return { stimulusUsd, vault: { balanceUsd, nextGoalUsd } }
}

export type PayoutRole = 'node-worker' | 'end-user'
export type PayoutRoute = 'kyc' | 'v0'

export interface Holder {
  /** 20-byte account in 0x hex (the TRON address without its 0x41 prefix). */
  readonly address: string
  /** LUCID wei at the epoch's snapshot. */
  readonly balance: bigint
  readonly role: PayoutRole
}

export interface PayoutInput {
  readonly epoch: number
  readonly distributableUsd: bigint
  readonly holders: readonly Holder[]
  /** Amounts rolled over from earlier epochs, by address (each must be a holder, even with balance 0). */
  readonly carried: ReadonlyMap<string, bigint>
  /** Estimated network fee per transfer (from the TRON node), charged to each paid entry. */
  readonly networkFeeUsd: bigint
}

export interface PayoutEntry {
  readonly index: number
  readonly address: string
  readonly route: PayoutRoute
  readonly grossUsd: bigint
  readonly networkFeeUsd: bigint
  readonly platformFeeUsd: bigint
  readonly netUsd: bigint
}

export interface PayoutBatch {
  readonly epoch: number
  readonly entries: readonly PayoutEntry[]
  /** Entitlements carried to the next epoch, by address (non-zero only). */
  readonly rollover: ReadonlyMap<string, bigint>
  readonly root: Uint8Array
}

/** Shares of `amount` proportional to `weights`, summing exactly to `amount` (largest remainder, ties by order). */
export function proportionalShares (amount: bigint, weights: readonly bigint[]): bigint[] {
  const total = weights.reduce((a, b) => a + b, 0n)
  if (total === 0n) return weights.map(() => 0n)
  const shares = weights.map((w) => (amount * w) / total)
  let left = amount - shares.reduce((a, b) => a + b, 0n)
  const order = weights.map((w, i) => ({ i, rem: (amount * w) % total })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1))
  for (let k = 0; left > 0n; k++, left--) shares[order[k].i] += 1n
  return shares
}

export function routeOf (role: PayoutRole): PayoutRoute {
  return role === 'node-worker' ? 'kyc' : 'v0'
}

/** Leaf bytes: epoch u64 ‖ index u32 ‖ route u8 (0 = V0, 1 = KYC) ‖ address 20 bytes ‖ net USD u256, all big-endian. */
export function encodePayoutEntry (epoch: number, e: PayoutEntry): Uint8Array {
  return concatBytes(u64(epoch), u32(e.index), u8(e.route === 'kyc' ? 1 : 0), fromHex(e.address.slice(2)), u256(e.netUsd))
}

export function buildPayoutBatch (input: PayoutInput, p: PayoutParams): Result<PayoutBatch> {
  if (input.distributableUsd < 0n || input.networkFeeUsd < 0n) return invalid('negative-amount')
  const holders = [...input.holders].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
  for (let i = 0; i < holders.length; i++) {
    if (!/^0x[0-9a-f]{40}$/.test(holders[i].address)) return invalid(`bad-address:${holders[i].address}`)
    if (i > 0 && holders[i].address === holders[i - 1].address) return invalid(`duplicate-holder:${holders[i].address}`)
    if (holders[i].balance < 0n) return invalid(`negative-balance:${holders[i].address}`)
  }
  const known = new Set(holders.map((h) => h.address))
  for (const [address, amount] of input.carried) {
    if (!known.has(address)) return invalid(`carried-without-holder:${address}`)
    if (amount < 0n) return invalid(`negative-carry:${address}`)
  }
  if (holders.every((h) => h.balance === 0n) && input.distributableUsd > 0n) return invalid('no-balances')
  const shares = proportionalShares(input.distributableUsd, holders.map((h) => h.balance))
  const entries: PayoutEntry[] = []
  const rollover = new Map<string, bigint>()
  holders.forEach((h, i) => {
    const gross = shares[i] + (input.carried.get(h.address) ?? 0n)
    if (gross === 0n) return
    const platformFeeUsd = (gross * BigInt(p.platformFeeBps)) / 10_000n
    const netUsd = gross - input.networkFeeUsd - platformFeeUsd
    if (gross < p.minPayoutUsd || netUsd <= 0n) { rollover.set(h.address, gross); return }
    entries.push({ index: entries.length, address: h.address, route: routeOf(h.role), grossUsd: gross, networkFeeUsd: input.networkFeeUsd, platformFeeUsd, netUsd })
  })
  const root = merkleRoot(entries.map((e) => leafHash(encodePayoutEntry(input.epoch, e))))
  return okValue({ epoch: input.epoch, entries, rollover, root })
}

/** One payout epoch end to end: split the income, add the vault stimulus, build the batch. */
export function payoutEpoch (args: { epoch: number, grossIncomeUsd: bigint, vault: VaultState, holders: readonly Holder[], carried: ReadonlyMap<string, bigint>, networkFeeUsd: bigint }, p: PayoutParams):
Result<{ split: RevenueSplit, stimulusUsd: bigint, vault: VaultState, batch: PayoutBatch }> {
  const split = splitRevenue(args.grossIncomeUsd, p)
  const { stimulusUsd, vault } = vaultStimulus({ balanceUsd: args.vault.balanceUsd + split.vault, nextGoalUsd: args.vault.nextGoalUsd }, p)
  const batch = buildPayoutBatch({ epoch: args.epoch, distributableUsd: split.distributable + stimulusUsd, holders: args.holders, carried: args.carried, networkFeeUsd: args.networkFeeUsd }, p)
  if (!batch.ok) return batch
  return okValue({ split, stimulusUsd, vault, batch: batch.value })
}
