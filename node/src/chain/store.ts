/**
 * What ethereumjs does not store: receipts and logs (per block), the transaction index (tx hash → block hash and
 * position), block envelopes (PoOT header and signatures) and the finalized pointer. All in the `meta` sublevel.
 * Crash-safety order, kept by Chain: state trie nodes (committed by execution) → receipts and envelope → (when the
 * block becomes canonical) its transaction index → Blockchain.putBlock (which moves the head). A crash before
 * putBlock leaves unreferenced entries that the next import overwrites.
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, bytesToUtf8, concatBytes, utf8ToBytes } from '@ethereumjs/util'
import type { Sublevel } from './level-db.js'

export type Log = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array]

export interface StoredReceipt {
  status: 0 | 1
  cumulativeGasUsed: bigint
  gasUsed: bigint
  logs: Log[]
  bloom: Uint8Array
  /** the created contract, or empty */
  contractAddress: Uint8Array
}

const key = (prefix: string, hash: Uint8Array): Uint8Array => concatBytes(utf8ToBytes(prefix), hash)
const FINAL = utf8ToBytes('final')
const SNAPSHOT = utf8ToBytes('poot-snapshot')

function memberKey (slot: number, entity: string): Uint8Array {
  const n = new Uint8Array(8)
  new DataView(n.buffer).setBigUint64(0, BigInt(slot))
  return concatBytes(utf8ToBytes('m:'), n, utf8ToBytes(entity))
}

/** What a block that made payout writes stores with it: its entitlements records and its rollover lists by keccak256. */
export interface PayoutBlockData { records: Uint8Array, rollovers: Array<{ hash: Uint8Array, encoded: Uint8Array }> }

export class ChainStore {
  constructor (private readonly meta: Sublevel) {}

  /**
   * Receipts, the envelope and the accounts written (touched-accounts.ts) of one block (any valid block, side blocks
   * too), and its payout system writes when it made any (`payouts`: the records of entitlements-record.ts and the
   * rollover lists by hash), in one atomic batch.
   */
  async putBlockData (blockHash: Uint8Array, receipts: StoredReceipt[], envelope: Uint8Array, written: Uint8Array[], payouts?: PayoutBlockData): Promise<void> {
    await this.meta.batch([
      { type: 'put', key: key('r:', blockHash), value: encodeReceipts(receipts) },
      { type: 'put', key: key('e:', blockHash), value: envelope },
      { type: 'put', key: key('a:', blockHash), value: RLP.encode(written) },
      ...(payouts === undefined ? [] : [{ type: 'put' as const, key: key('p:', blockHash), value: payouts.records }]),
      ...(payouts?.rollovers ?? []).map((r) => ({ type: 'put' as const, key: key('o:', r.hash), value: r.encoded }))
    ])
  }

  /**
   * A payout write's rollover list (payout-system.ts encodeRollover) by its keccak256, which PayoutBatches stores
   * instead of the list: content-addressed, so the same on every branch.
   */
  async rollover (hash: Uint8Array): Promise<Uint8Array | undefined> {
    return await this.meta.get(key('o:', hash))
  }

  /** The encoded payout system writes of a block; undefined when it made none. */
  async payoutRecords (blockHash: Uint8Array): Promise<Uint8Array | undefined> {
    return await this.meta.get(key('p:', blockHash))
  }

  /** The accounts a block wrote (0x, lowercase); undefined for a block stored before these records were kept. */
  async accountsWritten (blockHash: Uint8Array): Promise<string[] | undefined> {
    const raw = await this.meta.get(key('a:', blockHash))
    return raw === undefined ? undefined : (RLP.decode(raw) as Uint8Array[]).map((a) => bytesToHex(a))
  }

  /**
   * The transaction index entries of a block that becomes canonical (written again when a reorg makes it so: a
   * transaction included on both branches must point at the canonical one, or its receipt is not found).
   */
  async indexTransactions (blockHash: Uint8Array, txHashes: Uint8Array[]): Promise<void> {
    if (txHashes.length === 0) return
    await this.meta.batch(txHashes.map((h, i) => ({ type: 'put' as const, key: key('t:', h), value: RLP.encode([blockHash, bigIntToUnpaddedBytes(BigInt(i))]) })))
  }

