/**
 * The schema of an author document: what one node (the author) may say. Every root type, its key form, its value
 * form and its write rule. docs/crdt.md is the prose version of this file; validate.ts enforces it on every update.
 *
 *   root              type   key                  value                                   rule
 *   sessions          Map    sessionId            SessionRecord (author = recorder)       set once
 *   chunks/<sid>      Array  —                    chunk CID (text)                        append only, needs sessions[sid], closed by sealed[sid]
 *   sealed            Map    sessionId            SealRecord                              set once, needs sessions[sid], chunk count must match
 *   observers         Map    <sid>/<name>         { at }                                  set once, needs sessions[sid]
 *   status            Map    sessionId            status level (1–5)                      only upwards, each level needs its evidence (below)
 *   holding           Map    sessionId            { since }                               the author holds a replica; may be removed
 *   anchors           Map    sessionId            AnchorRecord                            set once
 *   anchorFinal       Map    sessionId            AnchorFinality                          set once, needs anchors[sid]
 *   incidents         Array  —                    Incident                                append only
 */
import { MAX_DETAIL, MAX_PARTICIPANTS, MAX_TEXT } from './constants.js'

export const ROOT_SESSIONS = 'sessions'
export const ROOT_SEALED = 'sealed'
export const ROOT_OBSERVERS = 'observers'
export const ROOT_STATUS = 'status'
export const ROOT_HOLDING = 'holding'
export const ROOT_ANCHORS = 'anchors'
export const ROOT_ANCHOR_FINAL = 'anchorFinal'
export const ROOT_INCIDENTS = 'incidents'
export const CHUNKS_PREFIX = 'chunks/'

export const chunksRoot = (sessionId: string): string => CHUNKS_PREFIX + sessionId

/** Session status, in the only order it may move. */
export const STATUS = ['recording', 'sealed', 'replicated', 'anchored', 'archived'] as const
export type Status = typeof STATUS[number]
export const statusLevel = (s: Status): number => STATUS.indexOf(s) + 1
export const statusName = (level: number): Status => STATUS[level - 1]

/**
 * Which author may assert which level (the evidence must be in the author's own document):
 * recording, sealed, archived: the recorder (sessions[sid]; sealed also needs sealed[sid]);
 * replicated: a holder (holding[sid]); anchored: the author that recorded the anchor (anchors[sid]).
 */
export const STATUS_EVIDENCE: Record<Status, string[]> = {
  recording: [ROOT_SESSIONS],
  sealed: [ROOT_SESSIONS, ROOT_SEALED],
  replicated: [ROOT_HOLDING],
  anchored: [ROOT_ANCHORS],
  archived: [ROOT_SESSIONS]
}

export const INCIDENT_KINDS = ['tamper-detected', 'failed-challenge', 'duplicate-id', 'forged-update', 'corrupt-record', 'equivocation'] as const
export type IncidentKind = typeof INCIDENT_KINDS[number]

export interface SessionRecord { owner: string, participants: string[], policyHash: string, createdAt: number }
export interface SealRecord { manifest: string, merkleRoot: string, chunkCount: number, plaintextSize: number, sealedAt: number }
/** The anchor transaction as first included: `block` is the block that included it then (a reorg may move it). */
export interface AnchorRecord { tx: string, chainId: number, block: number, at: number }
/** The anchor transaction's block once final on the author's chain (its number and hash on the finalized line). */
export interface AnchorFinality { block: number, blockHash: string, at: number }
export interface HoldingRecord { since: number }
export interface ObserverRecord { at: number }
export interface Incident { kind: IncidentKind, sessionId: string, subject: string, detail: string, at: number }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const HEX32 = /^[0-9a-f]{64}$/
const TX = /^0x[0-9a-f]{64}$/
const CID_TEXT = /^b[a-z2-7]{20,120}$/

export const isSessionId = (s: unknown): s is string => typeof s === 'string' && UUID.test(s)
export const isCidText = (s: unknown): s is string => typeof s === 'string' && CID_TEXT.test(s)

type Check = (v: unknown) => string | null

function obj (v: unknown, fields: Record<string, Check>): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return 'must be a map'
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) if (!(k in fields)) return `unknown field '${k.slice(0, 40)}'`
  for (const [k, check] of Object.entries(fields)) {
    if (!(k in o)) return `missing field '${k}'`
    const e = check(o[k])
    if (e !== null) return `${k} ${e}`
  }
  return null
}

const text = (max: number, min = 0): Check => (v) => typeof v === 'string' && v.length >= min && v.length <= max ? null : `must be text of ${min}–${max} characters`
const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Check => (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? null : `must be an integer in [${min}, ${max}]`
const match = (re: RegExp, what: string): Check => (v) => typeof v === 'string' && re.test(v) ? null : `must be ${what}`
const oneOf = (values: readonly string[]): Check => (v) => typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`
const textList = (max: number): Check => (v) => Array.isArray(v) && v.length <= max && v.every((x) => text(MAX_TEXT, 1)(x) === null) ? null : `must be a list of at most ${max} texts`

export const checkSessionRecord: Check = (v) => obj(v, { owner: text(MAX_TEXT, 1), participants: textList(MAX_PARTICIPANTS), policyHash: match(HEX32, '32 bytes in hex'), createdAt: int() })
export const checkSealRecord: Check = (v) => obj(v, { manifest: match(CID_TEXT, 'a base32 CID'), merkleRoot: match(HEX32, '32 bytes in hex'), chunkCount: int(1, 262_144), plaintextSize: int(), sealedAt: int() })
export const checkAnchorRecord: Check = (v) => obj(v, { tx: match(TX, 'a 0x-prefixed 32-byte transaction hash'), chainId: int(1), block: int(), at: int() })
export const checkAnchorFinality: Check = (v) => obj(v, { block: int(), blockHash: match(TX, 'a 0x-prefixed 32-byte block hash'), at: int() })
export const checkHoldingRecord: Check = (v) => obj(v, { since: int() })
export const checkObserverRecord: Check = (v) => obj(v, { at: int() })
export const checkIncident: Check = (v) => obj(v, {
  kind: oneOf(INCIDENT_KINDS),
  sessionId: (s) => s === '' || isSessionId(s) ? null : 'must be a session ID or empty',
  subject: text(128),
  detail: text(MAX_DETAIL),
  at: int()
})
export const checkChunk: Check = (v) => isCidText(v) ? null : 'must be a base32 CID'
export const checkStatus: Check = int(1, STATUS.length)

/** Splits an observers key `<sid>/<name>`. */
export function observerKey (sessionId: string, name: string): string { return `${sessionId}/${name}` }
export function parseObserverKey (key: string): { sessionId: string, name: string } | null {
  const sessionId = key.slice(0, 36)
  const name = key.slice(37)
  if (!isSessionId(sessionId) || key[36] !== '/' || name.length < 1 || name.length > MAX_TEXT) return null
  return { sessionId, name }
}
