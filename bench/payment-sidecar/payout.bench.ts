/**
 * Payout initiation latency (final batch seen → first transaction accepted by the TRON API; target < 2 s) and payouts
 * per minute, against the TRON stand-in. The body lives in test/payment-sidecar/support/payout-bench.ts.
 * Env: LUCID_BENCH_RUNS (default 7), LUCID_BENCH_PAYOUTS (default 120). One JSON object per line.
 */
import { runPayoutBench } from '../../test/payment-sidecar/support/payout-bench.js'

await runPayoutBench()
process.exit(0)
