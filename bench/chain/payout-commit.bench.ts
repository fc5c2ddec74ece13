/**
 * How large a payout batch the disbursers can commit: `PayoutBatches.commit(epoch, root, batch, 2 signatures)` is an
 * ordinary transaction under the block gas limit (30M), and its calldata and its PayoutBatchCommitted event both carry
 * the whole batch (entries with their KYC attestations and the routers' approvals). Measured on a scratch VM at the
 * dev genesis state through runTx, as a block runs it: gas and time for N entries (half node workers with a 65-byte
 * attestation, half end users), then the largest N that fits one block (binary search). Baseline in the same run:
 * an ERC-20-sized plain transfer's 21,000 gas, so the figure reads as a number of transfers' worth. Then a batch
 * too large for one block committed in parts as `lucid payout commit` splits it (commitParts, then publishPart for
 * each part of at most MAX_PAYLOAD_BYTES): every transaction's gas against the block's.
 * Env: LUCID_BENCH_COMMIT_ENTRIES (comma-separated N, default 1000,4000), LUCID_BENCH_PARTS_ENTRIES (default 12000).
 */
import { ethers } from 'ethers'
import { createTx } from '@ethereumjs/tx'
import { createBlock } from '@ethereumjs/block'
import { hexToBytes } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import { devDisburserKeys } from '../../node/src/chain/index.js'
import { payoutBatchesInterface } from '../../node/src/chain/payout-system.js'
import { ascendingSigners, COMMIT_TYPES, commitDomain, partsCommitValue, splitBatchPayload } from '../../protocols/poot/payout-commitment.js'
import { MAX_PAYLOAD_BYTES } from '../../node/src/cli/commands/payout.js'
import { scratchVm, syntheticBatch, syntheticBatchPayload } from '../../test/integration/chain/payout-write-size.js'
import { benchGenesis, GENESIS_MS } from './support.js'

const SIZES = (process.env.LUCID_BENCH_COMMIT_ENTRIES ?? '1000,4000').split(',').map(Number)
const BLOCK_GAS = 30_000_000n
const g = await benchGenesis()
const iface = payoutBatchesInterface()
const disbursers = devDisburserKeys().map((k) => new ethers.Wallet(k))
const domain = commitDomain(g.common.chainId(), g.contracts.PayoutBatches)
const block = createBlock({ header: { number: 1n, timestamp: BigInt(GENESIS_MS / 1000 + 2), gasLimit: 10n ** 10n, baseFeePerGas: 10n ** 9n } }, { common: g.common })
const approve = async (value: Record<string, unknown>): Promise<string[]> => await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (w) => await w.signTypedData(domain, COMMIT_TYPES, value)))

/** Runs a PayoutBatches call from disburser 0 (nonce `nonce`) on `vm`; gas used (the transaction's), ms, calldata bytes. */
async function run (vm: Awaited<ReturnType<typeof scratchVm>>, nonce: bigint, data: string): Promise<{ gas: bigint, ms: number, bytes: number, status: string }> {
  const tx = createTx({ type: 2, chainId: g.common.chainId(), nonce, to: g.contracts.PayoutBatches, data, gasLimit: 10n ** 10n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n } as never, { common: g.common })
    .sign(hexToBytes(disbursers[0].privateKey as `0x${string}`))
  const t0 = performance.now()
  const r = await runTx(vm, { tx, block, skipBalance: true })
  const ms = performance.now() - t0
  return { gas: r.totalGasSpent, ms, bytes: ethers.dataLength(data), status: r.execResult.exceptionError?.error ?? 'ok' }
}

/** Runs one commit of an n-entry batch on a fresh scratch VM. */
async function commit (n: number): Promise<{ gas: bigint, ms: number, bytes: number, status: string }> {
  const epoch = 9
  const batch = syntheticBatchPayload(n)
  const root = ethers.id(`blake3-root-${n}`)
  const sigs = await approve({ epoch, root, batchHash: ethers.keccak256(batch) })
  return await run(await scratchVm(g), 0n, iface.encodeFunctionData('commit', [epoch, root, batch, sigs]))
}

await commit(100) // warm-up (JIT)
for (const n of SIZES) {
  const r = await commit(n)
  if (r.status !== 'ok') throw new Error(`commit of ${n} entries: ${r.status}`)
  console.log(JSON.stringify({
    bench: 'chain-payout-commit',
    entries: n,
    calldataBytes: r.bytes,
    bytesPerEntry: Math.round(r.bytes / n),
    gas: Number(r.gas),
    gasPerEntry: Math.round(Number(r.gas) / n),
    ms: Math.round(r.ms),
    blockGasLimit: Number(BLOCK_GAS),
    fitsOneBlock: r.gas <= BLOCK_GAS,
    baseline: 'plain transfers (21,000 gas) of the same gas',
    transfersWorth: Math.round(Number(r.gas) / 21_000)
  }))
}
// the largest batch one block can carry
let lo = 1
let hi = 20_000
while (hi - lo > 1) {
  const mid = Math.floor((lo + hi) / 2)
  const r = await commit(mid)
  if (r.status === 'ok' && r.gas <= BLOCK_GAS) lo = mid
  else hi = mid
}
console.log(JSON.stringify({ bench: 'chain-payout-commit-max', blockGasLimit: Number(BLOCK_GAS), maxEntriesPerCommit: lo, what: 'largest batch (half KYC entries with attestations, two router approvals) whose commit fits one block' }))

// a batch larger than one block, committed in parts
const partsEntries = Number(process.env.LUCID_BENCH_PARTS_ENTRIES ?? 12_000)
{
  const { entries, approvals } = syntheticBatch(partsEntries)
  const split = splitBatchPayload(entries, approvals, MAX_PAYLOAD_BYTES)
  if ('whole' in split) throw new Error(`${partsEntries} entries fit one commit: raise LUCID_BENCH_PARTS_ENTRIES`)
  const epoch = 9
  const root = ethers.id(`blake3-root-parts-${partsEntries}`)
  const vm = await scratchVm(g)
  const txs = [await run(vm, 0n, iface.encodeFunctionData('commitParts', [epoch, root, split.head, split.parts.map((p) => ethers.keccak256(p)), await approve(partsCommitValue(epoch, root, split.head, split.parts))]))]
  for (const [i, part] of split.parts.entries()) txs.push(await run(vm, BigInt(i + 1), iface.encodeFunctionData('publishPart', [epoch, i, part])))
  const failed = txs.find((t) => t.status !== 'ok')
  if (failed !== undefined) throw new Error(`commit in parts: ${failed.status}`)
  const gas = txs.reduce((s, t) => s + t.gas, 0n)
  const largest = txs.reduce((m, t) => (t.gas > m ? t.gas : m), 0n)
  console.log(JSON.stringify({
    bench: 'chain-payout-commit-parts',
    entries: partsEntries,
    parts: split.parts.length,
    transactions: txs.length,
    gasPerTransaction: txs.map((t) => Number(t.gas)),
    largestGas: Number(largest),
    everyOneFitsABlock: largest <= BLOCK_GAS,
    gasPerEntry: Math.round(Number(gas) / partsEntries),
    ms: Math.round(txs.reduce((s, t) => s + t.ms, 0)),
    baseline: 'the same entries committed whole (not possible in one block): gas per entry of the 4,000-entry commit above'
  }))
}