  async receipts (blockHash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    const raw = await this.meta.get(key('r:', blockHash))
    return raw === undefined ? undefined : decodeReceipts(raw)
  }

  async envelope (blockHash: Uint8Array): Promise<Uint8Array | undefined> {
    return await this.meta.get(key('e:', blockHash))
  }

  async txLocation (txHash: Uint8Array): Promise<{ blockHash: Uint8Array, index: number } | undefined> {
    const raw = await this.meta.get(key('t:', txHash))
    if (raw === undefined) return undefined
    const [blockHash, index] = RLP.decode(raw) as Uint8Array[]
    return { blockHash, index: Number(bytesToBigInt(index)) }
  }

  /** Side blocks (valid, stored, not canonical) are listed so that a restarted node knows them again. */
  async markSide (blockHash: Uint8Array): Promise<void> { await this.meta.put(key('s:', blockHash), new Uint8Array(0)) }
  async unmarkSide (blockHash: Uint8Array): Promise<void> { await this.meta.del(key('s:', blockHash)) }
  async sideBlocks (): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    for await (const k of this.meta.keys({ gte: utf8ToBytes('s:'), lt: utf8ToBytes('s;') })) out.push(k.subarray(2))
    return out
  }

  /**
   * The PoOT header hash this node's member key signed for a pool entity's slot (as the leader or a co-signer),
   * stored (synced) before the signature leaves the process, so that a restarted node does not sign a second header
   * for that slot. Key `m:` ‖ slot (u64 BE) ‖ entity id.
   */
  async recordMemberSignature (slot: number, entity: string, headerHash: string): Promise<void> {
    await this.meta.put(memberKey(slot, entity), utf8ToBytes(headerHash), { sync: true } as never)
  }

  /** Every recorded member signature from `fromSlot` on. */
  async memberSignatures (fromSlot: number): Promise<Array<{ slot: number, entity: string, headerHash: string }>> {
    const out: Array<{ slot: number, entity: string, headerHash: string }> = []
    for await (const [k, v] of this.meta.iterator({ gte: memberKey(fromSlot, ''), lt: utf8ToBytes('m;') })) {
      out.push({ slot: Number(new DataView(k.buffer, k.byteOffset + 2, 8).getBigUint64(0)), entity: bytesToUtf8(k.subarray(10)), headerHash: bytesToUtf8(v) })
    }
    return out
  }

  /** Forgets the member signatures of slots before `slot` (no block can be made for them any more). */
  async forgetMemberSignaturesBefore (slot: number): Promise<void> {
    await this.meta.clear({ gte: utf8ToBytes('m:'), lt: memberKey(slot, '') })
  }

  /** The PoOT snapshot (poot-snapshot.ts): one value, replaced whole (LevelDB writes it atomically). */
  async putSnapshot (bytes: Uint8Array): Promise<void> { await this.meta.put(SNAPSHOT, bytes) }
  async snapshot (): Promise<Uint8Array | undefined> { return await this.meta.get(SNAPSHOT) }

  async setFinal (blockHash: Uint8Array): Promise<void> { await this.meta.put(FINAL, blockHash) }
  async final (): Promise<Uint8Array | undefined> { return await this.meta.get(FINAL) }
}

function encodeReceipts (receipts: StoredReceipt[]): Uint8Array {
  return RLP.encode(receipts.map((r) => [
    bigIntToUnpaddedBytes(BigInt(r.status)), bigIntToUnpaddedBytes(r.cumulativeGasUsed), bigIntToUnpaddedBytes(r.gasUsed),
    r.logs, r.bloom, r.contractAddress
  ]))
}

function decodeReceipts (raw: Uint8Array): StoredReceipt[] {
  return (RLP.decode(raw) as unknown as Array<[Uint8Array, Uint8Array, Uint8Array, Log[], Uint8Array, Uint8Array]>).map(([s, c, g, logs, bloom, ca]) => ({
    status: bytesToBigInt(s) === 1n ? 1 : 0,
    cumulativeGasUsed: bytesToBigInt(c),
    gasUsed: bytesToBigInt(g),
    logs,
    bloom,
    contractAddress: ca
  }))
}

export const hex = bytesToHex
