// Another version of a block as a dishonest or equivocating proposer could send it: the PoOT block remade with a
// changed time or body and signed by `signers`, the EVM block rebuilt around the new PoOT header hash, sealed.
import { createBlock, createBlockFromRLP } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { headerHash, makeBlock, type BlockBody, type NodeKey } from '../../../protocols/poot/index.js'
import { encodeEnvelope, type Envelope } from '../../../node/src/chain/envelope.js'
import { sealBlock } from '../../../node/src/chain/seal.js'

export interface Reforge {
  readonly signers: ReadonlyArray<{ readonly member: number, readonly key: NodeKey }>
  readonly timeMs?: number
  readonly body?: Partial<BlockBody>
}

export function reforge (common: Common, original: Envelope, change: Reforge): Uint8Array {
  const h = original.poot.signed.header
  const evm = createBlockFromRLP(original.evm, { common })
  const poot = makeBlock({ parentHash: h.parent, slot: h.slot, rank: h.rank, timeMs: change.timeMs ?? h.timeMs, proposer: h.proposer, signers: change.signers, body: { ...original.poot.body, ...change.body } })
  const header = { ...evm.header.toJSON(), extraData: '0x' + headerHash(poot.signed.header) }
  const block = createBlock({ header, transactions: evm.transactions, withdrawals: (evm.withdrawals ?? []).map((w) => w.toJSON()) } as never, { common })
  return encodeEnvelope({ evm: block.serialize(), poot, seal: sealBlock(block.hash(), change.signers) })
}

/** A time 1 ms away from `timeMs` in the same second (the EVM header's timestamp stays valid). */
export function nudged (timeMs: number): number {
  return Math.floor((timeMs + 1) / 1000) === Math.floor(timeMs / 1000) ? timeMs + 1 : timeMs - 1
}
