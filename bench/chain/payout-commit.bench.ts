/**
 * How large a payout batch the disbursers can commit: `PayoutBatches.commit(epoch, root, batch, 2 signatures)` is an
 * ordinary transaction under the block gas limit (30M), and its calldata and its PayoutBatchCommitted event both carry
 * the whole batch (entries with their KYC attestations and the routers' approvals). Measured on a scratch VM at the
 * dev genesis state through runTx, as a block runs it: gas and time for N entries (half node workers with a 65-byte
 * attestation, half end users), then the largest N that fits one block (binary search). Baseline in the same run:
 * an ERC-20-sized plain transfer's 21,000 gas, so the figure reads as a number of transfers' worth.
 * Env: LUCID_BENCH_COMMIT_ENTRIES (comma-separated N, default 1000,4000).
 */
import { ethers } from 'ethers'
import { createTx } from '@ethereumjs/tx'
import { createBlock } from '@ethereumjs/block'
import { hexToBytes } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import { devDisburserKeys } from '../../node/src/chain/index.js'
import { payoutBatchesInterface } from '../../node/src/chain/payout-system.js'
import { ascendingSigners, COMMIT_TYPES, commitDomain } from '../../protocols/poot/payout-commitment.js'
import { scratchVm, syntheticBatchPayload } from '../../test/integration/chain/payout-write-size.js'
import { benchGenesis, GENESIS_MS } from './support.js'

const SIZES = (process.env.LUCID_BENCH_COMMIT_ENTRIES ?? '1000,4000').split(',').map(Number)
const BLOCK_GAS = 30_000_000n
const g = await benchGenesis()
const iface = payoutBatchesInterface()
const disbursers = devDisburserKeys().map((k) => new ethers.Wallet(k))
/** Runs one commit of an n-entry batch on a fresh scratch VM; gas used (the transaction's), ms, calldata bytes. */
async function commit (n: number): Promise<{ gas: bigint, ms: number, bytes: number, status: string }> {
  const vm = await scratchVm(g)
  const epoch = 9
  const batch = syntheticBatchPayload(n)
  const root = ethers.id(`blake3-root-${n}`)
  const domain = commitDomain(g.common.chainId(), g.contracts.PayoutBatches)
  const sigs = await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (w) => await w.signTypedData(domain, COMMIT_TYPES, { epoch, root, batchHash: ethers.keccak256(batch) })))
  const data = iface.encodeFunctionData('commit', [epoch, root, batch, sigs])
  const tx = createTx({ type: 2, chainId: g.common.chainId(), nonce: 0n, to: g.contracts.PayoutBatches, data, gasLimit: 10n ** 10n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n } as never, { common: g.common })
    .sign(hexToBytes(disbursers[0].privateKey as `0x${string}`))
  const block = createBlock({ header: { number: 1n, timestamp: BigInt(GENESIS_MS / 1000 + 2), gasLimit: 10n ** 10n, baseFeePerGas: 10n ** 9n } }, { common: g.common })
  const t0 = performance.now()
  const r = await runTx(vm, { tx, block, skipBalance: true })
  const ms = performance.now() - t0
  return { gas: r.totalGasSpent, ms, bytes: ethers.dataLength(data), status: r.execResult.exceptionError?.error ?? 'ok' }
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
