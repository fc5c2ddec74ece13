/**
 * Persistence of the state: an append-only log of envelope records, compacted into one snapshot. The storage is an
 * interface (the node implements it over its LevelDB datastore; tests use memory); this file is the format and the
 * restore/compaction logic, pure.
 *
 *   record   = u8 kind (1) ‖ checksum (8) ‖ envelope             checksum = sha256("lucid/state-record/v1" ‖ envelope)[0..8]
 *   snapshot = "LSS1" ‖ varUint upTo ‖ varUint n ‖ n × (varUint length ‖ checksum (8) ‖ envelope)
 *
 * A snapshot holds every applied envelope (by author, then sequence number) and the number of the last log record it
 * covers; compaction writes it, then drops the records it covers. A crash between the two leaves records that are
 * also in the snapshot: restoring them again is harmless (duplicates are ignored). Restore feeds everything through
 * the normal ingest path (permission checks included; signatures were checked before storing, and a checksum guards
 * each envelope), so a restart restores the state exactly. A record or snapshot entry that fails its checksum or its
 * checks is skipped and reported, never fatal; what it held comes back through catch-up.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { sha256 } from '@noble/hashes/sha2.js'
import type { SwarmState } from './state.js'
import { equalBytes } from './bytes.js'

export interface StateStorage {
  /** Appends record number `n` (numbers only grow). */
  append: (n: number, record: Uint8Array) => Promise<void>
  readAll: () => Promise<{ snapshot: Uint8Array | null, records: Array<{ n: number, bytes: Uint8Array }> }>
  /** Replaces the snapshot atomically. */
  writeSnapshot: (snapshot: Uint8Array) => Promise<void>
  /** Drops every record numbered at most `upTo`. */
  dropRecords: (upTo: number) => Promise<void>
}

export interface StorageIncident { where: string, detail: string }

const RECORD_ENVELOPE = 1
const MAGIC = new TextEncoder().encode('LSS1')
const DOMAIN = new TextEncoder().encode('lucid/state-record/v1')

function checksum (bytes: Uint8Array): Uint8Array {
  const h = sha256.create(); h.update(DOMAIN); h.update(bytes)
  return h.digest().subarray(0, 8)
}

export function encodeRecord (envelope: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + envelope.length)
  out[0] = RECORD_ENVELOPE
  out.set(checksum(envelope), 1)
  out.set(envelope, 9)
  return out
}

export function decodeRecord (record: Uint8Array): Uint8Array {
  if (record.length < 9 || record[0] !== RECORD_ENVELOPE) throw new Error('unknown record kind or truncated record')
  const envelope = record.subarray(9)
  if (!equalBytes(checksum(envelope), record.subarray(1, 9))) throw new Error('checksum mismatch')
  return envelope
}

export function encodeSnapshot (upTo: number, envelopes: Iterable<Uint8Array>): Uint8Array {
  const list = [...envelopes]
  const enc = encoding.createEncoder()
  encoding.writeUint8Array(enc, MAGIC)
  encoding.writeVarUint(enc, upTo)
  encoding.writeVarUint(enc, list.length)
  for (const e of list) { encoding.writeVarUint(enc, e.length); encoding.writeUint8Array(enc, checksum(e)); encoding.writeUint8Array(enc, e) }
  return encoding.toUint8Array(enc)
}

/** Decodes a snapshot, skipping entries whose checksum fails; a broken frame ends the walk (reported). */
export function decodeSnapshot (bytes: Uint8Array, report: (i: StorageIncident) => void): { upTo: number, envelopes: Uint8Array[] } {
  const envelopes: Uint8Array[] = []
  let upTo = 0
  try {
    const dec = decoding.createDecoder(bytes)
    if (!equalBytes(decoding.readUint8Array(dec, 4), MAGIC)) throw new Error('not a state snapshot')
    upTo = decoding.readVarUint(dec)
    const n = decoding.readVarUint(dec)
    for (let i = 0; i < n; i++) {
      const len = decoding.readVarUint(dec)
      const sum = decoding.readUint8Array(dec, 8)
      const e = decoding.readUint8Array(dec, len)
      if (equalBytes(checksum(e), sum)) envelopes.push(e)
      else report({ where: `snapshot entry ${i}`, detail: 'checksum mismatch' })
    }
  } catch (err) {
    report({ where: 'snapshot', detail: `unreadable after ${envelopes.length} entries (${(err as Error).message})` })
  }
  return { upTo, envelopes }
}

