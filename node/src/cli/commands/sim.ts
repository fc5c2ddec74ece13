/**
 * `lucid sim`: the PoOT rules in the virtual-time harness (protocols/poot/harness, docs/poot.md "The harness"), for
 * researchers: the same code the nodes run, N simulated nodes over a simulated network with delays, drops, crashes
 * and Byzantine behaviours, deterministic for a seed. Prints what the run came to (or one JSON object with --json).
 */
import { Command, InvalidArgumentError } from 'commander'
import { HARNESS_PARAMS, Harness, summarize, traceSlot, type Behaviour, type SimSummary } from '../../../../protocols/poot/harness/index.js'
import { createProgress } from '../progress.js'
import { parseWholeFlag as whole } from '../parse.js'
import { DEFAULT_PARAMS, PARAM_BOUNDS, checkParams, type PootParams } from '../../../../protocols/poot/params.js'

const BEHAVIOURS: readonly Behaviour[] = ['silent', 'equivocate', 'double-vote', 'forge']

function fraction (text: string): number {
  const x = Number(text)
  if (text.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1) throw new InvalidArgumentError('--drop must be a number from 0 to below 1 (e.g. 0.05)')
  return x
}

/** `kind:count`: `count` nodes behave as `kind`, taken from the highest indexes down. */
function behaviour (text: string, previous: Array<{ kind: Behaviour, count: number }>): Array<{ kind: Behaviour, count: number }> {
  const [kind, count] = text.split(':')
  if (!BEHAVIOURS.includes(kind as Behaviour) || !/^\d+$/.test(count ?? '') || Number(count) < 1) {
    throw new InvalidArgumentError(`--behaviour '${text}': expected KIND:COUNT with KIND one of ${BEHAVIOURS.join(', ')} (e.g. equivocate:2)`)
  }
  return [...previous, { kind: kind as Behaviour, count: Number(count) }]
}

/** `node:fromSlot[:toSlot]`: the node is down from the start of fromSlot (until the start of toSlot). */
function crash (text: string, previous: Array<{ node: number, fromSlot: number, toSlot?: number }>): Array<{ node: number, fromSlot: number, toSlot?: number }> {
  const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(text)
  if (m === null || Number(m[2]) < 1 || (m[3] !== undefined && Number(m[3]) <= Number(m[2]))) {
    throw new InvalidArgumentError(`--crash '${text}': expected NODE:FROM_SLOT[:TO_SLOT] with 1 ≤ FROM_SLOT < TO_SLOT (e.g. 3:5:9)`)
  }
  return [...previous, { node: Number(m[1]), fromSlot: Number(m[2]), ...(m[3] !== undefined ? { toSlot: Number(m[3]) } : {}) }]
}

/** `name=value`: a PoOT parameter other than the harness's (docs/poot.md, "Parameters"). */
function param (text: string, previous: Partial<PootParams>): Partial<PootParams> {
  const m = /^([A-Za-z]+)=(\d+)$/.exec(text)
  if (m === null || !(m[1] in PARAM_BOUNDS)) throw new InvalidArgumentError(`--param '${text}': expected NAME=WHOLE_NUMBER with NAME one of ${Object.keys(PARAM_BOUNDS).join(', ')}`)
  return { ...previous, [m[1]]: Number(m[2]) }
}

function pool (text: string, previous: Array<{ size: number, threshold: number }>): Array<{ size: number, threshold: number }> {
  const m = /^(\d+):(\d+)$/.exec(text)
  const size = Number(m?.[1])
  const threshold = Number(m?.[2])
  if (m === null || size < 2 || threshold < 1 || threshold > size) throw new InvalidArgumentError(`--pool '${text}': expected SIZE:THRESHOLD with 2 ≤ SIZE and 1 ≤ THRESHOLD ≤ SIZE (e.g. 3:2)`)
  return [...previous, { size, threshold }]
}

interface SimOptions {
  nodes: number, slots: number, seed: number, drop: number, minDelay: number, maxDelay: number, sessions: number, relays: number
  behaviour: Array<{ kind: Behaviour, count: number }>, crash: Array<{ node: number, fromSlot: number, toSlot?: number }>
  pool: Array<{ size: number, threshold: number }>, param: Partial<PootParams>, serverDown?: boolean, json?: boolean, trace?: boolean
}

/** The behaviours by node index: each kind takes `count` nodes from the highest indexes down. */
function behavioursOf (opts: SimOptions): Record<number, Behaviour> {
  const out: Record<number, Behaviour> = {}
  let next = opts.nodes - 1
  for (const { kind, count } of opts.behaviour) for (let i = 0; i < count; i++) out[next--] = kind
  return out
}

function check (opts: SimOptions): void {
  const byzantine = opts.behaviour.reduce((n, b) => n + b.count, 0)
  if (byzantine > opts.nodes) throw new InvalidArgumentError(`--behaviour: ${byzantine} misbehaving nodes, --nodes is ${opts.nodes}`)
  const pooled = opts.pool.reduce((n, p) => n + p.size, 0)
  if (pooled > opts.nodes) throw new InvalidArgumentError(`--pool: the pools take ${pooled} nodes, --nodes is ${opts.nodes}`)
  for (const c of opts.crash) if (c.node >= opts.nodes) throw new InvalidArgumentError(`--crash: node ${c.node} does not exist (nodes are 0 to ${opts.nodes - 1})`)
  if (opts.minDelay > opts.maxDelay) throw new InvalidArgumentError(`--min-delay ${opts.minDelay} is above --max-delay ${opts.maxDelay}`)
  const params = { ...DEFAULT_PARAMS, ...HARNESS_PARAMS, ...opts.param }
  const verdict = checkParams(params)
  if (!verdict.ok) {
    const name = verdict.reason.split(':')[1] as keyof PootParams | undefined
    const bounds = name !== undefined && name in PARAM_BOUNDS ? ` (from ${PARAM_BOUNDS[name][0]} to ${PARAM_BOUNDS[name][1]})` : ''
    throw new InvalidArgumentError(`--param: ${verdict.reason}${bounds}; the harness runs ${JSON.stringify(HARNESS_PARAMS)} over the defaults`)
  }
}

