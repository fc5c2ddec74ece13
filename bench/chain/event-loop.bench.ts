/**
 * How long block execution holds the event loop (what networking would wait for): the largest gap between
 * 1 ms timer ticks while a node builds, then re-executes, a block of N registerSession transactions, from
 * perf_hooks' event-loop delay histogram (max, p99, p50), and the event loop's utilization over the same time (the
 * share it was busy: what is left for gossip, sync and JSON-RPC). Baseline in the same run: the same figures over the
 * same duration with the loop idle. A follower re-executes on its execution worker (started before the measurement,
 * as on a running node). Blocks are capped by `chain.maxBuildMs` (500 ms) on the builder side; a follower
 * re-executes whatever it receives in one go. Builds run on the leader's execution worker. `rssMb`: the process'
 * resident memory (both chains and their workers) before the chains are opened and after the round, after a GC.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { benchGenesis, registerSessionTxs, GENESIS_MS, SLOT_MS } from './support.js'

const N = Number(process.env.BENCH_TXS ?? 300)
const g = await benchGenesis()
const dirs: string[] = []
const open = async (maxBuildMs: number): Promise<Chain> => {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-loop-'))
  dirs.push(dir)
  return await Chain.open({ dir, genesis: g, maxBuildMs })
}

async function measured<T> (body: () => Promise<T>): Promise<{ value: T, ms: number, h: IntervalHistogram, busy: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const elu = performance.eventLoopUtilization()
  const t0 = performance.now()
  const value = await body()
  const ms = performance.now() - t0
  const busy = performance.eventLoopUtilization(elu).utilization
  h.disable()
  return { value, ms, h, busy }
}

/** the longest gaps, and how busy the loop was (event-loop utilization: 1 = no time left for networking) */
const figures = (m: { h: IntervalHistogram, busy: number }): { maxMs: number, p99Ms: number, p50Ms: number, busy: number } =>
  ({ maxMs: Math.round(m.h.max / 1e5) / 10, p99Ms: Math.round(m.h.percentile(99) / 1e5) / 10, p50Ms: Math.round(m.h.percentile(50) / 1e5) / 10, busy: Number(m.busy.toFixed(2)) })

const rssMb = (): number => { (globalThis as { gc?: () => void }).gc?.(); return Math.round(process.memoryUsage().rss / 2 ** 20) }
for (const maxBuildMs of [500, 600_000]) {
  const rssBefore = rssMb()
  const leader = await open(maxBuildMs)
  const follower = await open(maxBuildMs)
  const decide = localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))
  const next = async (): Promise<Awaited<ReturnType<Chain['build']>>> => { const slot = leader.headPoot.slot + 1; return await leader.build(decide(leader, slot, GENESIS_MS + slot * SLOT_MS + 10)!) }
  // a running follower's execution worker is started: an empty block first
  const warm = await follower.importEnvelope((await leader.envelopeOf(await next()))!, Number.MAX_SAFE_INTEGER)
  if (!warm.ok) throw new Error(warm.reason)
  for (const tx of registerSessionTxs(g, N)) await leader.submitRaw(tx.serialize())
  const build = await measured(next)
  const env = (await leader.envelopeOf(build.value))!
  const reexec = await measured(async () => { const r = await follower.importEnvelope(env, Number.MAX_SAFE_INTEGER); if (!r.ok) throw new Error(r.reason) })
  const idle = await measured(async () => await new Promise((resolve) => setTimeout(resolve, Math.max(build.ms, reexec.ms))))
  const txs = build.value.transactions.length
  const rss = { before: rssBefore, after: rssMb() }
  process.stdout.write(JSON.stringify({ bench: 'chain-event-loop', maxBuildMs, txs, buildMs: Math.round(build.ms), build: figures(build), reexecuteMs: Math.round(reexec.ms), reexecute: figures(reexec), baseline: 'idle event loop, same duration', idle: figures(idle), rssMb: rss }) + '\n')
  await leader.close()
  await follower.close()
}
for (const d of dirs) rmSync(d, { recursive: true, force: true })
