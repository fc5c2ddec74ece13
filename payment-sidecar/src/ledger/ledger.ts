// The durable payout ledger: an append-only JSON-lines file, one record per state change, each fsync'd before the
// next external step is taken. Replaying it gives the state; a torn last line (a crash mid-write: no newline yet) is
// dropped. Any other unreadable line is damage, not a crash: the ledger refuses to open and changes nothing, since
// dropping the records after it would forget payouts and could pay them twice.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Guard } from '../service/crash.js'

export type LedgerRecord = Record<string, unknown> & { k: string }

export class LedgerDamaged extends Error {}

function parseRecord (line: string, path: string, n: number): LedgerRecord {
  let r: unknown
  try { r = JSON.parse(line) } catch { r = undefined }
  if (typeof r !== 'object' || r === null || Array.isArray(r) || typeof (r as { k?: unknown }).k !== 'string') {
    throw new LedgerDamaged(`ledger ${path}: line ${n} is not a ledger record, and it is not a torn last line: the file is damaged. Nothing was changed and nothing is paid until it is restored (from a backup) or repaired; 'lucid-payout reconcile' lists what TRON has`)
  }
  return r as LedgerRecord
}

export class Ledger {
  private fd: number
  readonly records: LedgerRecord[] = []

  constructor (readonly path: string, private readonly guard?: Guard) {
    mkdirSync(dirname(path), { recursive: true })
    let validBytes = 0
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8')
      const total = Buffer.byteLength(text)
      for (const [i, line] of text.split('\n').entries()) {
        const end = validBytes + Buffer.byteLength(line) + 1
        if (end > total) break // last line without its newline: torn write
        this.records.push(parseRecord(line, path, i + 1))
        validBytes = end
      }
    }
    this.fd = openSync(path, 'a+')
    // drop a torn tail so the next record starts on a fresh line
    ftruncateSync(this.fd, validBytes)
  }

  append (record: LedgerRecord): void {
    this.guard?.check()
    const line = JSON.stringify({ ...record, at: Date.now() }) + '\n'
    writeSync(this.fd, line)
    fsyncSync(this.fd)
    this.records.push(JSON.parse(line) as LedgerRecord)
  }

  close (): void {
    try { closeSync(this.fd) } catch {}
  }
}
