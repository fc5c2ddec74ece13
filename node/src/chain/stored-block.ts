/**
 * A stored block as the PoOT replay at open reads it: its hash and the header fields the chain needs of a parent
 * (parent hash, number, state root), taken from the block's RLP without constructing ethereumjs' Block, whose header
 * constructor copies the chain's Common and rebuilds its parameter cache from JSON: that was most of a replay's block
 * decoding (bench/chain/chain-growth.bench.ts). ethereumjs' Block has the same shape.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToBigInt } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'

export interface BlockRef {
  hash: () => Uint8Array
  readonly header: { readonly parentHash: Uint8Array, readonly number: bigint, readonly stateRoot: Uint8Array }
}

/** Header fields by position (the execution-layer header: parentHash 0, stateRoot 3, number 8). */
const PARENT_HASH = 0
const STATE_ROOT = 3
const NUMBER = 8

/** Throws, naming what is wrong, on bytes that are not an RLP block with a header list. */
export function storedBlockRef (rlp: Uint8Array, keccak256: (b: Uint8Array) => Uint8Array = keccak_256): BlockRef {
  const decoded = RLP.decode(rlp)
  const header = Array.isArray(decoded) ? decoded[0] : undefined
  if (!Array.isArray(header) || header.length <= NUMBER || !header.every((f) => f instanceof Uint8Array)) throw new Error('stored block: not an RLP block with a header list')
  const fields = header as Uint8Array[]
  // canonical RLP: re-encoding the decoded header gives the bytes the block hash is over
  const hash = keccak256(RLP.encode(fields))
  return { hash: () => hash, header: { parentHash: fields[PARENT_HASH], number: bytesToBigInt(fields[NUMBER]), stateRoot: fields[STATE_ROOT] } }
}
