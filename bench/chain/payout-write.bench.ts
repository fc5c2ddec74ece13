/**
 * The payout system write at a payout epoch's first block (PayoutBatches.recordEntitlements from the system address,
 * PAYOUT_WRITE_GAS): execution time and gas for N entries with N new holders (each stored: the write's main cost)
 * and for N entries of holders already stored, on a scratch VM at the dev genesis state, as the chain runs it; and a
 * write carrying N rollovers (holders whose share is under the minimum, no entries): the first, one where every
 * amount changed, and one where none did (PayoutBatches stores only the list's hash and count, so the three cost alike).
 * Baseline in the same run: registerSession transactions through a bare runTx loop on the same kind of VM, as
 * milliseconds per million gas, so the write's time reads as blocks' worth of ordinary execution.
 * Env: LUCID_BENCH_PAYOUT_HOLDERS (comma-separated N, default 1000,4000).
 */
import { runTx } from '@ethereumjs/vm'
import { createBlock } from '@ethereumjs/block'
import { PAYOUT_WRITE_GAS } from '../../node/src/chain/index.js'
import { recordEntitlementsData, runSystemWrite, scratchVm, syntheticHolders } from '../../test/integration/chain/payout-write-size.js'
import { benchGenesis, registerSessionTxs, GENESIS_MS } from './support.js'

const SIZES = (process.env.LUCID_BENCH_PAYOUT_HOLDERS ?? '1000,4000').split(',').map(Number)
const g = await benchGenesis()

/** ms per million gas of registerSession through a bare runTx loop (about one 30M block's worth). */
async function baselineMsPerMgas (): Promise<number> {
  const vm = await scratchVm(g)
  const block = createBlock({ header: { number: 1n, timestamp: BigInt(GENESIS_MS / 1000 + 2), gasLimit: 10n ** 12n, baseFeePerGas: 10n ** 9n } }, { common: g.common })
  let gas = 0n
  const t0 = performance.now()
  for (const tx of registerSessionTxs(g, 420)) gas += (await runTx(vm, { tx, block, skipBlockGasLimitValidation: true })).totalGasSpent
  return (performance.now() - t0) / Number(gas / 1_000_000n)
}

async function write (n: number, stored: boolean): Promise<{ ms: number, gas: bigint }> {
  const vm = await scratchVm(g)
  const holders = syntheticHolders(n)
  // holders already stored: an earlier epoch's write recorded them
  if (stored) await runSystemWrite(vm, g, recordEntitlementsData(1, holders), PAYOUT_WRITE_GAS)
  const data = recordEntitlementsData(2, holders, { newHolders: !stored })
  const t0 = performance.now()
  const r = await runSystemWrite(vm, g, data, PAYOUT_WRITE_GAS)
  const ms = performance.now() - t0
  if (r.error !== undefined) throw new Error(`write of ${n}: ${r.error}`)
  return { ms, gas: r.gasUsed }
}

/** Three writes of `n` rollovers in a row on one VM: the first, every amount changed, none changed. */
async function rollovers (n: number): Promise<Array<{ case: string, ms: number, gas: bigint }>> {
  const vm = await scratchVm(g)
  const accounts = syntheticHolders(n, 3).sort()
  const out: Array<{ case: string, ms: number, gas: bigint }> = []
  for (const [epoch, what, base] of [[1, 'first', 1_000n], [2, 'all changed', 2_000n], [3, 'none changed', 2_000n]] as const) {
    const data = recordEntitlementsData(epoch, [], { rollover: accounts.map((a, i) => [a, base + BigInt(i)] as const) })
    const t0 = performance.now()
    const r = await runSystemWrite(vm, g, data, PAYOUT_WRITE_GAS)
    if (r.error !== undefined) throw new Error(`rollover write of ${n}: ${r.error}`)
    out.push({ case: what, ms: performance.now() - t0, gas: r.gasUsed })
  }
  return out
}

await baselineMsPerMgas() // warm-up (JIT)
const base = await baselineMsPerMgas()
for (const n of SIZES) {
  for (const stored of [false, true]) {
    const r = await write(n, stored)
    const mgas = Number(r.gas) / 1e6
    console.log(JSON.stringify({
      bench: 'chain-payout-write',
      entries: n,
      newHolders: stored ? 0 : n,
      ms: Math.round(r.ms),
      msPerEntry: Number((r.ms / n).toFixed(3)),
      gas: Number(r.gas),
      msPerMgas: Number((r.ms / mgas).toFixed(1)),
      baseline: 'registerSession through a bare runTx loop, ms per million gas',
      baselineMsPerMgas: Number(base.toFixed(1)),
      blocksOfGas: Number((mgas / 30).toFixed(2))
    }))
  }
}
for (const n of SIZES) {
  for (const r of await rollovers(n)) {
    console.log(JSON.stringify({
      bench: 'chain-payout-write-rollovers',
      rollovers: n,
      case: r.case,
      ms: Math.round(r.ms),
      msPerRollover: Number((r.ms / n).toFixed(3)),
      gas: Number(r.gas),
      msPerMgas: Number((r.ms / (Number(r.gas) / 1e6)).toFixed(1)),
      baselineMsPerMgas: Number(base.toFixed(1))
    }))
  }
}
