/**
 * The accounts each executed transaction wrote, kept per block: the payout holder set needs the accounts that
 * received LUCID inside a contract's execution (a contract paying out, a CALL forwarding value, a SELFDESTRUCT
 * beneficiary), which a block's transaction senders and recipients do not show. Stored with the block (all the
 * accounts it wrote), the payout boundary reads these small records instead of decoding every block of the epoch.
 *
 * The source is the EVM journal's touched set (EIP-161): every account a transaction wrote through the journal
 * (balances included), net of reverted calls. runTx clears it in `journal.cleanup()` at a transaction's start and end
 * and no event carries it, so this wraps `cleanup` on the VM that executes blocks (the execution worker's, for the
 * blocks it builds and those it re-executes; calls run on shallow copies, with their own journal) and files the set under the transaction object when `afterTx` fires. A transaction that fails before
 * `afterTx` (the builder drops it) files nothing. The same transactions give the same sets on the builder, on a
 * re-executing follower and on a syncing node: the sets are stored with the block (ChainStore) and are the same on
 * every node, as the payout write that reads them must be.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'

interface JournalTouched { touched: Set<string>, cleanup: () => Promise<void> }

export class TouchedAccounts {
  private last: string[] = []
  private readonly byTx = new WeakMap<object, string[]>()

  constructor (vm: VM) {
    const journal = vm.evm.journal as unknown as JournalTouched
    if (!(journal.touched instanceof Set) || typeof journal.cleanup !== 'function') throw new Error('@ethereumjs/evm Journal has no touched set: the payout holder set cannot see internal transfers')
    const cleanup = journal.cleanup.bind(journal)
    journal.cleanup = async () => {
      this.last = [...journal.touched] // unprefixed lowercase hex
      await cleanup()
    }
    vm.events.on('afterTx', (e: { transaction: TypedTransaction }) => {
      this.byTx.set(e.transaction, this.last)
      this.last = []
    })
  }

  /**
   * The accounts `block`'s transactions wrote: their senders and recipients, and every account their execution
   * wrote (a transaction not executed by this VM adds only its sender and recipient); sorted, unique, 20 bytes each.
   */
  writtenBy (block: Block): Uint8Array[] {
    const all = new Set<string>()
    for (const tx of block.transactions) {
      all.add(tx.getSenderAddress().toString().slice(2))
      if (tx.to !== undefined) all.add(tx.to.toString().slice(2))
      for (const a of this.byTx.get(tx) ?? []) all.add(a)
    }
    return [...all].sort().map((a) => hexToBytes(`0x${a}`))
  }
}
