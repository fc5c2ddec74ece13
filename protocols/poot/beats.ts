/**
 * Heartbeat numbering. Beats are numbered from genesis at heartbeatIntervalMs; when governance changes the interval
 * (ParamRegistry's heartbeat.intervalS, from an epoch's first slot on), numbering goes on from the first beat the old
 * interval had not yet made due at the epoch's start, which is due at that instant under the new interval, so no beat
 * number is used twice (a heartbeat's key is its node and beat). `PootConfig.beatOrigin` records where the current
 * numbering starts; absent: beat 0 at genesis.
 */
import type { PootConfig } from './config.js'

/** Beat `beat` is due at `ms`; each next one heartbeatIntervalMs later. */
export interface BeatOrigin { readonly beat: number, readonly ms: number }

type BeatClock = Pick<PootConfig, 'params' | 'genesisMs' | 'beatOrigin'>

export function beatOrigin (config: BeatClock): BeatOrigin {
  return config.beatOrigin ?? { beat: 0, ms: config.genesisMs }
}

/** When beat `beat` (at or after the origin) is due. */
export function beatDueMs (config: BeatClock, beat: number): number {
  const o = beatOrigin(config)
  return o.ms + (beat - o.beat) * config.params.heartbeatIntervalMs
}

/** The slot that holds beat `beat`: the one containing the instant it is due. */
export function slotOfBeatIn (config: BeatClock, beat: number): number {
  return Math.floor((beatDueMs(config, beat) - config.genesisMs) / config.params.slotMs)
}

/** The latest beat due at `nowMs` (-1 before the origin). */
export function beatAt (config: BeatClock, nowMs: number): number {
  const o = beatOrigin(config)
  if (nowMs < o.ms) return -1
  return o.beat + Math.floor((nowMs - o.ms) / config.params.heartbeatIntervalMs)
}

/**
 * The origin for an interval changed at `atMs` (an epoch's start): the first beat of `previous`'s numbering not due
 * before `atMs`, now due at `atMs`.
 */
export function originAfterChange (previous: BeatClock, atMs: number): BeatOrigin {
  const o = beatOrigin(previous)
  return { beat: o.beat + Math.ceil((atMs - o.ms) / previous.params.heartbeatIntervalMs), ms: atMs }
}
