/**
 * The swarm's session state as every node holds it: one Yjs document per author (per node), each built only from
 * that author's signed envelopes, applied in sequence order after the permission check. A node writes only into its
 * own author document. Since every node applies the same envelopes in the same order to the same empty documents,
 * every author document is byte-identical on every node that has the same prefix of that author's log; views
 * (views.ts) combine the documents with fixed rules. docs/crdt.md has the argument in full.
 *
 * The local node writes through a draft copy of its own document: the change is made on the draft, encoded as an
 * update, checked like any remote update and only then applied to the canonical copy; so the node's own document
 * is built exactly like everyone else's, and a forbidden local write changes nothing.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { MAX_PENDING_ENVELOPES, MAX_UPDATE_BYTES } from './constants.js'
import { nobleVerify, openEnvelope, peerIdOf, sealEnvelope, type EnvelopeReject, type VerifiedEnvelope, type VerifyFn } from './envelope.js'
import { checkUpdate } from './validate.js'
import { AuthorWriter } from './writer.js'
import { compareStrings, equalBytes, toHex } from './bytes.js'

export interface AuthorLog {
  authorId: string
  author: Uint8Array
  doc: Y.Doc
  /** Highest sequence number applied (all before it are applied too). */
  seq: number
  /** envelopes[i] is sequence number i + 1. */
  envelopes: VerifiedEnvelope[]
}

export type RejectReason = EnvelopeReject | 'forbidden' | 'equivocation'

export interface Rejection { reason: RejectReason, detail: string, authorId?: string, from?: string }

export type IngestResult =
  | { status: 'applied', applied: VerifiedEnvelope[], late: Rejection[] }
  | { status: 'duplicate' }
  | { status: 'pending' }
  | { status: 'ignored', detail: string }
  | { status: 'rejected', rejection: Rejection }

export class OwnLogIncompleteError extends Error { constructor (m: string) { super(m); this.name = 'OwnLogIncompleteError' } }

export interface StateOptions {
  /** This node's 32-byte Ed25519 secret key (its libp2p identity). */
  secretKey: Uint8Array
  /** Random 32-bit integers (the draft document's Yjs client ID). Injected: crdt/ reads no ambient randomness. */
  random: () => number
  verify?: VerifyFn
}

export class SwarmState {
  readonly selfId: string
  readonly publicKey: Uint8Array
  private readonly logs = new Map<string, AuthorLog>()
  private readonly pending = new Map<string, Map<number, { env: VerifiedEnvelope, from?: string }>>()
  private pendingCount = 0
  private draft!: Y.Doc
  private readonly verify: VerifyFn
  /** Called for every envelope applied (local or remote), in application order. */
  onApplied: (env: VerifiedEnvelope, local: boolean) => void = () => {}

  constructor (private readonly opts: StateOptions) {
    this.publicKey = ed25519.getPublicKey(opts.secretKey)
    this.selfId = peerIdOf(this.publicKey)
    this.verify = opts.verify ?? nobleVerify
    this.logOf(this.selfId, this.publicKey)
    this.resetDraft()
  }

  private logOf (authorId: string, author: Uint8Array): AuthorLog {
    let log = this.logs.get(authorId)
    if (log === undefined) {
      log = { authorId, author, doc: new Y.Doc({ gc: true }), seq: 0, envelopes: [] }
      this.logs.set(authorId, log)
    }
    return log
  }

  /** The draft is a copy of the node's own canonical document with a fresh client ID (never one used before). */
  private resetDraft (): void {
    const own = this.logOf(this.selfId, this.publicKey).doc
    const draft = new Y.Doc({ gc: true })
    let id = this.opts.random() >>> 0
    while (own.store.clients.has(id)) id = this.opts.random() >>> 0
    draft.clientID = id
    Y.applyUpdate(draft, Y.encodeStateAsUpdate(own))
    this.draft = draft
  }

  // ---- reading ----

  authors (): AuthorLog[] { return [...this.logs.values()].filter((l) => l.seq > 0).sort((a, b) => compareStrings(a.authorId, b.authorId)) }
  log (authorId: string): AuthorLog | undefined { return this.logs.get(authorId) }
  get ownSeq (): number { return this.logs.get(this.selfId)?.seq ?? 0 }
  get pendingSize (): number { return this.pendingCount }
  /**
   * True while envelopes of this node's own log wait for an earlier one (e.g. a stored record was lost): writing now
   * would reuse a sequence number, so write() refuses until catch-up has filled the gap.
   */
  get ownLogIncomplete (): boolean { return (this.pending.get(this.selfId)?.size ?? 0) > 0 }

  /** Every applied envelope, by author then sequence number (what a snapshot stores and catch-up serves). */
  * allEnvelopes (): Generator<VerifiedEnvelope> {
    for (const log of this.authors()) yield * log.envelopes
  }

  /** The step-1 vector: per author, the highest sequence number applied. */
  vector (): Array<{ author: Uint8Array, seq: number }> {
    return this.authors().map((l) => ({ author: l.author, seq: l.seq }))
  }

  /** Envelopes the holder of `vector` lacks, by author then sequence number. */
  * missing (vector: Array<{ author: Uint8Array, seq: number }>): Generator<VerifiedEnvelope> {
    const theirs = new Map(vector.map((v) => [toHex(v.author), v.seq]))
    for (const log of this.authors()) {
      const have = theirs.get(toHex(log.author)) ?? 0
      for (let s = have; s < log.seq; s++) yield log.envelopes[s]
    }
  }

