// Prometheus text exposition (format 0.0.4) of the sidecar's counters and gauges.
import type { PayoutService } from './service.js'

export function metricsText (s: PayoutService): string {
  const c = s.state.counters
  const open = [...s.state.txs.values()].filter((t) => t.kind === 'pay' && !['confirmed', 'external', 'dry-run'].includes(t.state)).length
  const lines: Array<[string, string, string, number | bigint]> = [
    ['lucid_payout_batches_seen_total', 'counter', 'payout batches seen on the On-System chain', c.seen],
    ['lucid_payout_batches_refused_total', 'counter', 'payout batches refused by verification', c.refused],
    ['lucid_payout_payouts_sent_total', 'counter', 'payout transactions accepted by the TRON node', c.sent],
    ['lucid_payout_payouts_confirmed_total', 'counter', 'payouts with the configured confirmations', c.confirmed],
    ['lucid_payout_payouts_failed_total', 'counter', 'payout transactions that failed on chain', c.failed],
    ['lucid_payout_payouts_open', 'gauge', 'payouts not yet confirmed', open],
    ['lucid_payout_usdt_paid_usd6_total', 'counter', 'USDT paid and confirmed, in 6-decimal units', c.paidUsd6],
    ['lucid_payout_trx_balance_sun', 'gauge', 'TRX balance of the fee payer, in sun', s.trxBalanceSun ?? 0],
    ['lucid_payout_bandwidth_left', 'gauge', 'bandwidth the fee payer has left today (free + staked), in bytes', s.bandwidthLeft ?? 0],
    ['lucid_payout_energy_estimate_last', 'gauge', 'energy the node estimated for the last call built', s.lastEnergyEstimate ?? 0],
    ['lucid_payout_energy_used_total', 'counter', 'energy used by included transactions', c.energy],
    ['lucid_payout_fees_sun_total', 'counter', 'TRX fees paid by included transactions, in sun', c.feesSun],
    ['lucid_payout_tron_head_block', 'gauge', 'latest TRON block seen', s.head?.number ?? 0],
    ['lucid_payout_up', 'gauge', '1 when the last tick reached TRON and the chain', s.lastError === undefined && s.lastTickAt !== undefined ? 1 : 0]
  ]
  return lines.map(([n, t, h, v]) => `# HELP ${n} ${h}\n# TYPE ${n} ${t}\n${n} ${v.toString()}\n`).join('')
}
