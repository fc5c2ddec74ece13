/**
 * Payout holders, block by block: every block records the holders its parent made (PayoutBatches.recordHolders, a
 * system call before its transactions), so the first block of a payout epoch stores only its parent's and reads no
 * earlier block. This builds a payout epoch of N blocks of K transfers, each to a fresh address (K new holders a
 * block, recorded by the next), then the same N blocks of transfers to addresses already stored (the record call
 * still runs, storing nothing), and times: the blocks making new holders against those that do not (the median of
 * each: the records' cost), and the boundary block that writes the epoch's entitlements (income declared in its
 * first block: holders whose share is under the payout minimum roll over, stored in the contract) for all N × K
 * holders against the median ordinary block. Before the records the boundary stored every new holder of the epoch itself
 * (~1.3 ms each: seconds for a few thousand, bench/chain/payout-write.bench.ts).
 * Env: LUCID_BENCH_BOUNDARY_BLOCKS (N, default 100), LUCID_BENCH_BOUNDARY_TXS (K, default 20).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTx } from '@ethereumjs/tx'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { buildGenesis, checkGenesisSpec, Chain, devAccountKeys, devDisburserKeys, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { payoutBatchesInterface } from '../../node/src/chain/payout-system.js'
import { ascendingSigners, commitDomain, INCOME_TYPES } from '../../protocols/poot/payout-commitment.js'
import { USD } from '../../protocols/poot/index.js'
import { GENESIS_MS, SLOT_MS } from './support.js'

const BLOCKS = Number(process.env.LUCID_BENCH_BOUNDARY_BLOCKS ?? 100)
const TXS = Number(process.env.LUCID_BENCH_BOUNDARY_TXS ?? 20)

const spec = devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })
// the epoch: BLOCKS blocks making holders, BLOCKS paying them again, one more whose holders the boundary stores
const g = await buildGenesis(checkGenesisSpec({ ...spec, payout: { ...spec.payout, epochSlots: 2 * BLOCKS + 2 } }))
const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-boundary-'))
const chain = await Chain.open({ dir, genesis: g, maxBuildMs: 600_000 })
try {
  const decide = localProposer(signersFrom(chain, [...devNodeKeys(9), devServerKey()]))
  const keys = devAccountKeys()
  const nonces = new Map<string, bigint>()
  const holder = (i: number): string => ethers.getAddress('0x' + (0xb0000000 + i).toString(16).padStart(40, '0'))
  /** A transfer of 1 LUCID from a dev account (genesis: no record of its own) to `to`. */
  const transfer = (i: number, to: string): Uint8Array => {
    const key = keys[i % keys.length]
    const nonce = nonces.get(key) ?? 0n
    nonces.set(key, nonce + 1n)
    return createTx({ type: 2, chainId: g.common.chainId(), nonce, to, value: 10n ** 18n, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n } as never, { common: g.common })
      .sign(hexToBytes(key as `0x${string}`)).serialize()
  }
  const build = async (): Promise<number> => {
    const slot = chain.headPoot.slot + 1
    const t0 = performance.now()
    await chain.build(decide(chain, slot, GENESIS_MS + slot * SLOT_MS + 10)!)
    return performance.now() - t0
  }
  const blocks = async (to: (b: number, t: number) => string): Promise<number[]> => {
    const times: number[] = []
    for (let b = 0; b < BLOCKS; b++) {
      for (let t = 0; t < TXS; t++) await chain.submitRaw(transfer(b * TXS + t, to(b, t)))
      times.push(await build())
    }
    return times
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  // epoch 0's income, declared by two dev disbursers, so that the boundary writes an entry for every holder
  const iface = payoutBatchesInterface()
  const disbursers = devDisburserKeys().map((k) => new ethers.Wallet(k))
  const income = { epoch: 0, grossUsd: 1_000_000n * USD, networkFeeUsd: USD }
  const sigs = await Promise.all(ascendingSigners(disbursers.slice(1)).map(async (w) => await w.signTypedData(commitDomain(g.common.chainId(), g.contracts.PayoutBatches), INCOME_TYPES, income)))
  await chain.submitRaw(createTx({
    type: 2, chainId: g.common.chainId(), nonce: 0n, to: g.contracts.PayoutBatches, data: iface.encodeFunctionData('declareIncome', [income.epoch, income.grossUsd, income.networkFeeUsd, sigs]),
    gasLimit: 500_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n
  } as never, { common: g.common }).sign(hexToBytes(disbursers[0].privateKey as `0x${string}`)).serialize())
  nonces.set(devDisburserKeys()[0], 1n) // a dev account the transfers below also send from
  await build() // the first block: the declaration, nothing to record yet
  const making = await blocks((b, t) => holder(b * TXS + t))
  const paying = await blocks((b, t) => holder(b * TXS + t))
  if (chain.payoutEpochAt(chain.headPoot.slot + 1) !== 1) throw new Error('the next block is not the payout boundary')
  const boundaryMs = await build()
  const to = createAddressFromString(g.contracts.PayoutBatches)
  const r = await chain.call({ to, data: ethers.getBytes(iface.encodeFunctionData('payoutHolders', [])) }, chain.head)
  const stored = r.ok ? (iface.decodeFunctionResult('payoutHolders', r.returnValue)[0] as string[]).length : -1
  if (stored !== BLOCKS * TXS) throw new Error(`${stored} holders stored, expected ${BLOCKS * TXS}`)
  const written = await chain.payoutEntitlements(0)
  const makingMs = median(making)
  const payingMs = median(paying)
  process.stdout.write(JSON.stringify({
    bench: 'chain-payout-holders',
    blocks: BLOCKS,
    transfersPerBlock: TXS,
    holdersStored: stored,
    entriesWritten: written?.entries.length ?? 0,
    rolledOver: written?.rollover.size ?? 0,
    blockMakingHoldersMedianMs: Number(makingMs.toFixed(1)),
    baseline: 'the same transfers to holders already stored (the record call runs and stores nothing)',
    blockPayingHoldersMedianMs: Number(payingMs.toFixed(1)),
    recordMsPerHolder: Number(((makingMs - payingMs) / TXS).toFixed(3)),
    boundaryBlockBuildMs: Math.round(boundaryMs),
    boundaryVsOrdinary: Number((boundaryMs / payingMs).toFixed(2))
  }) + '\n')
} finally {
  await chain.close().catch(() => {})
  rmSync(dir, { recursive: true, force: true })
}
