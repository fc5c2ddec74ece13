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
import type { VectorEntry } from './sync.js'

export interface AuthorLog {
  authorId: string
  author: Uint8Array
  doc: Y.Doc
  /** Highest sequence number applied (all before it are applied too). */
  seq: number
  /** envelopes[i] is sequence number i + 1. */
  envelopes: VerifiedEnvelope[]
  /**
   * Set when the author signed two different envelopes under one number (equivocation): the lowest such number.
   * The author's document is then frozen at frozenAt − 1 on every node that learns it, and `evidence` (the two
   * envelopes) travels with catch-up so that every node learns it.
   */
  frozenAt?: number
  evidence?: [VerifiedEnvelope, VerifiedEnvelope]
  /** heads[i] = the log's hash chain after envelope i + 1: H(heads[i − 1] ‖ H(envelope)), first 16 bytes. */
  heads: Uint8Array[]
}

const EMPTY_HEAD = new Uint8Array(16)
function nextHead (prev: Uint8Array, env: VerifiedEnvelope): Uint8Array {
  const h = sha256.create(); h.update(prev); h.update(sha256(env.bytes))
  return h.digest().subarray(0, 16)
}

export type RejectReason = EnvelopeReject | 'forbidden'

export interface Rejection { reason: RejectReason, detail: string, authorId?: string, from?: string }

export type IngestResult =
  | { status: 'applied', applied: VerifiedEnvelope[], late: Rejection[] }
  | { status: 'duplicate' }
  | { status: 'pending' }
  | { status: 'ignored', detail: string }
  /** Proof that the author equivocated: its document is now frozen before `seq`. Not the relaying peer's fault. */
  | { status: 'equivocation', authorId: string, seq: number, detail: string, evidence: [VerifiedEnvelope, VerifiedEnvelope] }
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
      log = { authorId, author, doc: new Y.Doc({ gc: true }), seq: 0, envelopes: [], heads: [] }
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

  authors (): AuthorLog[] { return [...this.logs.values()].filter((l) => l.seq > 0 || l.frozenAt !== undefined).sort((a, b) => compareStrings(a.authorId, b.authorId)) }
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
    for (const log of this.authors()) {
      yield * log.envelopes
      if (log.evidence !== undefined) yield * log.evidence
    }
  }

  /** The step-1 vector: per author, the highest sequence number applied and the log's hash chain there. */
  vector (): VectorEntry[] {
    return this.authors().map((l) => ({ author: l.author, seq: l.seq, head: l.seq === 0 ? EMPTY_HEAD : l.heads[l.seq - 1] }))
  }

  /**
   * Envelopes the holder of `vector` lacks, by author then sequence number. When its chain at its number differs
   * from ours, its log diverged from ours (the author equivocated somewhere): all of ours are sent, so that it finds
   * the lowest conflicting number and freezes the author there, as we will with its answer.
   */
  * missing (vector: VectorEntry[]): Generator<VerifiedEnvelope> {
    const theirs = new Map(vector.map((v) => [toHex(v.author), v]))
    for (const log of this.authors()) {
      const t = theirs.get(toHex(log.author))
      let have = t?.seq ?? 0
      if (t !== undefined && have > 0 && have <= log.seq && !equalBytes(log.heads[have - 1], t.head)) have = 0
      for (let s = have; s < log.seq; s++) yield log.envelopes[s]
      // Evidence always travels: a peer may have applied one of the two versions without knowing of the other.
      if (log.evidence !== undefined) yield * log.evidence
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
      encoding.writeVarUint(enc, log.frozenAt ?? 0)
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
    if (log.evidence !== undefined && log.evidence.some((e) => equalBytes(e.bytes, env.bytes))) return { status: 'duplicate' }
    if (env.seq <= log.seq) {
      const known = log.envelopes[env.seq - 1]
      if (equalBytes(known.bytes, env.bytes)) return { status: 'duplicate' }
      return this.equivocation(log, known, env)
    }
    if (log.frozenAt !== undefined && env.seq >= log.frozenAt) return { status: 'ignored', detail: `author ${env.authorId} is frozen before #${log.frozenAt}` }
    if (env.seq > log.seq + 1) {
      let waiting = this.pending.get(env.authorId)
      const other = waiting?.get(env.seq)
      if (other !== undefined) return equalBytes(other.env.bytes, env.bytes) ? { status: 'duplicate' } : this.equivocation(log, other.env, env)
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

  /**
   * Two different envelopes of one author under one number: freeze the author's document before that number (the
   * lowest such number wins, so every node that has seen the same evidence holds the same document).
   */
  private equivocation (log: AuthorLog, a: VerifiedEnvelope, b: VerifiedEnvelope): IngestResult {
    const n = a.seq
    const evidence: [VerifiedEnvelope, VerifiedEnvelope] = [a, b]
    if (log.frozenAt === undefined || n < log.frozenAt) {
      log.frozenAt = n
      log.evidence = evidence
      const waiting = this.pending.get(log.authorId)
      if (waiting !== undefined) for (const s of [...waiting.keys()]) if (s >= n) { waiting.delete(s); this.pendingCount-- }
      if (log.seq >= n) {
        // Rebuild the document from the envelopes before n (stored), dropping what #n and later had added.
        const doc = new Y.Doc({ gc: true })
        const kept = log.envelopes.slice(0, n - 1)
        for (const e of kept) Y.applyUpdate(doc, e.update)
        log.doc.destroy()
        log.doc = doc
        log.envelopes = kept
        log.heads = log.heads.slice(0, n - 1)
        log.seq = n - 1
      }
      if (log.authorId === this.selfId) this.resetDraft()
      this.onEvidence(log.authorId, evidence)
    }
    return { status: 'equivocation', authorId: log.authorId, seq: n, detail: `author ${log.authorId} signed two different updates as #${n}`, evidence }
  }

  /** Called once per new (lower) equivocation proof, to store it. */
  onEvidence: (authorId: string, evidence: [VerifiedEnvelope, VerifiedEnvelope]) => void = () => {}

  private applyChecked (log: AuthorLog, env: VerifiedEnvelope): void {
    Y.applyUpdate(log.doc, env.update)
    log.heads.push(nextHead(log.seq === 0 ? EMPTY_HEAD : log.heads[log.seq - 1], env))
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
      if (next === undefined || (log.frozenAt !== undefined && log.seq + 1 >= log.frozenAt)) break
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
