/**
 * A received block decoded in slices that give the event loop a turn (slicer.ts), yielding the same objects: a
 * 300-transaction block otherwise decodes in one synchronous stretch (each tx constructor copies Common and rebuilds
 * its parameter cache).
 */
import { Block, createBlockFromBytesArray, createBlockFromRLP, type BlockBytes, type BlockOptions } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { equalsBytes } from '@ethereumjs/util'
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
    if (!equalsBytes(shell.serialize(), RLP.encode([headerData, [], ...rest] as never))) throw new NotCanonical('the header, uncles or withdrawals')
    const transactions: TypedTransaction[] = []
    // (transactions need no such check: ethereumjs refuses their fields' non-canonical forms, "leading zeroes")
    for (const txData of txsData ?? []) {
      transactions.push(createTxFromBlockBodyData(txData, { ...opts, common: shell.header.common }))
      await slicer.turn()
    }
    // the (deprecated-for-users) constructor createBlockFromBytesArray itself ends with
    return new Block(shell.header, transactions, shell.uncleHeaders, shell.withdrawals, opts)
  } catch (err) {
    if (err instanceof NotCanonical) throw err
    return createBlockFromRLP(serialized, opts)
  }
}

/**
 * A field encoded otherwise than its canonical RLP (e.g. a zero as the byte 0x00 rather than the empty string): it
 * decodes to the same block with the same hash, so without this check other bytes than the block's would be stored,
 * served and forwarded as it.
 */
export class NotCanonical extends Error {
  constructor (part: string) { super(`${part} not in its canonical RLP encoding`) }
}
