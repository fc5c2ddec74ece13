// The durable payout ledger: an append-only JSON-lines file, one record per state change, each fsync'd before the
// next external step is taken. Replaying it gives the state; a torn last line (a crash mid-write) is ignored.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Guard } from '../service/crash.js'

export type LedgerRecord = Record<string, unknown> & { k: string }

export class Ledger {
  private fd: number
  readonly records: LedgerRecord[] = []

  constructor (readonly path: string, private readonly guard?: Guard) {
    mkdirSync(dirname(path), { recursive: true })
    let validBytes = 0
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8')
      let offset = 0
      for (const line of text.split('\n')) {
        const end = offset + Buffer.byteLength(line) + 1
        if (end > Buffer.byteLength(text)) break // last line without its newline: torn write
        try { this.records.push(JSON.parse(line) as LedgerRecord) } catch { break }
        offset = end
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
