/**
 * PoOT parameters. They arrive as an input (later read from ParamRegistry) and are checked against their bounds
 * before any rule uses them. Spec parameters carry the spec's bounds; the rest are this project's decisions
 * (docs/poot.md, "Parameters").
 */
import { invalid, VALID, type Validity } from './validity.js'

export interface PootParams {
  /** Slot length; fixed in genesis. Spec: 120 s; a devnet may use 1–2 s. */
  readonly slotMs: number
  /** A fallback of rank k may propose k × slotTimeoutMs after the slot starts. */
  readonly slotTimeoutMs: number
  /** An entity that led one of the last cooldownSlots slots is not eligible. */
  readonly cooldownSlots: number
  readonly creditWindowDays: number
  readonly heartbeatIntervalMs: number
  /** Ranked fallbacks after the primary; the genesis Server entity comes after them. */
  readonly maxFallbacks: number
  /** liveScore epoch: misses count until the epoch ends. */
  readonly epochSlots: number
  /** liveScore is in permille: 1000 − misses × liveMissPenaltyPermille, at least 0. */
  readonly liveMissPenaltyPermille: number
  /** A task proof for slot p may be included in blocks of slots p … p + maxProofAgeSlots. */
  readonly maxProofAgeSlots: number
  readonly creditHeartbeat: number
  readonly creditStorage: number
  readonly creditRelayPerMiB: number
  readonly creditValidation: number
  readonly storageMissPenalty: number
  readonly challengesPerSlot: number
  /** An answer to a challenge issued in slot c must be included by slot c + challengeResponseSlots. */
  readonly challengeResponseSlots: number
  readonly maxRelayBytesPerReceipt: number
  /** How far a block's timestamp may be ahead of the receiver's clock. */
  readonly clockToleranceMs: number
  readonly baseMbPerSession: number
  /** D_min in permille (spec: 0.2). */
  readonly dMinPermille: number
}

export const DEFAULT_PARAMS: PootParams = Object.freeze({
  slotMs: 120_000,
  slotTimeoutMs: 5_000,
  cooldownSlots: 16,
  creditWindowDays: 7,
  heartbeatIntervalMs: 30_000,
  maxFallbacks: 8,
  epochSlots: 720,
  liveMissPenaltyPermille: 250,
  maxProofAgeSlots: 8,
  creditHeartbeat: 1,
  creditStorage: 10,
  creditRelayPerMiB: 1,
  creditValidation: 2,
  storageMissPenalty: 20,
  challengesPerSlot: 1,
  challengeResponseSlots: 4,
  maxRelayBytesPerReceipt: 1 << 30,
  clockToleranceMs: 500,
  baseMbPerSession: 5,
  dMinPermille: 200
})

/** Inclusive integer bounds per parameter. */
export const PARAM_BOUNDS: Readonly<Record<keyof PootParams, readonly [number, number]>> = Object.freeze({
  slotMs: [1_000, 3_600_000],
  slotTimeoutMs: [1_000, 10_000],
  cooldownSlots: [8, 64],
  creditWindowDays: [3, 14],
  heartbeatIntervalMs: [10_000, 120_000],
  maxFallbacks: [0, 32],
  epochSlots: [16, 1_000_000],
  liveMissPenaltyPermille: [0, 1000],
  maxProofAgeSlots: [1, 64],
  creditHeartbeat: [0, 1_000_000],
  creditStorage: [0, 1_000_000],
  creditRelayPerMiB: [0, 1_000_000],
  creditValidation: [0, 1_000_000],
  storageMissPenalty: [0, 1_000_000],
  challengesPerSlot: [0, 64],
  challengeResponseSlots: [1, 64],
  maxRelayBytesPerReceipt: [1, 2 ** 40],
  clockToleranceMs: [0, 10_000],
  baseMbPerSession: [1, 20],
  dMinPermille: [100, 500]
})

/** Bounds, then the relations between parameters that the rules rely on. */
export function checkParams (params: PootParams): Validity {
  for (const name of Object.keys(PARAM_BOUNDS) as Array<keyof PootParams>) {
    const value = params[name]
    const [lo, hi] = PARAM_BOUNDS[name]
    if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(`param-not-integer:${name}`)
    if (value < lo || value > hi) return invalid(`param-out-of-bounds:${name}`)
  }
  // The Server entity proposes at (maxFallbacks + 1) × timeout: that must still fall inside the slot.
  if ((params.maxFallbacks + 1) * params.slotTimeoutMs >= params.slotMs) return invalid('param-relation:fallbacks-exceed-slot')
  if (params.maxProofAgeSlots >= windowSlots(params)) return invalid('param-relation:proof-age-exceeds-window')
  return VALID
}

/** The credit window in slots: ⌊days × 86 400 000 / slotMs⌋. */
export function windowSlots (params: PootParams): number {
  return Math.floor(params.creditWindowDays * 86_400_000 / params.slotMs)
}

/**
 * Heartbeat b (counted from genesis) is due at b × heartbeatIntervalMs and belongs to the slot containing that
 * instant, so a slot holds ⌈slotMs / interval⌉ beats or fewer, and with an interval longer than a slot some slots hold none.
 */
export function slotOfBeat (params: PootParams, beat: number): number {
  return Math.floor(beat * params.heartbeatIntervalMs / params.slotMs)
}

/** The beats due inside a slot, in order. */
export function beatsOfSlot (params: PootParams, slot: number): number[] {
  const first = Math.ceil(slot * params.slotMs / params.heartbeatIntervalMs)
  const out: number[] = []
  for (let b = first; slotOfBeat(params, b) === slot; b++) out.push(b)
  return out
}

export function slotStartMs (genesisMs: number, params: PootParams, slot: number): number {
  return genesisMs + slot * params.slotMs
}
