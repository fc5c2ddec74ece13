/**
 * Leader schedule per slot for 5,000 entities: the top-(maxFallbacks + 1) selection with lazily computed tie hashes,
 * against the reference that scores and hashes everyone and sorts (naiveSchedule), measured in the same run.
 * Two cases: distinct credits (steady state) and all credits equal (genesis: every comparison needs a tie hash).
 */
import { buildFixture } from '../../protocols/poot/harness/fixture.js'
import { genesisState, type ChainState } from '../../protocols/poot/state.js'
import { computeSchedule, naiveSchedule } from '../../protocols/poot/schedule.js'
import { DEFAULT_PARAMS } from '../../protocols/poot/params.js'
import { mulberry32 } from '../../protocols/poot/harness/prng.js'

const ENTITIES = 5_000
process.stderr.write(`schedule: generating ${ENTITIES} node keys\n`)
const fixture = buildFixture({ seed: 1, nodes: ENTITIES, params: { ...DEFAULT_PARAMS }, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { config } = fixture
const genesis = genesisState(config)
const rand = mulberry32(42)

function withCredits (credit: () => number): ChainState {
  return { ...genesis, slot: 100, credits: new Map(config.registry.ranked.map((e) => [e.id, credit()])), missed: new Map(config.registry.ranked.slice(0, 50).map((e) => [e.id, 1])) }
}

function time (fn: (slot: number) => unknown, iterations: number): number {
  for (let i = 0; i < 5; i++) fn(1_000 + i) // warm-up
  const t0 = performance.now()
  for (let i = 0; i < iterations; i++) fn(101 + i)
  return ((performance.now() - t0) * 1000) / iterations
}

for (const [label, state] of [['distinct-credits', withCredits(() => Math.floor(rand() * 1_000_000))], ['equal-credits', withCredits(() => 100)]] as const) {
  const fast = time((slot) => computeSchedule(state, slot, config), 200)
  const naive = time((slot) => naiveSchedule(state, slot, config), 20)
  for (let slot = 101; slot < 111; slot++) {
    if (computeSchedule(state, slot, config).join() !== naiveSchedule(state, slot, config).join()) throw new Error('schedules differ')
  }
  process.stdout.write(JSON.stringify({
    bench: 'poot-schedule',
    case: label,
    entities: ENTITIES,
    leadersPerSlot: config.params.maxFallbacks + 2,
    usPerSlot: Math.round(fast),
    baseline: 'naiveSchedule: score + SHA-256 tie hash for every entity, full sort',
    baselineUsPerSlot: Math.round(naive),
    speedup: Number((naive / fast).toFixed(1))
  }) + '\n')
}
