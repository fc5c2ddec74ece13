/**
 * Block rewards (SPEC.md, "Rewards"), in exact integer arithmetic. Amounts are LUCID wei (18 decimals), the unit of
 * the chain's native balance; every reward is a whole number of LUCID.
 *   H = ⌊totalMinted / 2.1e9 LUCID⌋, slotMax = max(1, ⌊50 / 2^H⌋)
 *   W = max(S, ⌈B / (BASE_MB_PER_SESSION × 10^6)⌉), D = W / max(1, N_active)
 *   g_s = clamp((S − 1) / 9, 0, 1), g_d = 0 if D < D_min else min(1, (D − D_min) / (1 − D_min))
 *   reward = 1 + ⌊(slotMax − 1) · g_s · g_d⌋ LUCID; S = 0: 2 LUCID to the genesis Server entity.
 * g_d is capped at 1 (D can exceed 1 when sessions outnumber nodes) so a reward never exceeds slotMax. MB is 10^6 bytes.
 */
import type { PootParams } from './params.js'

export const LUCID = 10n ** 18n
export const HALVING_INTERVAL = 2_100_000_000n * LUCID
export const BASE_SLOT_MAX = 50n
export const EMPTY_SLOT_REWARD = 2n * LUCID
const MB = 1_000_000

export interface RewardInput {
  /** S: sessions anchored in the slot. */
  readonly sessions: number
  /** B: their compressed bytes. */
  readonly sessionBytes: number
  readonly activeNodes: number
  /** LUCID wei minted before this block. */
  readonly totalMinted: bigint
}

export interface Reward {
  readonly amount: bigint
  readonly to: 'proposer' | 'server'
}

export function halvings (totalMinted: bigint): bigint {
  return totalMinted / HALVING_INTERVAL
}

/** slotMax in whole LUCID. */
export function slotMax (totalMinted: bigint): bigint {
  const h = halvings(totalMinted)
  const max = h >= 64n ? 0n : BASE_SLOT_MAX >> h
  return max < 1n ? 1n : max
}

export function slotReward (input: RewardInput, params: PootParams): Reward {
  const S = BigInt(input.sessions)
  if (S === 0n) return { amount: EMPTY_SLOT_REWARD, to: 'server' }
  const perSession = BigInt(params.baseMbPerSession * MB)
  const B = BigInt(input.sessionBytes)
  const byBytes = (B + perSession - 1n) / perSession
  const W = S > byBytes ? S : byBytes
  const N = BigInt(Math.max(1, input.activeNodes))
  const dMin = BigInt(params.dMinPermille)
  // g_s = gsNum / 9
  const gsNum = S - 1n > 9n ? 9n : S - 1n
  // g_d = (1000·W − dMin·N) / (N·(1000 − dMin)), i.e. (D − D_min)/(1 − D_min) with D = W/N and D_min = dMin/1000
  let gdNum = 1000n * W - dMin * N
  const gdDen = N * (1000n - dMin)
  if (gdNum < 0n) gdNum = 0n
  if (gdNum > gdDen) gdNum = gdDen
  const extra = ((slotMax(input.totalMinted) - 1n) * gsNum * gdNum) / (9n * gdDen)
  return { amount: (1n + extra) * LUCID, to: 'proposer' }
}
