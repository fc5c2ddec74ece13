// Compares the ledger with what TRON reports: every transaction the ledger names is looked up by txID, and every
// payout's nonce is checked on its router. Each disagreement is listed; an empty list means they agree.
import type { PayoutService } from './service.js'

export interface Difference { key: string, ledger: string, tron: string }

export async function reconcile (s: PayoutService): Promise<Difference[]> {
  const out: Difference[] = []
  for (const t of s.state.txs.values()) {
    if (t.txid !== undefined && t.state !== 'dry-run') {
      const info = await s.d.tron.txInfo(t.txid)
      const ledgerIn = t.state === 'included' || t.state === 'confirmed' || t.state === 'failed'
      if (ledgerIn && !info.found) out.push({ key: t.key, ledger: `${t.state} ${t.txid}`, tron: 'no such transaction in a block' })
      if (!ledgerIn && info.found && t.state !== 'external') out.push({ key: t.key, ledger: `${t.state} ${t.txid}`, tron: `in block ${info.blockNumber ?? '?'} (${info.result ?? '?'})` })
      if (t.state === 'confirmed' && info.found && info.success !== true) out.push({ key: t.key, ledger: 'confirmed', tron: `failed: ${info.result ?? '?'}` })
    }
    if (t.kind === 'pay') {
      const batch = s.state.batches.get(t.batch)?.batch
      if (batch === undefined) continue
      const spec = s.specs(batch).payouts.find((p) => p.key === t.key)
      if (spec === undefined) continue
      const used = await spec.doneOnChain()
      const paid = t.state === 'confirmed' || t.state === 'external' || t.state === 'included'
      if (used !== paid) out.push({ key: t.key, ledger: t.state, tron: used ? 'router nonce used (paid)' : 'router nonce unused (not paid)' })
    }
  }
  return out
}
