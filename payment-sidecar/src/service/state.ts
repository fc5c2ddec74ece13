// The ledger replayed into state: batches by id, transactions by key, the chain cursor, the day totals.
// Pure over the records; the service appends records and applies them here.
import type { LedgerRecord } from '../ledger/ledger.js'
import { batchFromJson, type CommittedBatch } from '../batch/types.js'

export type TxState = 'planned' | 'signed' | 'rejected' | 'broadcast' | 'included' | 'confirmed' | 'failed' | 'expired' | 'external' | 'dry-run'
export const DONE: ReadonlySet<TxState> = new Set(['confirmed', 'external', 'dry-run'])

export interface TxRecord {
  key: string
  batch: string
  kind: 'approve' | 'pay'
  route: 'v0' | 'kyc'
  index?: number
  amount?: string
  to?: string
  attempt: number
  state: TxState
  txid?: string
  tx?: unknown
  expiration?: number
  blockNumber?: number
  fee?: number
  energy?: number
  reason?: string
  at: number
}

export type BatchState = 'accepted' | 'refused' | 'paid' | 'stalled' | 'dry-run'
export interface BatchRecord { id: string, epoch: number, blockNumber: number, state: BatchState, reason?: string, batch?: CommittedBatch, at: number }

export const utcDay = (ms: number): number => Math.floor(ms / 86_400_000)

export class State {
  cursor = -1
  readonly batches = new Map<string, BatchRecord>()
  readonly txs = new Map<string, TxRecord>()
  /** payout key → UTC day of its first signature (each payout counts once towards that day's local cap) */
  readonly countedDay = new Map<string, number>()
  readonly dayTotal = new Map<number, bigint>()
  readonly counters = { seen: 0, refused: 0, sent: 0, confirmed: 0, failed: 0, paidUsd6: 0n, energy: 0, feesSun: 0 }

  apply (r: LedgerRecord): void {
    if (r.k === 'cursor') this.cursor = Math.max(this.cursor, r.block as number)
    else if (r.k === 'batch') {
      const prev = this.batches.get(r.id as string)
      if (prev === undefined) this.counters.seen++
      if (r.state === 'refused' && prev === undefined) this.counters.refused++
      this.batches.set(r.id as string, {
        id: r.id as string,
        epoch: (r.epoch as number) ?? prev?.epoch,
        blockNumber: (r.blockNumber as number) ?? prev?.blockNumber,
        state: r.state as BatchState,
        reason: r.reason as string | undefined,
        batch: r.batch !== undefined ? batchFromJson(r.batch) : prev?.batch,
        at: r.at as number
      })
    } else if (r.k === 'tx') {
      const prev = this.txs.get(r.key as string)
      const next = { ...prev, ...r, k: undefined } as unknown as TxRecord
      if (r.state === 'planned' && prev !== undefined && prev.attempt !== r.attempt) {
        // a new attempt forgets the old transaction
        delete next.txid; delete next.tx; delete next.expiration; delete next.blockNumber
      }
      this.txs.set(next.key, next)
      if (next.kind === 'pay') {
        if (r.state === 'signed' && !this.countedDay.has(next.key)) {
          const day = utcDay(r.at as number)
          this.countedDay.set(next.key, day)
          this.dayTotal.set(day, (this.dayTotal.get(day) ?? 0n) + BigInt(next.amount ?? '0'))
        }
        if (r.state === 'broadcast' && prev?.state !== 'broadcast') this.counters.sent++
        if (r.state === 'confirmed') { this.counters.confirmed++; this.counters.paidUsd6 += BigInt(next.amount ?? '0') }
        if (r.state === 'failed') this.counters.failed++
      }
      if (r.state === 'included') { this.counters.energy += (r.energy as number) ?? 0; this.counters.feesSun += (r.fee as number) ?? 0 }
    }
  }
}
