/** Ethereum JSON-RPC shapes of blocks, transactions, receipts and logs (quantities as hex, as geth answers). */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, bigIntToHex, createAddressFromString } from '@ethereumjs/util'
import type { StoredReceipt } from '../chain/store.js'

const q = (n: bigint | number): string => bigIntToHex(BigInt(n))
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

export function effectiveGasPrice (tx: TypedTransaction, baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx) {
    const tip = tx.maxFeePerGas - baseFee < tx.maxPriorityFeePerGas ? tx.maxFeePerGas - baseFee : tx.maxPriorityFeePerGas
    return baseFee + tip
  }
  return (tx as unknown as { gasPrice: bigint }).gasPrice
}

export function formatTx (tx: TypedTransaction, block?: Block, index?: number): Record<string, unknown> {
  const t = tx.toJSON() as Record<string, unknown>
  const out: Record<string, unknown> = {
    type: q(tx.type),
    hash: bytesToHex(tx.hash()),
    nonce: q(tx.nonce),
    blockHash: block === undefined ? null : bytesToHex(block.hash()),
    blockNumber: block === undefined ? null : q(block.header.number),
    transactionIndex: index === undefined ? null : q(index),
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    value: q(tx.value),
    gas: q(tx.gasLimit),
    input: bytesToHex(tx.data),
    v: q(tx.v ?? 0n),
    r: q(tx.r ?? 0n),
    s: q(tx.s ?? 0n)
  }
  if (tx.type === 0) out.gasPrice = t.gasPrice
  else {
    out.chainId = t.chainId
    out.accessList = t.accessList ?? []
    out.yParity = q(tx.v ?? 0n)
    if ('maxFeePerGas' in tx) {
      out.maxFeePerGas = q(tx.maxFeePerGas)
      out.maxPriorityFeePerGas = q(tx.maxPriorityFeePerGas)
      out.gasPrice = q(block?.header.baseFeePerGas !== undefined ? effectiveGasPrice(tx, block.header.baseFeePerGas) : tx.maxFeePerGas)
    } else out.gasPrice = t.gasPrice
  }
  if (tx.type === 0 && tx.supports(155)) out.chainId = q(tx.common.chainId())
  return out
}

export function formatBlock (block: Block, fullTx: boolean, size: number): Record<string, unknown> {
  const h = block.header
  return {
    number: q(h.number),
    hash: bytesToHex(block.hash()),
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    mixHash: bytesToHex(h.mixHash),
    sha3Uncles: bytesToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString(),
    difficulty: q(h.difficulty),
    totalDifficulty: '0x0',
    extraData: bytesToHex(h.extraData),
    size: q(size),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    baseFeePerGas: h.baseFeePerGas === undefined ? undefined : q(h.baseFeePerGas),
    withdrawalsRoot: h.withdrawalsRoot === undefined ? undefined : bytesToHex(h.withdrawalsRoot),
    blobGasUsed: h.blobGasUsed === undefined ? undefined : q(h.blobGasUsed),
    excessBlobGas: h.excessBlobGas === undefined ? undefined : q(h.excessBlobGas),
    parentBeaconBlockRoot: h.parentBeaconBlockRoot === undefined ? undefined : bytesToHex(h.parentBeaconBlockRoot),
    withdrawals: (block.withdrawals ?? []).map((w) => ({ index: q(w.index), validatorIndex: q(w.validatorIndex), address: w.address.toString(), amount: q(w.amount) })),
    transactions: block.transactions.map((tx, i) => fullTx ? formatTx(tx, block, i) : bytesToHex(tx.hash())),
    uncles: []
  }
}

export interface LogContext { block: Block, txIndex: number, logIndexStart: number }

export function formatLogs (r: StoredReceipt, ctx: LogContext): Array<Record<string, unknown>> {
  const tx = ctx.block.transactions[ctx.txIndex]
  return r.logs.map(([address, topics, data], i) => ({
    address: createAddressFromString(bytesToHex(address)).toString(),
    topics: topics.map(bytesToHex),
    data: bytesToHex(data),
    blockNumber: q(ctx.block.header.number),
    blockHash: bytesToHex(ctx.block.hash()),
    transactionHash: bytesToHex(tx.hash()),
    transactionIndex: q(ctx.txIndex),
    logIndex: q(ctx.logIndexStart + i),
    removed: false
  }))
}

/** Receipts of a block, each with its logs numbered across the block. */
export function formatReceipts (block: Block, receipts: StoredReceipt[]): Array<Record<string, unknown>> {
  let logIndex = 0
  return receipts.map((r, i) => {
    const tx = block.transactions[i]
    const logs = formatLogs(r, { block, txIndex: i, logIndexStart: logIndex })
    logIndex += r.logs.length
    return {
      type: q(tx.type),
      transactionHash: bytesToHex(tx.hash()),
      transactionIndex: q(i),
      blockHash: bytesToHex(block.hash()),
      blockNumber: q(block.header.number),
      from: tx.getSenderAddress().toString(),
      to: tx.to?.toString() ?? null,
      contractAddress: r.contractAddress.length === 20 ? bytesToHex(r.contractAddress) : null,
      cumulativeGasUsed: q(r.cumulativeGasUsed),
      gasUsed: q(r.gasUsed),
      effectiveGasPrice: q(effectiveGasPrice(tx, block.header.baseFeePerGas ?? 0n)),
      logsBloom: bytesToHex(r.bloom),
      logs,
      status: q(r.status)
    }
  })
}

export { ZERO_ADDRESS }
