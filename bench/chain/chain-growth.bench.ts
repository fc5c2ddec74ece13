/**
 * What a chain costs as it grows: the memory it keeps per block, and the time a restart takes per block (the PoOT
 * states are replayed from the stored envelopes at open). A chain with the production slot (120 s; heartbeats every
 * 30 s) and the dev genesis' 3-day credit window (2,160 blocks, the spec's least) produces blocks carrying every
 * node's votes and heartbeats (what a running swarm's blocks carry: finality follows the head by two blocks); the heap
 * after a full GC is sampled as it grows. Inside the first window every block adds its state (bytes per block from
 * the first sample to the window's end); past the window plus the retiring depth the states below the finalized
 * window are pruned (protocols/poot retire.ts), so the heap should stop growing (bytes per block over the samples
 * after it). Then the chain is closed (storing a PoOT snapshot at the finalized block) and opened again, timed, and the
 * states it keeps counted; and opened once more with the snapshot made unreadable, which replays every block (the
 * time per block of a full replay). Baselines in the same
 * run: the PoOT states of the same blocks applied again through the rules alone, kept whole (as before retiring
 * existed) and retired and pruned as the chain does it, bytes per block each way; and that replay's time per block
 * with every signature verified (as before a replay trusted its own store) and trusted.
 * Env: BENCH_CHAIN_GROWTH_BLOCKS (default 4000), BENCH_CHAIN_GROWTH_SLOT_MS (default 120000).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, decodeEnvelope, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { dueProofs, freshDuties } from '../../node/src/chainnet/duties.js'
import { DEFAULT_PARAMS, NOTHING_RETIRED, RETIRE_DEPTH, ancestorAtHeight, applyBlock, genesisState, retireStates, slotStartMs, windowSlots, type Block, type ChainState, type PootConfig, type Retired } from '../../protocols/poot/index.js'
import { benchGenesis } from './support.js'

const BLOCKS = Number(process.env.BENCH_CHAIN_GROWTH_BLOCKS ?? 4000)
const SLOT_MS = Number(process.env.BENCH_CHAIN_GROWTH_SLOT_MS ?? 120_000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const heapMB = (): number => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20 }

const g = await benchGenesis(SLOT_MS, { heartbeatIntervalMs: DEFAULT_PARAMS.heartbeatIntervalMs })
const WINDOW = windowSlots(g.poot.params)
const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-chain-growth-'))
const chain = await Chain.open({ dir, genesis: g })
const keys = devNodeKeys(9)
const decide = localProposer(signersFrom(chain, [...keys, devServerKey()]))
const duties = new Map(keys.map((k) => [k.id, freshDuties()]))
const { params, genesisMs } = g.poot
const samples: Array<{ blocks: number, heapMB: number }> = []
const envelopes: Uint8Array[] = []
// fresh block objects each time: proof signature checks are memoised per proof object
const pootBlocks = (): Block[] => envelopes.map((e) => decodeEnvelope(e).poot)
let proofCount = 0
try {
  if (BLOCKS < WINDOW + RETIRE_DEPTH + 1000) throw new Error(`BENCH_CHAIN_GROWTH_BLOCKS must be at least ${WINDOW + RETIRE_DEPTH + 1000}: the window (${WINDOW} blocks) and the retiring depth, then the samples past them`)
  const started = Date.now()
  for (let slot = 1; slot <= BLOCKS; slot++) {
    // votes and heartbeats made by the end of the previous slot, as nodes' duties make them
    const at = slotStartMs(genesisMs, params, slot) - 1
    const proofs = keys.flatMap((k) => {
      const due = dueProofs(k, chain.headPoot, chain.configAt(slot), at, duties.get(k.id) ?? freshDuties())
      duties.set(k.id, due.state)
      return due.proofs
    })
    const p = decide(chain, slot, slotStartMs(genesisMs, params, slot) + 10)
    if (p === null) throw new Error(`no proposal for slot ${slot}`)
    proofCount += proofs.length
    await chain.build({ ...p, proofs })
    if (slot % 250 === 0) samples.push({ blocks: slot, heapMB: +heapMB().toFixed(2) })
  }
  const seconds = (Date.now() - started) / 1000
  const finalized = chain.headPoot.finalizedHeight
  const closing = Date.now()
  await chain.close() // stores a PoOT snapshot at the finalized block
  const closeMs = Date.now() - closing
  let opening = Date.now()
  const resumed = await Chain.open({ dir, genesis: g })
  const resumeMs = Date.now() - opening
  const statesKept = resumed.statesKept
  const resumedReplayed = resumed.opened.replayed
  const snapshotBytes = (await resumed.store.snapshot())?.length ?? 0
  // the same restart without a snapshot (an unreadable one is ignored): every block replayed
  await resumed.store.putSnapshot(new Uint8Array([0]))
  await resumed.close()
  opening = Date.now()
  const reopened = await Chain.open({ dir, genesis: g })
  const openMs = Date.now() - opening
  if (reopened.opened.replayed !== BLOCKS) throw new Error(`the full replay replayed ${reopened.opened.replayed} blocks`)
  for (let n = 1n; n <= BigInt(BLOCKS); n++) {
    const block = await reopened.blockByNumber(n)
    envelopes.push((await reopened.envelopeOf(block as NonNullable<typeof block>)) as Uint8Array)
  }
  await reopened.close()

  // the baseline: the same PoOT blocks through the rules alone, states kept whole, then retired and pruned
  const statesMB = (retire: boolean, config: PootConfig = g.poot, blocks = pootBlocks()): number => {
    const before = heapMB()
    let s: ChainState = genesisState(config)
    let retired: Retired = NOTHING_RETIRED
    for (const b of blocks) {
      const r = applyBlock(s, b, config)
      if (!r.ok) throw new Error(`replay refused: ${r.reason}`)
      s = r.value
      if (retire) retired = retireStates(ancestorAtHeight(s, s.finalizedHeight) as ChainState, retired)
    }
    const used = heapMB() - before
    if (s.height !== blocks.length) throw new Error('replay incomplete') // keeps `s` (every state) and the blocks alive until here
    return used
  }
  const whole = statesMB(false)
  const retired = statesMB(true)
  const replayMs = (config: PootConfig): number => { const blocks = pootBlocks(); const t = performance.now(); statesMB(true, config, blocks); return performance.now() - t }
  const verifiedMs = replayMs(g.poot)
  const trustedMs = replayMs({ ...g.poot, trustSignatures: true })
  const perBlock = (from: typeof samples[number], to: typeof samples[number]): number => Math.round((to.heapMB - from.heapMB) * 2 ** 20 / (to.blocks - from.blocks))
  const inWindow = samples.filter((x) => x.blocks <= WINDOW)
  const past = samples.filter((x) => x.blocks >= WINDOW + RETIRE_DEPTH + 250)
  console.log(JSON.stringify({
    bench: 'chain-growth',
    blocks: BLOCKS,
    slotMs: SLOT_MS,
    windowBlocks: WINDOW,
    proofsPerBlock: +(proofCount / BLOCKS).toFixed(1),
    finalized,
    blocksPerSecond: +(BLOCKS / seconds).toFixed(1),
    chainBytesPerBlockInWindow: perBlock(inWindow[0], inWindow[inWindow.length - 1]),
    chainBytesPerBlockPastWindow: perBlock(past[0], past[past.length - 1]),
    statesKeptAfterRestart: statesKept,
    snapshotBytes,
    closeWithSnapshotMs: closeMs,
    restartFromSnapshotMs: resumeMs,
    restartFromSnapshotReplayedBlocks: resumedReplayed,
    baseline: 'the PoOT states alone, kept whole (before retiring) and retired and pruned as the chain does it, per block of the run',
    stateBytesWhole: Math.round(whole * 2 ** 20 / BLOCKS),
    stateBytesRetired: Math.round(retired * 2 ** 20 / BLOCKS),
    restartWithoutSnapshotMsPerBlock: +(openMs / BLOCKS).toFixed(2),
    baselineRules: 'the PoOT rules alone replaying the blocks, every signature verified and trusted',
    rulesMsPerBlockVerified: +(verifiedMs / BLOCKS).toFixed(3),
    rulesMsPerBlockTrusted: +(trustedMs / BLOCKS).toFixed(3),
    samples
  }))
} finally {
  await chain.close()
  rmSync(dir, { recursive: true, force: true })
}
