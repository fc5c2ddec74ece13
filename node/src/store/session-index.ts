/**
 * What this node knows about sessions (from its own puts, from validated announcements and from sealed sessions in
 * the session state that no announcement brought: `announcement` is then empty), and the incidents it
 * recorded, kept in the node's LevelDB datastore so that they survive restarts (LevelDB's log makes each put atomic).
 */
import { Key, type Datastore } from 'interface-datastore'
import { toHex } from '../../../protocols/session/bytes.js'
import type { Announcement } from '../../../protocols/swarm/announcement.js'

export interface SessionRecord {
  sessionId: string
  manifest: string
  merkleRoot: string
  chunkCount: number
  storedBytes: number
  recorder: string
  origin: string
  addrs: string[]
  issuedAt: number
  receivedAt: number
  /** Every block verified and pinned here. */
  held: boolean
  /** Encoded signed announcement (base64), re-published when asked; empty for a session adopted from the state. */
  announcement: string
}

export interface Incident {
  at: number
  kind: 'session-id-reuse'
  sessionId: string
  from: string
  knownManifest: string
  offeredManifest: string
}

const SESSIONS = '/lucid/sessions/'
const INCIDENTS = '/lucid/incidents/'

export function recordFromAnnouncement (a: Announcement, encoded: Uint8Array, receivedAt: number): SessionRecord {
  return {
    sessionId: a.sessionId,
    manifest: a.manifest.toString(),
    merkleRoot: toHex(a.merkleRoot),
    chunkCount: a.chunkCount,
    storedBytes: a.storedBytes,
    recorder: toHex(a.recorder),
    origin: a.origin,
    addrs: a.addrs,
    issuedAt: a.issuedAt,
    receivedAt,
    held: false,
    announcement: Buffer.from(encoded).toString('base64')
  }
}

/** A session adopted from the session state (protocols/swarm/state-seal.ts): no announcement, so no addresses. */
export function recordFromState (sessionId: string, recorder: string, recorderKey: Uint8Array, sealed: { manifest: string, merkleRoot: string, chunkCount: number, sealedAt: number }, receivedAt: number): SessionRecord {
  return {
    sessionId,
    manifest: sealed.manifest,
    merkleRoot: sealed.merkleRoot,
    chunkCount: sealed.chunkCount,
    storedBytes: 0,
    recorder: toHex(recorderKey),
    origin: recorder,
    addrs: [],
    issuedAt: sealed.sealedAt,
    receivedAt,
    held: false,
    announcement: ''
  }
}

export class SessionIndex {
  private readonly cache = new Map<string, SessionRecord>()
  private incidentSeq = 0

  constructor (private readonly datastore: Datastore) {}

  /** Loads every record into memory (the validator needs a synchronous single-use check). */
  async load (): Promise<void> {
    for await (const { value } of this.datastore.query({ prefix: SESSIONS })) {
      const rec = JSON.parse(Buffer.from(value).toString('utf8')) as SessionRecord
      this.cache.set(rec.sessionId, rec)
    }
  }

  get (sessionId: string): SessionRecord | undefined { return this.cache.get(sessionId) }
  list (): SessionRecord[] { return [...this.cache.values()].sort((a, b) => a.issuedAt - b.issuedAt || (a.sessionId < b.sessionId ? -1 : 1)) }
  held (): SessionRecord[] { return this.list().filter((r) => r.held) }
  get size (): number { return this.cache.size }

  /** Claims the ID in memory at once (so a conflicting announcement right after is caught), then persists it. */
  async put (rec: SessionRecord): Promise<void> {
    this.cache.set(rec.sessionId, rec)
    await this.datastore.put(new Key(SESSIONS + rec.sessionId), Buffer.from(JSON.stringify(rec)))
  }

  /** `storedBytes`: what a replica measured, for a record that did not know it (adopted from the state). */
  async setHeld (sessionId: string, held: boolean, storedBytes?: number): Promise<void> {
    const rec = this.cache.get(sessionId)
    if (rec === undefined || (rec.held === held && (storedBytes === undefined || storedBytes === rec.storedBytes))) return
    await this.put({ ...rec, held, storedBytes: storedBytes ?? rec.storedBytes })
  }

  async addIncident (incident: Incident): Promise<void> {
    const key = `${INCIDENTS}${String(incident.at).padStart(15, '0')}-${String(this.incidentSeq++).padStart(6, '0')}`
    await this.datastore.put(new Key(key), Buffer.from(JSON.stringify(incident)))
  }

  async incidents (): Promise<Incident[]> {
    const out: Incident[] = []
    for await (const { value } of this.datastore.query({ prefix: INCIDENTS })) out.push(JSON.parse(Buffer.from(value).toString('utf8')) as Incident)
    return out
  }
}
