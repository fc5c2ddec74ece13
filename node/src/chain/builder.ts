/**
 * A block builder whose addTransaction is linear. The stock BlockBuilder re-creates the whole block (all earlier
 * transactions) for every transaction it adds, which makes a block O(n²) (500 transactions: 16 s). runTx only reads
 * the block's header (coinbase, number, timestamp, base fee, gas limit, PREVRANDAO), so this one creates a
 * transaction-less environment block once. Blob transactions are not accepted (the mempool refuses them).
 */
import { BlockBuilder, runTx, type BuildBlockOpts, type RunTxResult, type VM } from '@ethereumjs/vm'
import type { Address } from '@ethereumjs/util'
import { createBlock, type Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'

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
}

export async function buildLinearBlock (vm: VM, opts: BuildBlockOpts): Promise<LinearBlockBuilder> {
  const builder = new LinearBlockBuilder(vm, opts)
  await builder.initState()
  return builder
}
