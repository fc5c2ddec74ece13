/**
 * What starting the execution worker costs: time until it reports ready and the process' RSS it adds (after a GC,
 * the worker idle), started from its esbuild bundle (runtime/worker-bundle.ts, as `lucid start` does) and, as the
 * baseline in the same run, from its tsx entry (the fallback where no bundle can be built). Alternating, 3 rounds.
 */
import { Worker } from 'node:worker_threads'
import { EXEC_WORKER_ENTRY, EXEC_WORKER_FALLBACK } from '../../node/src/chain/exec-worker.js'
import { workerEntry } from '../../node/src/runtime/worker-bundle.js'
import { benchGenesis } from './support.js'

const g = await benchGenesis()
const gc = (): void => { (globalThis as { gc?: () => void }).gc?.() }
const settle = async (): Promise<void> => { gc(); await new Promise((resolve) => setTimeout(resolve, 500)); gc() }

async function start (entry: URL): Promise<{ readyMs: number, rssMb: number }> {
  await settle()
  const before = process.memoryUsage().rss
  const t0 = performance.now()
  const worker = new Worker(entry, { workerData: { common: g.commonSpec } })
  await new Promise<void>((resolve, reject) => { worker.once('message', () => { resolve() }); worker.once('error', reject) })
  const readyMs = performance.now() - t0
  await settle()
  const rssMb = (process.memoryUsage().rss - before) / 2 ** 20
  await worker.terminate()
  return { readyMs, rssMb }
}

const bundle = await workerEntry('exec-worker', EXEC_WORKER_ENTRY, EXEC_WORKER_FALLBACK)
if (bundle.href === EXEC_WORKER_FALLBACK.href) throw new Error('no bundle could be built (node/.cache/ not writable?)')
const runs: Record<'bundle' | 'tsx', Array<{ readyMs: number, rssMb: number }>> = { bundle: [], tsx: [] }
await start(bundle) // warm-up: the OS page cache and the main thread's own first-use costs
for (let i = 0; i < 3; i++) {
  runs.bundle.push(await start(bundle))
  runs.tsx.push(await start(EXEC_WORKER_FALLBACK))
}
const range = (xs: number[]): [number, number] => [Math.round(Math.min(...xs)), Math.round(Math.max(...xs))]
console.log(JSON.stringify({
  bench: 'chain-exec-worker-start',
  readyMs: range(runs.bundle.map((r) => r.readyMs)),
  rssMb: range(runs.bundle.map((r) => r.rssMb)),
  baseline: 'the same worker from its tsx entry',
  baselineReadyMs: range(runs.tsx.map((r) => r.readyMs)),
  baselineRssMb: range(runs.tsx.map((r) => r.rssMb))
}))
