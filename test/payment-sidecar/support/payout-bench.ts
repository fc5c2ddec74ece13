/**
 * The body of bench/payment-sidecar/payout.bench.ts (kept beside the test support it uses: the boundary lint lets only
 * payment-sidecar/ and test/ import the sidecar). The payout sidecar against the TRON stand-in (blocks every 100 ms) and the EDR chain:
 *  - initiation latency: from a tick that sees a final batch (already committed) to the batch's first
 *    transaction accepted by the TRON API (spec target: a USDT transfer initiated in under 2 s); baseline in the
 *    same run: one bare broadcast of a pre-signed transaction (the HTTP + node validation floor);
 *  - throughput: payouts per minute for a batch of LUCID_BENCH_PAYOUTS (default 120) entries, from the tick that
 *    sees it to every payout at 20 confirmations, and to every payout accepted by the node.
 * Prints one JSON object per line.
 */
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { Guard } from '../../../payment-sidecar/src/service/crash.js'
import { openService } from '../../../payment-sidecar/src/service/open.js'
import { TronHttp } from '../../../payment-sidecar/src/tron/http.js'
import { TronApi } from '../../../payment-sidecar/src/tron/node-api.js'
import { buildCall, signTx } from '../../../payment-sidecar/src/tron/tx.js'
import { batchState, sleep } from './drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD } from './world.js'

export async function runPayoutBench (): Promise<void> {
  const RUNS = Number(process.env.LUCID_BENCH_RUNS ?? 7)
  const PAYOUTS = Number(process.env.LUCID_BENCH_PAYOUTS ?? 120)
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const round = (x: number): number => Math.round(x * 10) / 10

  const w = await openWorld({ blockMs: 100 })
  const keys = [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey]
  const api = new TronApi(new TronHttp({ url: w.tron.url, timeoutMs: 5_000, retries: 0, backoffMs: 0 }))
  const token = new ethers.Interface(loadArtifact('FalseReturnToken').abi as ethers.InterfaceAbi)

  // baseline: broadcast one pre-signed transaction
  const baseline: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const data = token.encodeFunctionData('mint', ['0x' + '55'.repeat(20), BigInt(i + 1)])
    const tx = await signTx(await buildCall({ ownerHex: w.feePayer41, contractHex: w.token41, selector: 'mint(address,uint256)', args: '0x' + data.slice(10), feeLimitSun: 50_000_000, permissionId: 2, ref: await api.nowBlock(), expirationMs: 60_000 }), keys)
    const t0 = performance.now()
    const r = await api.broadcast(tx)
    baseline.push(performance.now() - t0)
    if (!r.accepted) throw new Error('baseline broadcast refused')
  }

  let epoch = 9_000
  const latencies: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(8, `bench latency ${i}`), distributableUsd: 2_000n * USD })
    const block = await commitBatch(w, batch)
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 20 }), { keys, guard: new Guard() })
    const t0 = Date.now()
    await s.tick()
    const first = s.d.ledger.records.find((r) => r.k === 'tx' && r.state === 'broadcast')
    if (first === undefined) throw new Error(`no transaction accepted in the first tick: ${s.lastError ?? JSON.stringify([...s.blocked])}`)
    // the ledger stamps each record with Date.now() right after the node accepted the transaction
    latencies.push((first.at as number) - t0)
    s.d.ledger.close()
  }
  process.stdout.write(JSON.stringify({
    bench: 'payout-initiation-latency',
    runs: RUNS,
    msMedian: round(median(latencies)),
    msMax: round(Math.max(...latencies)),
    targetMs: 2000,
    baseline: 'one broadcast of a pre-signed transaction to the stand-in',
    baselineMsMedian: round(median(baseline)),
    note: 'from the tick that sees the committed batch (getnowblock, getLogs, registry and router reads, verification) to the approveBatch transaction accepted'
  }) + '\n')

  const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(PAYOUTS, 'bench throughput'), distributableUsd: BigInt(PAYOUTS) * 50n * USD })
  const block = await commitBatch(w, batch)
  const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 20, caps: { maxPerTxUsd6: String(10_000n * USD), dailyCapUsd6: String(1_000_000n * USD) } }), { keys, guard: new Guard() })
  s.d.config.concurrency = 16
  const t0 = performance.now()
  let acceptedAt = 0
  for (let i = 0; i < 10_000 && batchState(s, batch.root) !== 'paid'; i++) {
    await s.tick()
    if (acceptedAt === 0 && [...s.state.txs.values()].filter((t) => t.kind === 'pay' && t.batch === batch.root && ['broadcast', 'included', 'confirmed'].includes(t.state)).length === batch.entries.length) acceptedAt = performance.now()
    await sleep(20)
  }
  const seconds = (performance.now() - t0) / 1000
  if (batchState(s, batch.root) !== 'paid') throw new Error(`batch not paid: ${s.lastError ?? ''}`)
  for (const e of batch.entries) if (await w.tokenBalance(e.address) !== e.netUsd) throw new Error('a balance is wrong')
  process.stdout.write(JSON.stringify({
    bench: 'payout-throughput',
    payouts: batch.entries.length,
    confirmations: 20,
    blockMs: 100,
    concurrency: 16,
    secondsToAllConfirmed: round(seconds),
    payoutsPerMinuteConfirmed: Math.round(batch.entries.length / seconds * 60),
    secondsToAllAccepted: round((acceptedAt - t0) / 1000),
    payoutsPerMinuteAccepted: Math.round(batch.entries.length / ((acceptedAt - t0) / 1000) * 60),
    note: 'stand-in blocks every 100 ms (TRON: 3 s, so 20 confirmations take ≥ 60 s there)'
  }) + '\n')
  s.d.ledger.close()
  await w.close()
}