function report (s: SimSummary, seconds: number): string {
  const reasons = (m: Record<string, number>): string => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
  return [
    `simulated ${s.nodes} nodes (+ the Server) for ${s.slots} slots in ${seconds.toFixed(1)} s (${(s.slots / seconds).toFixed(2)} slots/s)`,
    `blocks      ${s.blocksProposed} proposed; on the chain: by rank ${reasons(s.canonicalByRank)}, the Server's fallback ${s.serverBlocks}`,
    `heights     head ${s.headHeight.min}–${s.headHeight.max}, finalized ${s.finalizedHeight.min}–${s.finalizedHeight.max} over the honest nodes that are up`,
    `safety      finality ${s.finalityAgreed ? 'agreed' : 'CONFLICTING'}, ${s.finalityReverts} finality reverts, ${s.forgedProofsAccepted} forged proofs accepted`,
    `evidence    ${s.equivocationsEvidenced} block equivocations, ${s.doubleVotesEvidenced} double votes`,
    `refused     blocks: ${reasons(s.rejectedBlocks)}; forged proofs: ${reasons(s.rejectedForgedProofs)}${s.replaysCountedAsOriginal > 0 ? ` (and ${s.replaysCountedAsOriginal} replayed copies counted as their dropped originals)` : ''}`
  ].join('\n') + '\n'
}

export function simCommand (): Command {
  return new Command('sim')
    .description('simulate a PoOT swarm in virtual time with the nodes\' own rules (deterministic for a seed): finality, leaders, evidence, refusals')
    .option('--nodes <n>', 'simulated nodes (the Server entity comes on top)', whole('--nodes', 1, 20_000), 100)
    .option('--slots <n>', 'slots to run', whole('--slots', 1, 100_000), 30)
    .option('--seed <n>', 'seed of every random draw', whole('--seed', 0, 2 ** 32 - 1), 1)
    .option('--drop <fraction>', 'fraction of messages lost', fraction, 0)
    .option('--min-delay <ms>', 'shortest message delay', whole('--min-delay', 0, 600_000), 20)
    .option('--max-delay <ms>', 'longest message delay', whole('--max-delay', 0, 600_000), 400)
    .option('--sessions <n>', 'sessions anchored per slot (at most)', whole('--sessions', 0, 1000), 5)
    .option('--relays <n>', 'relay receipts per slot', whole('--relays', 0, 100_000), 20)
    .option('--behaviour <kind:count>', `misbehaving nodes, taken from the highest indexes (${BEHAVIOURS.join(', ')}); repeatable`, behaviour, [])
    .option('--crash <node:from[:to]>', 'a node down from the start of slot FROM (until TO); repeatable', crash, [])
    .option('--pool <size:threshold>', 'the next nodes from index 0 form one pool entity; repeatable', pool, [])
    .option('--param <name=value>', 'a PoOT parameter (e.g. slotTimeoutMs=3000, cooldownSlots=4); repeatable; checked against its bounds', param, {})
    .option('--server-down', 'the Server entity (every slot\'s last fallback) never proposes')
    .option('--json', 'print the summary as one JSON object')
    .option('--trace', 'before the summary, one JSON line per slot: head and finalized heights (min, max over the honest nodes that are up), blocks proposed so far, nodes up (implies --json)')
    .action((opts: SimOptions) => {
      check(opts)
      if (opts.trace === true) opts.json = true
      const h = new Harness({
        seed: opts.seed,
        nodes: opts.nodes,
        pools: opts.pool,
        params: opts.param,
        network: { dropRate: opts.drop, minDelayMs: opts.minDelay, maxDelayMs: opts.maxDelay },
        behaviours: behavioursOf(opts),
        crashes: opts.crash,
        serverDown: opts.serverDown === true,
        sessionsPerSlot: opts.sessions,
        relaysPerSlot: opts.relays
      })
      const progress = createProgress('simulating', opts.slots, process.stderr.isTTY === true && opts.json !== true, { name: 'slots', size: 1, decimals: 0 })
      const started = performance.now()
      for (let slot = 1; slot <= opts.slots; slot++) {
        h.runUntilSlot(slot + 1)
        if (opts.trace === true) process.stdout.write(JSON.stringify(traceSlot(h, slot)) + '\n')
        progress.update(slot)
      }
      progress.finish()
      const seconds = (performance.now() - started) / 1000
      const s = summarize(h, opts.slots)
      // the JSON carries everything that makes the run reproducible: the seed, the network and the effective parameters
      const run = { seed: opts.seed, network: { dropRate: opts.drop, minDelayMs: opts.minDelay, maxDelayMs: opts.maxDelay }, params: h.params }
      process.stdout.write(opts.json === true ? JSON.stringify({ ...s, ...run, wallSeconds: Number(seconds.toFixed(3)) }) + '\n' : report(s, seconds))
      if (s.finalityReverts > 0 || !s.finalityAgreed || s.forgedProofsAccepted > 0) process.exitCode = 3
    })
}
