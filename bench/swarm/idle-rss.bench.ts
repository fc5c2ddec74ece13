/**
 * RSS of an idle node and its growth: a 3-node devnet of real `lucid start` processes (heartbeats, gossip and DHT
 * running, no sessions being put); node 1's VmRSS is sampled every 5 s after a 20 s settle. Reports the first, last
 * and peak RSS and the least-squares slope, over the whole run and after its first minute. The issue asks for
 * 10 minutes; `npm run bench` defaults to 2 minutes: LUCID_BENCH_IDLE_SECONDS=600 runs the full length (the result
 * says which duration was measured); a run of 20 minutes or more also reports each 10-minute stretch's mean and slope.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Devnet } from '../../node/src/devnet/devnet.js'
import { tempDir } from '../../test/integration/swarm/support.js'

const SECONDS = Number(process.env.LUCID_BENCH_IDLE_SECONDS ?? 120)
const SETTLE = 20
const EVERY = 5

async function rssMB (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

/** Least-squares slope of RSS over time, in MB per minute (NaN with fewer than two samples). */
function slopeMBperMin (xs: Array<{ t: number, mb: number }>): number {
  const mt = xs.reduce((s, x) => s + x.t, 0) / xs.length
  const mm = xs.reduce((s, x) => s + x.mb, 0) / xs.length
  return 60 * xs.reduce((s, x) => s + (x.t - mt) * (x.mb - mm), 0) / xs.reduce((s, x) => s + (x.t - mt) ** 2, 0)
}

const sleep = async (s: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, s * 1000)) }

const tmp = await tempDir('lucid-bench-idle-')
const devnet = await Devnet.create({ nodes: 3, dir: join(tmp.dir, 'devnet'), logLevel: 'warn' })
try {
  await devnet.start()
  const pid = devnet.nodes[0].process?.pid
  if (pid === undefined) throw new Error('no pid')
  await sleep(SETTLE)
  const samples: Array<{ t: number, mb: number }> = []
  const start = Date.now()
  while ((Date.now() - start) / 1000 <= SECONDS) {
    samples.push({ t: (Date.now() - start) / 1000, mb: await rssMB(pid) })
    await sleep(EVERY)
  }
  const n = samples.length
  const first = samples[0].mb
  const last = samples[n - 1].mb
  const peak = Math.max(...samples.map((x) => x.mb))
  const slopePerMin = slopeMBperMin(samples)
  // the first minute is V8 shrinking what startup allocated; what follows shows whether anything keeps growing
  const lateSlopePerMin = slopeMBperMin(samples.filter((x) => x.t >= 60))
  // on longer runs, the slope and mean of each 10-minute stretch: does the growth flatten or keep its pace?
  const stretches: Array<{ fromMin: number, meanMB: number, slopeMBperMin: number }> = []
  for (let from = 0; from + 600 <= samples[n - 1].t + EVERY; from += 600) {
    const xs = samples.filter((x) => x.t >= from && x.t < from + 600)
    if (xs.length > 2) stretches.push({ fromMin: from / 60, meanMB: Number((xs.reduce((m, x) => m + x.mb, 0) / xs.length).toFixed(1)), slopeMBperMin: Number(slopeMBperMin(xs).toFixed(2)) })
  }
  process.stdout.write(JSON.stringify({
    bench: 'swarm-idle-rss',
    what: 'VmRSS of node 1 of a 3-node devnet of real lucid processes (idle: heartbeats, gossip, DHT)',
    measuredSeconds: Math.round(samples[n - 1].t),
    requestedSeconds: 600,
    samples: n,
    firstMB: Math.round(first),
    lastMB: Math.round(last),
    peakMB: Math.round(peak),
    slopeMBperMin: Number(slopePerMin.toFixed(2)),
    slopeAfterFirstMinuteMBperMin: Number(lateSlopePerMin.toFixed(2)),
    ...(stretches.length > 1 ? { byTenMinutes: stretches } : {}),
    target: { peakMB: 150, growth: 'no trend (both slopes under 0.5 MB/min)' },
    withinTarget: peak < 150 && slopePerMin < 0.5 && lateSlopePerMin < 0.5
  }) + '\n')
} finally {
  await devnet.stop()
  await tmp.cleanup()
}
