/**
 * Typed writes into the local node's own author document (the only document a node ever writes). Every method is
 * one change in the schema of schema.ts; the state (state.ts) turns a batch of them into one signed envelope.
 */
import * as Y from 'yjs'
import {
  ROOT_ANCHOR_FINAL, ROOT_ANCHORS, ROOT_HOLDING, ROOT_INCIDENTS, ROOT_OBSERVERS, ROOT_SEALED, ROOT_SESSIONS, ROOT_STATUS, chunksRoot, observerKey, statusLevel,
  type AnchorFinality, type AnchorRecord, type Incident, type SealRecord, type SessionRecord, type Status
} from './schema.js'

export class AuthorWriter {
  constructor (private readonly doc: Y.Doc) {}

  /** Claims a session as its recorder (status 'recording'). */
  createSession (sessionId: string, record: SessionRecord): void {
    this.doc.getMap(ROOT_SESSIONS).set(sessionId, { ...record, participants: [...record.participants] })
    this.setStatus(sessionId, 'recording')
  }

  appendChunks (sessionId: string, cids: string[]): void {
    if (cids.length > 0) this.doc.getArray<string>(chunksRoot(sessionId)).push(cids)
  }

  /** Closes the chunk list and records the manifest (status 'sealed'). */
  seal (sessionId: string, record: SealRecord): void {
    this.doc.getMap(ROOT_SEALED).set(sessionId, { ...record })
    this.setStatus(sessionId, 'sealed')
  }

  addObserver (sessionId: string, name: string, at: number): void {
    this.doc.getMap(ROOT_OBSERVERS).set(observerKey(sessionId, name), { at })
  }

  /** Moves this author's status for the session forward; a status at or below the current one is a no-op. */
  setStatus (sessionId: string, status: Status): void {
    const map = this.doc.getMap<number>(ROOT_STATUS)
    if ((map.get(sessionId) ?? 0) < statusLevel(status)) map.set(sessionId, statusLevel(status))
  }

  currentStatus (sessionId: string): number { return this.doc.getMap<number>(ROOT_STATUS).get(sessionId) ?? 0 }
  holds (sessionId: string): boolean { return this.doc.getMap(ROOT_HOLDING).has(sessionId) }
  holdings (): string[] { return [...this.doc.getMap(ROOT_HOLDING).keys()] }
  recorded (sessionId: string): boolean { return this.doc.getMap(ROOT_SESSIONS).has(sessionId) }
  chunkCount (sessionId: string): number { return this.doc.getArray(chunksRoot(sessionId)).length }

  hold (sessionId: string, since: number): void {
    if (!this.holds(sessionId)) this.doc.getMap(ROOT_HOLDING).set(sessionId, { since })
  }

  unhold (sessionId: string): void {
    if (this.holds(sessionId)) this.doc.getMap(ROOT_HOLDING).delete(sessionId)
  }

  recordAnchor (sessionId: string, anchor: AnchorRecord): void {
    this.doc.getMap(ROOT_ANCHORS).set(sessionId, { ...anchor })
    this.setStatus(sessionId, 'anchored')
  }

  anchorOf (sessionId: string): AnchorRecord | undefined { return this.doc.getMap<AnchorRecord>(ROOT_ANCHORS).get(sessionId) }
  anchorFinalityOf (sessionId: string): AnchorFinality | undefined { return this.doc.getMap<AnchorFinality>(ROOT_ANCHOR_FINAL).get(sessionId) }
  /** Sessions this author anchored whose anchor it has not yet recorded final. */
  anchorsAwaitingFinality (): Array<{ sessionId: string, anchor: AnchorRecord }> {
    const final = this.doc.getMap(ROOT_ANCHOR_FINAL)
    return [...this.doc.getMap<AnchorRecord>(ROOT_ANCHORS).entries()].filter(([sid]) => !final.has(sid)).map(([sessionId, anchor]) => ({ sessionId, anchor }))
  }

  /** Records the anchor's final block (once; needs the anchor recorded first). */
  recordAnchorFinal (sessionId: string, finality: AnchorFinality): void {
    if (this.anchorOf(sessionId) !== undefined && this.anchorFinalityOf(sessionId) === undefined) this.doc.getMap(ROOT_ANCHOR_FINAL).set(sessionId, { ...finality })
  }

  addIncident (incident: Incident): void {
    this.doc.getArray(ROOT_INCIDENTS).push([{ ...incident }])
  }
}
