/**
 * A block builder whose addTransaction is linear. The stock BlockBuilder re-creates the whole block (all earlier
 * transactions) for every transaction it adds, which makes a block O(n²) (500 transactions: 16 s). runTx only reads
 * the block's header (coinbase, number, timestamp, base fee, gas limit, PREVRANDAO), so this one creates a
 * transaction-less environment block once. Blob and set-code transactions are not accepted (nor by the mempool).
 * It runs on the execution worker (exec-worker-main.ts).
 */
import { BlockBuilder, encodeReceipt, runTx, type BuildBlockOpts, type RunTxResult, type VM } from '@ethereumjs/vm'
import { KECCAK256_RLP, type Address } from '@ethereumjs/util'
import { Block, createBlock, genTransactionsTrieRoot } from '@ethereumjs/block'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import { UNSUPPORTED_TX_TYPES } from './mempool.js'

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
    await self.vm.evm.journal.cleanup() // as the importers do (exec-worker-main.ts systemCall)
  }

  override async addTransaction (tx: TypedTransaction): Promise<RunTxResult> {
    if (UNSUPPORTED_TX_TYPES.has(tx.type)) throw new Error(`transactions of type ${tx.type} are not supported`)
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

  /** BlockBuilder.transactionsTrie over the executed transactions (buildSliced hides them from build()). */
  override async transactionsTrie (): Promise<Uint8Array> {
    return await genTransactionsTrieRoot(this.txs, new MerklePatriciaTrie({ common: (this as unknown as Internals).vm.common }))
  }

  /** BlockBuilder.receiptTrie over the executed transactions, likewise. */
  override async receiptTrie (): Promise<Uint8Array> {
    const self = this as unknown as Internals
    if (self.transactionResults.length === 0) return KECCAK256_RLP
    const trie = new MerklePatriciaTrie({ common: self.vm.common })
    for (const [i, r] of self.transactionResults.entries()) await trie.put(RLP.encode(i), encodeReceipt(r.receipt, this.txs[i].type))
    return trie.root()
  }

  /**
   * build(), without its createBlock re-creating every transaction (each constructor copies Common and rebuilds its
   * parameter cache; and the executed objects are what touched-accounts.ts filed the written accounts under): build() makes the block with no transactions (its
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

export async function buildLinearBlock (vm: VM, opts: BuildBlockOpts): Promise<LinearBlockBuilder> {
  const builder = new LinearBlockBuilder(vm, opts)
  await builder.initState()
  return builder
}