  /**
   * The canonical encoding of the whole state: per author (sorted by peer ID) its peer ID, its sequence number and
   * Y.encodeStateAsUpdate of its document. Two nodes with the same envelopes produce the same bytes.
   */
  encodeState (): Uint8Array {
    const enc = encoding.createEncoder()
    const authors = this.authors()
    encoding.writeVarUint(enc, authors.length)
    for (const log of authors) {
      encoding.writeVarString(enc, log.authorId)
      encoding.writeVarUint(enc, log.seq)
      encoding.writeVarUint8Array(enc, Y.encodeStateAsUpdate(log.doc))
    }
    return encoding.toUint8Array(enc)
  }

  stateHash (): string { return toHex(sha256(this.encodeState())) }

  // ---- writing (own document only) ----

  /**
   * Makes a change in the node's own document and returns it as a signed envelope, already applied; null when the
   * change changed nothing. Throws (and changes nothing) when the change is over the size limit or breaks the schema.
   */
  write (change: (w: AuthorWriter) => void): VerifiedEnvelope | null {
    if (this.ownLogIncomplete) throw new OwnLogIncompleteError('this node\'s own log has a gap (a lost record): catch up before writing')
    let update: Uint8Array | null = null
    const capture = (u: Uint8Array): void => { update = update === null ? u : Y.mergeUpdates([update, u]) }
    this.draft.on('update', capture)
    try {
      this.draft.transact(() => change(new AuthorWriter(this.draft)))
    } finally {
      this.draft.off('update', capture)
    }
    if (update === null) return null
    const u: Uint8Array = update
    const own = this.logOf(this.selfId, this.publicKey)
    if (u.length > MAX_UPDATE_BYTES) {
      this.resetDraft()
      throw new RangeError(`the change is ${u.length} bytes, over the ${MAX_UPDATE_BYTES}-byte update limit: split it`)
    }
    const verdict = checkUpdate(own.doc, u)
    if (!verdict.ok) {
      this.resetDraft()
      throw new Error(`forbidden write: ${verdict.detail}`)
    }
    const env = sealEnvelope(u, own.seq + 1, this.opts.secretKey, this.publicKey)
    this.applyChecked(own, env)
    this.onApplied(env, true)
    return env
  }

  /** Reads the node's own draft (current own state) through the writer's query methods. */
  own<T> (read: (w: AuthorWriter) => T): T { return read(new AuthorWriter(this.draft)) }

  // ---- receiving ----

  /**
   * One envelope from the network or from storage. `trusted` skips the signature check (records this node stored
   * after checking them, protected by checksums); the permission check always runs.
   */
  ingest (bytes: Uint8Array, from?: string, trusted = false): IngestResult {
    const opened = openEnvelope(bytes, trusted ? () => true : this.verify)
    if (!opened.ok) return { status: 'rejected', rejection: { reason: opened.reason, detail: opened.detail, from } }
    return this.ingestVerified(opened.value, from)
  }

  ingestVerified (env: VerifiedEnvelope, from?: string): IngestResult {
    const log = this.logOf(env.authorId, env.author)
    if (env.seq <= log.seq) {
      if (equalBytes(log.envelopes[env.seq - 1].bytes, env.bytes)) return { status: 'duplicate' }
      return { status: 'rejected', rejection: { reason: 'equivocation', detail: `author ${env.authorId} signed two different updates as #${env.seq}`, authorId: env.authorId, from } }
    }
    if (env.seq > log.seq + 1) {
      let waiting = this.pending.get(env.authorId)
      if (waiting?.has(env.seq) === true) return { status: 'duplicate' }
      if (this.pendingCount >= MAX_PENDING_ENVELOPES) return { status: 'ignored', detail: 'too many envelopes waiting for earlier ones' }
      if (waiting === undefined) this.pending.set(env.authorId, waiting = new Map())
      waiting.set(env.seq, { env, from })
      this.pendingCount++
      return { status: 'pending' }
    }
    const verdict = checkUpdate(log.doc, env.update)
    if (!verdict.ok) return { status: 'rejected', rejection: { reason: 'forbidden', detail: verdict.detail, authorId: env.authorId, from } }
    this.applyChecked(log, env)
    this.onApplied(env, false)
    const applied = [env]
    const late: Rejection[] = []
    this.drain(log, applied, late)
    if (env.authorId === this.selfId) this.resetDraft()
    return { status: 'applied', applied, late }
  }

  private applyChecked (log: AuthorLog, env: VerifiedEnvelope): void {
    Y.applyUpdate(log.doc, env.update)
    log.envelopes.push(env)
    log.seq = env.seq
    if (log.authorId === this.selfId && log.doc.store.pendingStructs !== null) throw new Error('own document has pending structs')
  }

  /** Applies waiting envelopes that became next in line. */
  private drain (log: AuthorLog, applied: VerifiedEnvelope[], late: Rejection[]): void {
    const waiting = this.pending.get(log.authorId)
    if (waiting === undefined) return
    for (;;) {
      const next = waiting.get(log.seq + 1)
      if (next === undefined) break
      waiting.delete(log.seq + 1)
      this.pendingCount--
      const verdict = checkUpdate(log.doc, next.env.update)
      if (!verdict.ok) { late.push({ reason: 'forbidden', detail: verdict.detail, authorId: log.authorId, from: next.from }); break }
      this.applyChecked(log, next.env)
      this.onApplied(next.env, false)
      applied.push(next.env)
    }
    for (const s of [...waiting.keys()]) if (s <= log.seq) { waiting.delete(s); this.pendingCount-- }
    if (waiting.size === 0) this.pending.delete(log.authorId)
  }
}
