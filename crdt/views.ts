/**
 * Typed reads over all author documents: the merge rules across authors live here (docs/crdt.md, "Merge
 * semantics"). Nothing outside crdt/ touches Y types: callers get plain objects.
 *
 * - Recorder: the author whose `sessions` entry claims the session. Session IDs are single use; when several authors
 *   claim one ID, the claim with the earliest createdAt (then the smallest peer ID) is the session and the others are
 *   reported as duplicate-ID conflicts.
 * - Status: the furthest level over the levels each author may assert (schema.ts STATUS_EVIDENCE). A pure maximum
 *   over authors (each author's own level only rises), so the view's status never moves back, whatever the order in
 *   which authors' documents arrive, even while a duplicate-ID conflict changes which claim is shown.
 * - Holders: the authors whose own `holding` map has the session (each node adds and removes only itself).
 * - Incidents: every author's append-only list, concatenated in (at, author, index) order.
 */
import type * as Y from 'yjs'
import type { SwarmState, AuthorLog } from './state.js'
import {
  ROOT_ANCHOR_FINAL, ROOT_ANCHORS, ROOT_HOLDING, ROOT_INCIDENTS, ROOT_OBSERVERS, ROOT_SEALED, ROOT_SESSIONS, ROOT_STATUS, chunksRoot, parseObserverKey, statusName,
  type AnchorFinality, type AnchorRecord, type Incident, type SealRecord, type SessionRecord, type Status
} from './schema.js'
import { compareStrings } from './bytes.js'

export interface AuthoredIncident extends Incident { by: string }

export interface SessionState {
  sessionId: string
  status: Status | null
  /** Per author, the furthest level it asserted (only the levels it may assert). */
  statusBy: Record<string, Status>
  recorder: string | null
  record: SessionRecord | null
  sealed: SealRecord | null
  chunks: string[]
  observers: string[]
  holders: string[]
  /** every author's anchor, with its final block once that author recorded it final */
  anchors: AuthoredAnchor[]
  incidents: AuthoredIncident[]
  /** Other authors that claimed the same session ID (duplicate-ID conflict). */
  duplicateClaims: string[]
}

export type AuthoredAnchor = AnchorRecord & { by: string, final: AnchorFinality | null }

export interface SessionSummary { sessionId: string, status: Status | null, recorder: string | null, owner: string | null, holders: number, chunkCount: number }

function map (doc: Y.Doc, name: string): Y.Map<unknown> { return doc.getMap(name) }

function claims (state: SwarmState, sessionId: string): Array<{ log: AuthorLog, record: SessionRecord }> {
  const out: Array<{ log: AuthorLog, record: SessionRecord }> = []
  for (const log of state.authors()) {
    const record = map(log.doc, ROOT_SESSIONS).get(sessionId) as SessionRecord | undefined
    if (record !== undefined) out.push({ log, record })
  }
  return out.sort((a, b) => a.record.createdAt - b.record.createdAt || compareStrings(a.log.authorId, b.log.authorId))
}

export function sessionState (state: SwarmState, sessionId: string): SessionState | null {
  const all = claims(state, sessionId)
  const winner = all[0]
  const statusBy: Record<string, Status> = {}
  const holders: string[] = []
  const anchors: AuthoredAnchor[] = []
  let level = 0
  let known = winner !== undefined
  for (const log of state.authors()) {
    const s = map(log.doc, ROOT_STATUS).get(sessionId) as number | undefined
    if (s !== undefined) {
      const name = statusName(s)
      statusBy[log.authorId] = name
      level = Math.max(level, s)
    }
    if (map(log.doc, ROOT_HOLDING).has(sessionId)) { holders.push(log.authorId); known = true }
    const a = map(log.doc, ROOT_ANCHORS).get(sessionId) as AnchorRecord | undefined
    if (a !== undefined) {
      const final = (map(log.doc, ROOT_ANCHOR_FINAL).get(sessionId) as AnchorFinality | undefined) ?? null
      anchors.push({ ...a, by: log.authorId, final: final === null ? null : { ...final } })
      known = true
    }
  }
  const incidents = allIncidents(state).filter((i) => i.sessionId === sessionId)
  if (!known && incidents.length === 0) return null
  const observers: string[] = []
  if (winner !== undefined) {
    for (const key of map(winner.log.doc, ROOT_OBSERVERS).keys()) {
      const p = parseObserverKey(key)
      if (p?.sessionId === sessionId) observers.push(p.name)
    }
  }
  return {
    sessionId,
    status: level === 0 ? null : statusName(level),
    statusBy,
    recorder: winner?.log.authorId ?? null,
    record: winner?.record ?? null,
    sealed: winner === undefined ? null : (map(winner.log.doc, ROOT_SEALED).get(sessionId) as SealRecord | undefined) ?? null,
    chunks: winner === undefined ? [] : winner.log.doc.getArray<string>(chunksRoot(sessionId)).toArray(),
    observers: observers.sort(),
    holders: holders.sort(),
    anchors,
    incidents,
    duplicateClaims: all.slice(1).map((c) => c.log.authorId)
  }
}

/** The authors that hold the session (cheaper than sessionState when only the holders are needed). */
export function holdersOf (state: SwarmState, sessionId: string): string[] {
  return state.authors().filter((log) => map(log.doc, ROOT_HOLDING).has(sessionId)).map((log) => log.authorId)
}

/** The swarm index: every session any author recorded, holds or anchored, sorted by ID. */
export function sessionIds (state: SwarmState): string[] {
  const ids = new Set<string>()
  for (const log of state.authors()) {
    for (const root of [ROOT_SESSIONS, ROOT_HOLDING, ROOT_ANCHORS]) for (const k of map(log.doc, root).keys()) ids.add(k)
  }
  return [...ids].sort()
}

export function listSessions (state: SwarmState): SessionSummary[] {
  return sessionIds(state).map((id) => {
    const s = sessionState(state, id) as SessionState
    return { sessionId: id, status: s.status, recorder: s.recorder, owner: s.record?.owner ?? null, holders: s.holders.length, chunkCount: s.sealed?.chunkCount ?? s.chunks.length }
  })
}

export function allIncidents (state: SwarmState): AuthoredIncident[] {
  const out: Array<AuthoredIncident & { i: number }> = []
  for (const log of state.authors()) {
    log.doc.getArray<Incident>(ROOT_INCIDENTS).toArray().forEach((inc, i) => out.push({ ...inc, by: log.authorId, i }))
  }
  return out.sort((a, b) => a.at - b.at || compareStrings(a.by, b.by) || a.i - b.i).map(({ i: _i, ...rest }) => rest)
}
