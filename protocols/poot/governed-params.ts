/**
 * PoOT parameters governed through ParamRegistry. The genesis file's parameters rule until governance changes a
 * registry value; from the first block of the next epoch on, the changed value (converted to PoOT's unit) replaces
 * the genesis one, if it is inside PoOT's bounds and keeps the relations `checkParams` requires; otherwise it is
 * ignored, on every node alike. Which values the registry holds at an epoch's start is the caller's business (the
 * chain reads them from the parent block's state), so this stays a pure function.
 *
 * `credit.windowDays` changes the credit window from the epoch's first block on: a shorter window drops the deltas
 * of the blocks that fell out of it at once; a longer one stops dropping until the window has grown to its new
 * length (blocks already dropped are not counted again), credits.ts `slideWindow`. The bootstrap of finality (every
 * registered entity active during the first window) stays the genesis window (`PootConfig.firstWindowSlots`).
 *
 * Not governed, though ParamRegistry has keys for them: `slot.durationS` (fixed in genesis by the specification) and
 * `heartbeat.intervalS` (heartbeats are numbered from genesis at the interval: changing it mid-chain would renumber
 * the beats already counted).
 */
import { checkParams, PARAM_BOUNDS, type PootParams } from './params.js'

export interface GovernedParam {
  /** the ParamRegistry key (bytes32 ASCII) */
  readonly key: string
  readonly param: keyof PootParams
  /** registry value = PoOT value × scale */
  readonly scale: number
}

export const GOVERNED_PARAMS: readonly GovernedParam[] = Object.freeze([
  { key: 'leader.timeoutMs', param: 'slotTimeoutMs', scale: 1 },
  { key: 'leader.cooldownSlots', param: 'cooldownSlots', scale: 1 },
  { key: 'reward.baseMbPerSession', param: 'baseMbPerSession', scale: 1 },
  { key: 'reward.dMinPpm', param: 'dMinPermille', scale: 1000 },
  { key: 'credit.windowDays', param: 'creditWindowDays', scale: 1 }
])

/** Registry values by key (missing keys count as unchanged). */
export type RegistryValues = Readonly<Record<string, bigint>>

/**
 * The parameters of an epoch: `base` (the genesis file's) with each registry value that governance changed since
 * genesis (`now[key] !== atGenesis[key]`) applied in GOVERNED_PARAMS order, each kept only if the result is valid.
 */
export function governedParams (base: PootParams, atGenesis: RegistryValues, now: RegistryValues): PootParams {
  let out = base
  for (const g of GOVERNED_PARAMS) {
    const v = now[g.key]
    if (v === undefined || v === atGenesis[g.key]) continue
    if (v < 0n || v % BigInt(g.scale) !== 0n) continue
    const value = v / BigInt(g.scale)
    const [lo, hi] = PARAM_BOUNDS[g.param]
    if (value < BigInt(lo) || value > BigInt(hi)) continue
    const next = { ...out, [g.param]: Number(value) }
    if (checkParams(next).ok) out = next
  }
  return out === base ? base : Object.freeze(out)
}
