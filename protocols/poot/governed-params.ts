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
 * `heartbeat.intervalS` changes the heartbeat interval from the epoch's first slot on; numbering goes on from there
 * (beats.ts), so no beat number is used twice. Not governed, though ParamRegistry has a key for it: `slot.durationS`
 * (fixed in genesis by the specification).
 */
import { checkParams, PARAM_BOUNDS, slotStartMs, windowSlots, type PootParams } from './params.js'
import { epochOf } from './live-score.js'
import { originAfterChange } from './beats.js'
import type { PootConfig } from './config.js'

export interface GovernedParam {
  /** the ParamRegistry key (bytes32 ASCII) */
  readonly key: string
  readonly param: keyof PootParams
  /** the registry value in PoOT's unit; undefined when it is not a whole one */
  readonly toPoot: (registryValue: bigint) => bigint | undefined
}

const same = (v: bigint): bigint => v
const perMille = (ppm: bigint): bigint | undefined => (ppm % 1000n === 0n ? ppm / 1000n : undefined)
const secondsToMs = (s: bigint): bigint => s * 1000n

export const GOVERNED_PARAMS: readonly GovernedParam[] = Object.freeze([
  { key: 'leader.timeoutMs', param: 'slotTimeoutMs', toPoot: same },
  { key: 'leader.cooldownSlots', param: 'cooldownSlots', toPoot: same },
  { key: 'reward.baseMbPerSession', param: 'baseMbPerSession', toPoot: same },
  { key: 'reward.dMinPpm', param: 'dMinPermille', toPoot: perMille },
  { key: 'credit.windowDays', param: 'creditWindowDays', toPoot: same },
  { key: 'heartbeat.intervalS', param: 'heartbeatIntervalMs', toPoot: secondsToMs }
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
    const value = v < 0n ? undefined : g.toPoot(v)
    if (value === undefined) continue
    const [lo, hi] = PARAM_BOUNDS[g.param]
    if (value < BigInt(lo) || value > BigInt(hi)) continue
    const next = { ...out, [g.param]: Number(value) }
    if (checkParams(next).ok) out = next
  }
  return out === base ? base : Object.freeze(out)
}

/**
 * The config of the epoch that `slot` opens, given the genesis config `base`, the config the epoch before used
 * (`inherited`) and the parameters governance gives the new epoch (governedParams). Keeps the genesis window for the
 * finality bootstrap, and numbers heartbeats on from the epoch's start when the interval changed (beats.ts). Returns
 * `base` or `inherited` themselves when nothing differs from them.
 */
export function epochConfig (base: PootConfig, inherited: PootConfig, params: PootParams, slot: number): PootConfig {
  const epochStartMs = slotStartMs(base.genesisMs, base.params, epochOf(base.params, slot) * base.params.epochSlots)
  const beatOrigin = params.heartbeatIntervalMs === inherited.params.heartbeatIntervalMs ? inherited.beatOrigin : originAfterChange(inherited, epochStartMs)
  if (params === base.params && beatOrigin === undefined) return base
  if (JSON.stringify(params) === JSON.stringify(inherited.params) && beatOrigin === inherited.beatOrigin) return inherited
  return { ...base, params, firstWindowSlots: windowSlots(base.params), ...(beatOrigin !== undefined ? { beatOrigin } : {}) }
}
