/**
 * @ethereumjs' whole-block steps, done in slices that give the event loop a turn (slicer.ts) and yield the same
 * objects: a received 300-transaction block otherwise decodes in one synchronous stretch (each tx constructor copies
 * Common and rebuilds its parameter cache). The trie roots serve the builder (builder.ts), on the execution worker.
 */
import { Block, createBlockFromBytesArray, createBlockFromRLP, type BlockBytes, type BlockOptions } from '@ethereumjs/block'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromBlockBodyData, type TypedTransaction } from '@ethereumjs/tx'
import type { Common } from '@ethereumjs/common'
import type { Slicer } from './slicer.js'

/**
 * createBlockFromRLP with the transactions decoded one by one between turns. The rest (size limit, header,
 * withdrawals, uncles) is ethereumjs' own createBlockFromBytesArray on the block without its transactions; the
 * Block is then made from those parts and the decoded transactions, as createBlockFromBytesArray does. Anything
 * that fails on the way is decoded again by createBlockFromRLP, which throws the error it always threw.
 */
export async function decodeBlockSliced (serialized: Uint8Array, opts: BlockOptions & { common: Common }, slicer: Slicer): Promise<Block> {
  try {
    if (opts.common.isActivatedEIP(7934) && serialized.length > opts.common.param('maxRlpBlockSize')) throw new Error('size')
    const values = RLP.decode(Uint8Array.from(serialized)) as BlockBytes
    if (!Array.isArray(values) || values.length > 5) throw new Error('shape')
    const [headerData, txsData, ...rest] = values
    const shell = createBlockFromBytesArray([headerData, [], ...rest] as unknown as BlockBytes, opts)
    const transactions: TypedTransaction[] = []
    for (const txData of txsData ?? []) {
      transactions.push(createTxFromBlockBodyData(txData, { ...opts, common: shell.header.common }))
      await slicer.turn()
    }
    // the (deprecated-for-users) constructor createBlockFromBytesArray itself ends with
    return new Block(shell.header, transactions, shell.uncleHeaders, shell.withdrawals, opts)
  } catch {
    return createBlockFromRLP(serialized, opts)
  }
}

/** The root of a trie keyed by RLP(index), as ethereumjs builds transaction and receipt tries, between turns. */
export async function indexedTrieRoot (values: Iterable<Uint8Array>, common: Common, slicer: Slicer): Promise<Uint8Array> {
  const trie = new MerklePatriciaTrie({ common })
  let i = 0
  for (const value of values) {
    await trie.put(RLP.encode(i++), value)
    await slicer.turn()
  }
  return trie.root()
}

/** The transactions' trie root as ethereumjs' genTransactionsTrieRoot computes it, between turns. */
export async function transactionsTrieRoot (txs: readonly TypedTransaction[], common: Common, slicer: Slicer): Promise<Uint8Array> {
  return await indexedTrieRoot((function * () { for (const tx of txs) yield tx.serialize() })(), common, slicer)
}
