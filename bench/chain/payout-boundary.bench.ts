/**
 * The payout boundary: the first block of a payout epoch needs the accounts every block of the ending epoch wrote
 * (the holder candidates), on every node. At the specified 120 s slots a payout epoch is 21,600 blocks. This builds a
 * chain whose payout epoch is N blocks of K registerSession transactions (default 1,000 × 10), then times the
 * boundary block's build (the head's epoch accounts are kept as blocks come: no walk) against the median of the
 * ordinary blocks before it, and the walk a reopened node makes (one small stored record per block) through
 * lucid_payoutEntitlements' recomputation, against the baseline of decoding every block of the epoch (what the walk
 * did before the records); both extrapolated to 21,600 blocks.
 * Env: LUCID_BENCH_BOUNDARY_BLOCKS (N), LUCID_BENCH_BOUNDARY_TXS (K).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildGenesis, checkGenesisSpec, Chain, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { registerSessionTxs, GENESIS_MS, SLOT_MS } from './support.js'

const BLOCKS = Number(process.env.LUCID_BENCH_BOUNDARY_BLOCKS ?? 1000)
const TXS = Number(process.env.LUCID_BENCH_BOUNDARY_TXS ?? 10)
const MONTH = 21_600

const spec = devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })
const g = await buildGenesis(checkGenesisSpec({ ...spec, payout: { ...spec.payout, epochSlots: BLOCKS + 1 } }))
const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-boundary-'))
const chain = await Chain.open({ dir, genesis: g, maxBuildMs: 600_000 })
try {
  const decide = localProposer(signersFrom(chain, [...devNodeKeys(9), devServerKey()]))
  const txs = registerSessionTxs(g, BLOCKS * TXS)
  const build = async (): Promise<number> => {
    const slot = chain.headPoot.slot + 1
    const t0 = performance.now()
    await chain.build(decide(chain, slot, GENESIS_MS + slot * SLOT_MS + 10)!)
    return performance.now() - t0
  }
  const times: number[] = []
  for (let b = 0; b < BLOCKS; b++) {
    for (const tx of txs.slice(b * TXS, (b + 1) * TXS)) await chain.submitRaw(tx.serialize())
    times.push(await build())
  }
  if (chain.payoutEpochAt(chain.headPoot.slot + 1) !== 1) throw new Error('the next block is not the payout boundary')
  const boundaryMs = await build() // slot BLOCKS + 1: writes epoch 0 after walking its BLOCKS blocks
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]
  // the walk alone, recomputed by lucid_payoutEntitlements' path (cached per block: a fresh chain object has none)
  await chain.close()
  const reopened = await Chain.open({ dir, genesis: g })
  let t0 = performance.now()
  const w = await reopened.payoutEntitlements(0)
  const recomputeMs = performance.now() - t0
  if (w === null) throw new Error('epoch 0 was not written')
  // the baseline: decoding every block of the epoch
  t0 = performance.now()
  for (let n = 1n; n <= BigInt(BLOCKS); n++) if ((await reopened.blockByNumber(n)) === undefined) throw new Error(`block ${n}`)
  const decodeMs = performance.now() - t0
  await reopened.close()
  process.stdout.write(JSON.stringify({
    bench: 'chain-payout-boundary',
    blocksInEpoch: BLOCKS,
    txsPerBlock: TXS,
    boundaryBlockBuildMs: Math.round(boundaryMs),
    ordinaryBlockBuildMedianMs: Number(median.toFixed(1)),
    recomputeEpochWriteMs: Math.round(recomputeMs),
    perBlockMs: Number((recomputeMs / BLOCKS).toFixed(3)),
    baseline: 'decoding every block of the epoch (the walk before the per-block records)',
    baselineMs: Math.round(decodeMs),
    baselinePerBlockMs: Number((decodeMs / BLOCKS).toFixed(3)),
    extrapolatedMonthMs: Math.round(recomputeMs / BLOCKS * MONTH),
    baselineExtrapolatedMonthMs: Math.round(decodeMs / BLOCKS * MONTH)
  }) + '\n')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
