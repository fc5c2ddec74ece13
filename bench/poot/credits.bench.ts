/**
 * Credit tally update per block. (1) The sliding-window update alone (slideWindow: copy the tally, add the block's
 * delta, subtract the deltas that left the window) against recomputing the tally over the whole window
 * (recomputeTally), on a synthetic chain as long as the window. (2) A whole applyBlock with a realistic body
 * (1,000 heartbeats and 1,000 votes, all signatures checked), where the tally is a small part.
 */
import { buildFixture } from '../../protocols/poot/harness/fixture.js'
import { genesisState, ancestorAtHeight, skipHeight, type ChainState } from '../../protocols/poot/state.js'
import { slideWindow, recomputeTally } from '../../protocols/poot/credits.js'
import { windowSlots, slotStartMs } from '../../protocols/poot/params.js'
import { mulberry32 } from '../../protocols/poot/harness/prng.js'
import { applyBlock } from '../../protocols/poot/transition.js'
import { makeBlock } from '../../protocols/poot/make-block.js'
import { makeHeartbeat, makeVote } from '../../protocols/poot/make-proofs.js'
import { scheduleFor } from '../../protocols/poot/schedule.js'

const ENTITIES = 5_000
const PER_BLOCK = 500
// 120 s slots and a 3-day window: 2,160 blocks of deltas kept in memory.
const small = buildFixture({ seed: 2, nodes: 20, params: { slotMs: 120_000, slotTimeoutMs: 5_000, creditWindowDays: 3, heartbeatIntervalMs: 30_000, cooldownSlots: 16 }, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const W = windowSlots(small.config.params)
const ids = Array.from({ length: ENTITIES }, (_, i) => `entity-${i}`)
const rand = mulberry32(7)

process.stderr.write(`credits: building a ${W + 50}-block synthetic chain, ${PER_BLOCK} entities credited per block\n`)
let tip: ChainState = genesisState(small.config)
for (let h = 1; h <= W + 50; h++) {
  const delta = new Map<string, number>()
  for (let k = 0; k < PER_BLOCK; k++) delta.set(ids[Math.floor(rand() * ENTITIES)], 1 + Math.floor(rand() * 4))
  const { credits, windowStart } = slideWindow(tip, h, delta, W)
  const parent = tip
  tip = { ...parent, hash: `h${h}`, slot: h, height: h, parent, skip: ancestorAtHeight(parent, skipHeight(h)), header: parent.header, credits, delta, windowStart }
}
const nextDelta = new Map(ids.slice(0, PER_BLOCK).map((id) => [id, 1]))
const time = (fn: () => unknown, n: number): number => { fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); return ((performance.now() - t0) * 1000) / n }
const inc = time(() => slideWindow(tip, tip.slot + 1, nextDelta, W), 200)
const naive = time(() => recomputeTally(tip, tip.slot + 1, nextDelta, W), 5)
const a = slideWindow(tip, tip.slot + 1, nextDelta, W).credits
const b = recomputeTally(tip, tip.slot + 1, nextDelta, W)
if (a.size !== b.size || [...a].some(([k, v]) => b.get(k) !== v)) throw new Error('tallies differ')
process.stdout.write(JSON.stringify({ bench: 'poot-credit-tally', entities: ENTITIES, windowBlocks: W, creditedPerBlock: PER_BLOCK, usPerBlock: Math.round(inc), baseline: 'recomputeTally: sum every delta in the window', baselineUsPerBlock: Math.round(naive), speedup: Number((naive / inc).toFixed(1)) }) + '\n')

// (2) applyBlock with 1,000 heartbeats + 1,000 votes
const NODES = 1_000
process.stderr.write(`credits: applyBlock with ${NODES} heartbeats and ${NODES} votes\n`)
const big = buildFixture({ seed: 3, nodes: NODES, catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { config } = big
const keyOf = new Map(big.keys.map((k) => [k.id, k]))
function block (parent: ChainState, proofs: Parameters<typeof makeBlock>[0]['body']['proofs']) {
  const slot = parent.slot + 1
  const proposer = scheduleFor(parent, slot, config)[0]
  const entity = config.registry.byId.get(proposer)!
  return makeBlock({ parentHash: parent.hash, slot, rank: 0, timeMs: slotStartMs(0, config.params, slot) + 1, proposer, signers: [{ member: 0, key: keyOf.get(entity.members[0])! }], body: { proofs, sessions: [], evidence: [], voteEvidence: [] } })
}
let parent = genesisState(config)
const samples: number[] = []
for (let i = 0; i < 6; i++) {
  const proofs = big.keys.slice(0, NODES).flatMap((k) => [makeHeartbeat(k, parent.slot + 1, parent.slot + 1, parent), ...(parent.height > 0 ? [makeVote(k, parent, parent.slot)] : [])])
  const b2 = block(parent, proofs)
  const t0 = performance.now()
  const r = applyBlock(parent, b2, config)
  samples.push(performance.now() - t0)
  if (!r.ok) throw new Error(r.reason)
  parent = r.value
}
const ms = samples.slice(1).reduce((x, y) => x + y, 0) / (samples.length - 1)
process.stdout.write(JSON.stringify({ bench: 'poot-apply-block', nodes: NODES, proofsPerBlock: 2 * NODES, msPerBlock: Number(ms.toFixed(1)), usPerProof: Number(((ms * 1000) / (2 * NODES)).toFixed(1)), note: 'every signature verified (node:crypto Ed25519); finality ran on each block' }) + '\n')
