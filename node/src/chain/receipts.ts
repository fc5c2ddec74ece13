/** Receipts as stored, from a builder's or runBlock's per-transaction results. */
import type { RunTxResult, TxReceipt } from '@ethereumjs/vm'
import type { StoredReceipt, Log } from './store.js'

export function toStoredReceipts (receipts: TxReceipt[], results: RunTxResult[]): StoredReceipt[] {
  return receipts.map((r, i) => ({
    status: ('status' in r ? r.status : 1) as 0 | 1,
    cumulativeGasUsed: r.cumulativeBlockGasUsed,
    gasUsed: results[i].totalGasSpent,
    logs: r.logs as Log[],
    bloom: r.bitvector,
    contractAddress: results[i].createdAddress?.bytes ?? new Uint8Array(0)
  }))
}
