/**
 * A block builder whose addTransaction is linear. The stock BlockBuilder re-creates the whole block (all earlier
 * transactions) for every transaction it adds, which makes a block O(n²) (500 transactions: 16 s). runTx only reads
 * the block's header (coinbase, number, timestamp, base fee, gas limit, PREVRANDAO), so this one creates a
 * transaction-less environment block once. Blob transactions are not accepted (the mempool refuses them).
 */
import { BlockBuilder, encodeReceipt, runTx, type BuildBlockOpts, type RunTxResult, type VM } from '@ethereumjs/vm'
import { KECCAK256_RLP, type Address } from '@ethereumjs/util'
import { Block, createBlock } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Slicer } from './slicer.js'
import { indexedTrieRoot, transactionsTrieRoot } from './sliced-block.js'

interface Internals {
  checkStatus: () => void
  checkpointed: boolean
  headerData: { gasLimit: bigint }
  blockOpts: object
  transactions: TypedTransaction[]
  transactionResults: RunTxResult[]
  _minerValue: bigint
  vm: VM
}

export class LinearBlockBuilder extends BlockBuilder {
  private envBlock: Block | undefined
  /**
   * build()'s transaction and receipt tries (same roots as the stock ones) give the event loop a turn every few ms
   * when the thread has other work; the execution worker, where blocks are built, passes one that never turns
   */
  slicer = new Slicer()
  /** the block's transactions while buildSliced hides them from build() */
  private included: TypedTransaction[] | undefined

  private async begin (): Promise<Internals> {
    const self = this as unknown as Internals
    self.checkStatus()
    if (!self.checkpointed) {
      await self.vm.evm.journal.checkpoint()
      self.checkpointed = true
    }
    this.envBlock ??= createBlock({ header: { ...self.headerData, gasUsed: 0n }, transactions: [] }, self.blockOpts)
    return self
  }

  /**
   * A call from the chain's system address before the block's transactions: it changes state but counts no gas and
   * makes no receipt (as EIP-4788's beacon-root call). Followers make the same call (Chain.importEnvelope).
   */
  async systemCall (caller: Address, to: Address, data: Uint8Array, gasLimit: bigint): Promise<void> {
    const self = await this.begin()
    await self.vm.evm.runCall({ caller, to, data, gasLimit, block: this.envBlock })
  }

  override async addTransaction (tx: TypedTransaction): Promise<RunTxResult> {
    if (tx.type === 3) throw new Error('blob transactions are not supported')
    const self = await this.begin()
    if (tx.gasLimit > BigInt(self.headerData.gasLimit) - this.gasUsed) throw new Error('tx has a higher gas limit than the remaining gas in the block')
    const result = await runTx(self.vm, { tx, block: this.envBlock, blockGasUsed: this.gasUsed })
    self.transactions.push(tx)
    self.transactionResults.push(result)
    this.gasUsed += result.blockGasSpent
    self._minerValue += result.minerValue
    return result
  }

  private get txs (): TypedTransaction[] { return this.included ?? (this as unknown as Internals).transactions }

  override async transactionsTrie (): Promise<Uint8Array> {
    return await transactionsTrieRoot(this.txs, (this as unknown as Internals).vm.common, this.slicer)
  }

  /** BlockBuilder.receiptTrie over the executed transactions (buildSliced hides them from build()). */
  override async receiptTrie (): Promise<Uint8Array> {
    const self = this as unknown as Internals
    if (self.transactionResults.length === 0) return KECCAK256_RLP
    const txs = this.txs
    const receipts = function * (): Generator<Uint8Array> { for (const [i, r] of self.transactionResults.entries()) yield encodeReceipt(r.receipt, txs[i].type) }
    return await indexedTrieRoot(receipts(), self.vm.common, this.slicer)
  }

  /**
   * build(), without its createBlock re-creating every transaction (each constructor copies Common and rebuilds its
   * parameter cache: one synchronous stretch for the whole block): build() makes the block with no transactions (its
   * tries, bloom, gas and state root come from the executed ones, see the overrides above), and the block is then
   * made from that header and withdrawals with the executed transaction objects, as createBlock's own constructor
   * call does. The only other use of the list in build() is EIP-7928's access-list index, not active on this chain.
   */
  async buildSliced (): Promise<Block> {
    const self = this as unknown as Internals
    this.included = self.transactions
    self.transactions = []
    try {
      const { block: shell } = await this.build()
      // the (deprecated-for-users) constructor createBlock itself ends with
      return new Block(shell.header, this.included, [], shell.withdrawals, self.blockOpts)
    } finally {
      self.transactions = this.included
      this.included = undefined
    }
  }
}

export async function buildLinearBlock (vm: VM, opts: BuildBlockOpts, slicer = new Slicer()): Promise<LinearBlockBuilder> {
  const builder = new LinearBlockBuilder(vm, opts)
  builder.slicer = slicer
  await builder.initState()
  return builder
}