export interface PersistOptions {
  /**
   * Compact after this many appended records, or after as many records as the last snapshot held envelopes,
   * whichever is more: a snapshot rewrites everything, so this keeps the rewriting cost per record constant.
   */
  compactEvery?: number
  onIncident?: (i: StorageIncident) => void
}

/** Keeps a SwarmState and its storage in step: restore at start, append every applied envelope, compact. */
export class StatePersistence {
  private next = 1
  private sinceCompaction = 0
  private lastSnapshotSize = 0
  private chain: Promise<void> = Promise.resolve()
  readonly incidents: StorageIncident[] = []

  constructor (private readonly state: SwarmState, private readonly storage: StateStorage, private readonly opts: PersistOptions = {}) {}

  private report (i: StorageIncident): void {
    this.incidents.push(i)
    this.opts.onIncident?.(i)
  }

  /** Loads the snapshot and the records after it into the (empty) state. */
  async restore (): Promise<{ envelopes: number, skipped: number }> {
    const { snapshot, records } = await this.storage.readAll()
    let applied = 0
    let skipped = 0
    const feed = (bytes: Uint8Array, where: string): void => {
      const r = this.state.ingest(bytes, undefined, true)
      if (r.status === 'rejected') { skipped++; this.report({ where, detail: `${r.rejection.reason}: ${r.rejection.detail}` }) } else if (r.status === 'applied') applied += r.applied.length
    }
    let upTo = 0
    if (snapshot !== null) {
      const s = decodeSnapshot(snapshot, (i) => { skipped++; this.report(i) })
      upTo = s.upTo
      this.lastSnapshotSize = s.envelopes.length
      s.envelopes.forEach((e, i) => feed(e, `snapshot entry ${i}`))
    }
    for (const { n, bytes } of records.sort((a, b) => a.n - b.n)) {
      this.next = Math.max(this.next, n + 1)
      if (n <= upTo) continue
      let envelope: Uint8Array
      try { envelope = decodeRecord(bytes) } catch (err) { skipped++; this.report({ where: `record ${n}`, detail: (err as Error).message }); continue }
      feed(envelope, `record ${n}`)
      this.sinceCompaction++
    }
    this.next = Math.max(this.next, upTo + 1)
    return { envelopes: applied, skipped }
  }

  /** Appends applied envelopes in order (call from SwarmState.onApplied); resolves when they are stored. */
  append (envelope: Uint8Array): Promise<void> {
    const n = this.next++
    const run = this.chain.then(async () => {
      await this.storage.append(n, encodeRecord(envelope))
      if (++this.sinceCompaction >= Math.max(this.opts.compactEvery ?? 1000, this.lastSnapshotSize)) await this.compactNow(n)
    })
    this.chain = run.catch(() => {})
    return run
  }

  /** Writes a snapshot of everything applied so far and drops the records it covers. */
  async compact (): Promise<void> {
    const run = this.chain.then(async () => { await this.compactNow(this.next - 1) })
    this.chain = run.catch(() => {})
    await run
  }

  private async compactNow (upTo: number): Promise<void> {
    const envelopes = [...this.state.allEnvelopes()].map((e) => e.bytes)
    this.lastSnapshotSize = envelopes.length
    await this.storage.writeSnapshot(encodeSnapshot(upTo, envelopes))
    await this.storage.dropRecords(upTo)
    this.sinceCompaction = 0
  }

  async flush (): Promise<void> { await this.chain }
}

/** In-memory storage (tests, simulations). */
export class MemoryStorage implements StateStorage {
  records = new Map<number, Uint8Array>()
  snapshot: Uint8Array | null = null
  async append (n: number, record: Uint8Array): Promise<void> { this.records.set(n, record) }
  async readAll (): Promise<{ snapshot: Uint8Array | null, records: Array<{ n: number, bytes: Uint8Array }> }> {
    return { snapshot: this.snapshot, records: [...this.records].map(([n, bytes]) => ({ n, bytes })) }
  }
  async writeSnapshot (snapshot: Uint8Array): Promise<void> { this.snapshot = snapshot }
  async dropRecords (upTo: number): Promise<void> { for (const n of [...this.records.keys()]) if (n <= upTo) this.records.delete(n) }
}
