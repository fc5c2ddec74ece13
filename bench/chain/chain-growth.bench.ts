/**
 * What a chain costs as it grows: the memory it keeps per block, and the time a restart takes per block (the PoOT
 * states are replayed from the stored envelopes at open). A dev chain produces blocks carrying every node's votes
 * and heartbeats (what a devnet's blocks carry: finality follows the head by two blocks); the heap after a full GC is
 * sampled as it grows (bytes per block from the first sample on: the main trie's read cache fills in the first few
 * thousand blocks, then stays); then the chain is closed and opened again, timed. Baselines in the same run: the
 * PoOT states of the same blocks applied again through the rules alone, kept whole (as before retiring existed) and
 * retired as the chain retires them (protocols/poot retire.ts), bytes per state each way; and that replay's time per
 * block with every signature verified (as before a replay trusted its own store) and trusted.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, decodeEnvelope, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { dueProofs, freshDuties } from '../../node/src/chainnet/duties.js'
import { NOTHING_RETIRED, ancestorAtHeight, applyBlock, genesisState, retireStates, slotStartMs, type Block, type ChainState, type PootConfig, type Retired } from '../../protocols/poot/index.js'
import { benchGenesis } from './support.js'

const BLOCKS = Number(process.env.BENCH_CHAIN_GROWTH_BLOCKS ?? 6000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const heapMB = (): number => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20 }

const g = await benchGenesis()
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
try {
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
    await chain.build({ ...p, proofs })
    if (slot % 500 === 0) samples.push({ blocks: slot, heapMB: +heapMB().toFixed(2) })
  }
  const seconds = (Date.now() - started) / 1000
  const finalized = chain.headPoot.finalizedHeight
  await chain.close()
  const opening = Date.now()
  const reopened = await Chain.open({ dir, genesis: g })
  const openMs = Date.now() - opening
  for (let n = 1n; n <= BigInt(BLOCKS); n++) {
    const block = await reopened.blockByNumber(n)
    envelopes.push((await reopened.envelopeOf(block as NonNullable<typeof block>)) as Uint8Array)
  }
  await reopened.close()

  // the baseline: the same PoOT blocks through the rules alone, states kept whole, then retired
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
  const first = samples[0]
  const last = samples[samples.length - 1]
  console.log(JSON.stringify({
    bench: 'chain-growth',
    blocks: BLOCKS,
    proofsPerBlock: keys.length * 2,
    finalized,
    blocksPerSecond: +(BLOCKS / seconds).toFixed(1),
    chainBytesPerBlock: Math.round((last.heapMB - first.heapMB) * 2 ** 20 / (last.blocks - first.blocks)),
    baseline: 'the PoOT states alone, kept whole (before retiring) and retired',
    stateBytesWhole: Math.round(whole * 2 ** 20 / BLOCKS),
    stateBytesRetired: Math.round(retired * 2 ** 20 / BLOCKS),
    restartMsPerBlock: +(openMs / BLOCKS).toFixed(2),
    baselineRules: 'the PoOT rules alone replaying the blocks, every signature verified and trusted',
    rulesMsPerBlockVerified: +(verifiedMs / BLOCKS).toFixed(3),
    rulesMsPerBlockTrusted: +(trustedMs / BLOCKS).toFixed(3),
    samples
  }))
} finally {
  await chain.close()
  rmSync(dir, { recursive: true, force: true })
}
