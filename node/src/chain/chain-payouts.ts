/**
 * The chain's payout side (docs/chain.md, "System writes and payout batches"), kept per block by EVM hash as the
 * chain keeps its PoOT states: which payout epochs are due at a block (with the backlog a stall left) and how long
 * the epochs are after it (governed `payout.epochS`); the system writes a block makes for them (recordEntitlements
 * computed on the parent's state, else recordHolders of the parent's new holders); what is stored with the block
 * that wrote them (entitlements records, rollover lists by hash); and the entitlements of an epoch as clients read
 * them (lucid_payoutEntitlements). Chain owns the blocks, states and calls; this reads them through PayoutChain.
 */
import { bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import type { Block } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import {
  governedPayoutEpochSlots, governedPayoutParams, payoutEpochAt, payoutScheduleOf, payoutWritesDue, withEpochLengthAfter,
  type PayoutParams, type PayoutSchedule, type PayoutWrite, type PayoutWritesDue, type RegistryValues
} from '../../../protocols/poot/index.js'
import { holderRecordCandidates } from '../../../protocols/poot/payout-write.js'
import type { Genesis } from './genesis.js'
import type { ChainStore, PayoutBlockData } from './store.js'
import type { CallRequest, CallResult } from './chain.js'
import { ChainError } from './chain-error.js'
import type { ExecSystemWrite } from './exec-protocol.js'
import type { BlockRef } from './stored-block.js'
import { PAYOUT_WRITE_GAS, SYSTEM_ADDRESS } from './system.js'
import { computeChainPayouts, encodeRollover, knownAccounts, payoutBatchesInterface, readStoredHolders, recordEntitlementsCalldata, recordHoldersCalldata } from './payout-system.js'
import { decodeEntitlementsRecords, encodeEntitlementsRecords, entitlementsRecord, type EntitlementsRecord } from './entitlements-record.js'

/** At most this many payout epochs are written by one block; a longer stall is the next blocks' backlog. */
export const MAX_PAYOUT_WRITES_PER_BLOCK = 16

/** What the payout side reads of the chain. */
export interface PayoutChain {
  readonly genesis: Genesis
  readonly store: ChainStore
  /** ParamRegistry's governed values in a block's state, and at genesis */
  registryOf: (block: BlockRef) => Promise<RegistryValues>
  registryAtGenesis: () => RegistryValues
  call: (req: CallRequest, block: Block) => Promise<CallResult>
  stateAt: (root: Uint8Array) => Promise<MerkleStateManager>
  blockByNumber: (n: bigint) => Promise<Block | undefined>
  head: () => Block
  /** whether a block is final and canonical (so every block the chain can still add descends from it) */
  isFinal: (hash: Uint8Array, height: bigint) => Promise<boolean>
}

/** What a PoOT snapshot keeps of a block's payout side. */
export interface PayoutSnapshot { payoutSchedule: PayoutSchedule | null, payoutBacklog: number }

export class ChainPayouts {
  /** payout epochs a block left unwritten, owed by its child (by EVM hash; absent: none): they follow from the blocks' slots alone, so Chain's PoOT replay rebuilds them */
  private readonly backlog = new Map<string, number>()
  /** the payout epochs after each block (by EVM hash) when governance changed their length; absent: the genesis one */
  private readonly scheduleByEvm = new Map<string, PayoutSchedule>()
  readonly genesisSchedule: PayoutSchedule
  /** accounts no holder record needs (payout-system.ts knownAccounts) */
  private readonly knownHolders: ReadonlySet<string>
  /** the stored holders read at the last boundary's parent: their prefix of a later boundary's once that block is final */
  private lastHolders: { hash: Uint8Array, height: bigint, holders: string[] } | null = null

  constructor (private readonly chain: PayoutChain) {
    this.genesisSchedule = payoutScheduleOf(chain.genesis.payout.epochSlots)
    this.knownHolders = knownAccounts(chain.genesis)
  }

  /** Records a block's payout side: the backlog it leaves (from its parent's, when the parent is known) and its schedule. */
  remember (h: string, parent: { hash: string, slot: number } | undefined, slot: number, parentIsGenesis: boolean, schedule?: PayoutSchedule): void {
    if (parent !== undefined) {
      const { backlog } = this.due(parent.hash, parent.slot, slot, parentIsGenesis)
      if (backlog > 0) this.backlog.set(h, backlog)
    }
    if (schedule !== undefined && schedule !== this.genesisSchedule) this.scheduleByEvm.set(h, schedule)
  }

  forget (h: string): void {
    this.scheduleByEvm.delete(h)
    this.backlog.delete(h)
  }

  snapshotOf (h: string): PayoutSnapshot {
    return { payoutSchedule: this.scheduleByEvm.get(h) ?? null, payoutBacklog: this.backlog.get(h) ?? 0 }
  }

  restore (h: string, snap: PayoutSnapshot): void {
    if (snap.payoutSchedule !== null) this.scheduleByEvm.set(h, snap.payoutSchedule)
    if (snap.payoutBacklog > 0) this.backlog.set(h, snap.payoutBacklog)
  }

  /**
   * The payout system writes of a block at `slot` on `parent`: `PayoutBatches.recordEntitlements` for the payout
   * epochs due (protocols/poot payoutWritesDue: the parent's epoch when `slot` is in a later one, the epochs in
   * between that had no block, and before them any the parent left unwritten, at most MAX_PAYOUT_WRITES_PER_BLOCK),
   * computed from the parent's state and the accounts of the first one's blocks (none when it cannot be computed: the
   * same on every node); else `recordHolders` with the parent's new holders (a payout write stores them itself).
   */
  async systemWrites (parent: Block, parentSlot: number, slot: number): Promise<{ writes: ExecSystemWrite[], payouts: PayoutWrite[] }> {
    const to = this.chain.genesis.contracts.PayoutBatches
    const { epochs } = this.due(bytesToHex(parent.hash()), parentSlot, slot, parent.header.number === 0n)
    const payouts = epochs.length === 0 ? [] : await this.computeOn(parent, [...epochs])
    const writes = payouts.map((w): ExecSystemWrite => ({ caller: SYSTEM_ADDRESS, to, data: recordEntitlementsCalldata(w), gas: PAYOUT_WRITE_GAS }))
    const candidates = payouts.length === 0 ? holderRecordCandidates(await this.accountsWrittenBy(parent), this.knownHolders) : []
    if (candidates.length > 0) writes.push({ caller: SYSTEM_ADDRESS, to, data: recordHoldersCalldata(candidates), gas: PAYOUT_WRITE_GAS })
    return { writes, payouts }
  }

  /** What is stored with a block that made payout writes (ChainStore.putBlockData), or undefined when it made none. */
  blockData (payouts: readonly PayoutWrite[]): PayoutBlockData | undefined {
    if (payouts.length === 0) return undefined
    return {
      records: encodeEntitlementsRecords(payouts.map(entitlementsRecord)),
      rollovers: payouts.filter((w) => w.batch.rollover.size > 0).map((w) => encodeRollover(w.batch.rollover))
        .map((r) => ({ hash: hexToBytes(r.hash as `0x${string}`), encoded: r.encoded }))
    }
  }

  private due (parentHash: string, parentSlot: number, slot: number, parentIsGenesis: boolean): PayoutWritesDue {
    return payoutWritesDue(parentSlot, slot, this.backlog.get(parentHash) ?? 0, parentIsGenesis, this.scheduleAfter(parentHash), MAX_PAYOUT_WRITES_PER_BLOCK)
  }

  /** The payout epochs as they stand after a block (by EVM hash): the genesis length unless governance changed it. */
  scheduleAfter (blockHash: string): PayoutSchedule {
    return this.scheduleByEvm.get(blockHash) ?? this.genesisSchedule
  }

  /**
   * The payout epochs after a block at `slot` on `parent`: its parent's, and when the block is the first of a payout
   * epoch, the length ParamRegistry's `payout.epochS` gives in the parent's state for the epochs after that one
   * (protocols/poot payout-epochs.ts; one registry read per payout epoch).
   */
  async scheduleForChild (parent: BlockRef, parentSlot: number, slot: number): Promise<PayoutSchedule> {
    const { genesis } = this.chain
    const schedule = this.scheduleAfter(bytesToHex(parent.hash()))
    const epoch = payoutEpochAt(schedule, slot)
    if (epoch === payoutEpochAt(schedule, parentSlot) || genesis.contracts.ParamRegistry === undefined) return schedule
    const length = governedPayoutEpochSlots(genesis.payout.epochSlots, genesis.poot.params.slotMs, this.chain.registryAtGenesis(), await this.chain.registryOf(parent))
    return withEpochLengthAfter(schedule, epoch, length)
  }

  /** The payout epoch of `slot` as the head's chain numbers them (for clients: which epoch income is declared for). */
  epochAt (slot: number): number {
    return payoutEpochAt(this.scheduleAfter(bytesToHex(this.chain.head().hash())), slot)
  }

  /**
   * The payout parameters of a write made on `block`'s state: the genesis file's, with what governance changed in
   * ParamRegistry by then (protocols/poot governedPayoutParams).
   */
  async paramsAt (block: Block): Promise<PayoutParams> {
    return governedPayoutParams(this.chain.genesis.payout, this.chain.registryAtGenesis(), await this.chain.registryOf(block))
  }

  /**
   * The writes of payout epochs `epochs` on `parent`'s state. Every block before the parent had its new holders
   * recorded by its child's system write (recordHolders): the accounts still to see are the parent's.
   */
  private async computeOn (parent: Block, epochs: number[]): Promise<PayoutWrite[]> {
    const { chain } = this
    const seen = await this.accountsWrittenBy(parent)
    const to = createAddressFromString(chain.genesis.contracts.PayoutBatches)
    const state = await chain.stateAt(parent.header.stateRoot)
    return await computeChainPayouts(chain.genesis, await this.paramsAt(parent), epochs, seen, {
      state,
      storedHolders: async () => await this.storedHoldersAt(parent, state),
      rollover: async (hash) => await chain.store.rollover(hexToBytes(hash as `0x${string}`)),
      call: async (data) => {
        const r = await chain.call({ to, data: hexToBytes(data as `0x${string}`) }, parent)
        if (!r.ok) throw new ChainError('payout-read', `PayoutBatches read failed: ${r.error ?? 'revert'}`)
        return bytesToHex(r.returnValue)
      }
    })
  }

  /**
   * PayoutBatches' stored holders at `parent`: only those after the list read at an earlier boundary's parent, once
   * that block is final (the array only grows, and every block still to come descends from a final one).
   */
  private async storedHoldersAt (parent: Block, state: MerkleStateManager): Promise<string[]> {
    const last = this.lastHolders
    const prefix = last !== null && last.height <= parent.header.number && await this.chain.isFinal(last.hash, last.height) ? last.holders : []
    const holders = await readStoredHolders(state, this.chain.genesis.contracts.PayoutBatches, prefix)
    this.lastHolders = { hash: parent.hash(), height: parent.header.number, holders }
    return holders
  }

  /**
   * The entitlements the system wrote for `epoch` on the canonical chain, as kept with the writing block when this
   * node executed it (the write makes no receipt; entitlements-record.ts), checked against the root PayoutBatches
   * recorded; null when none was written.
   */
  async entitlements (epoch: number): Promise<(EntitlementsRecord & { blockNumber: bigint }) | null> {
    const { chain } = this
    const iface = payoutBatchesInterface()
    const to = createAddressFromString(chain.genesis.contracts.PayoutBatches)
    const r = await chain.call({ to, data: hexToBytes(iface.encodeFunctionData('entitlementsOf', [epoch]) as `0x${string}`) }, chain.head())
    if (!r.ok) throw new ChainError('payout-read', `PayoutBatches.entitlementsOf failed: ${r.error ?? 'revert'}`)
    const [written, root, blockNumber] = iface.decodeFunctionResult('entitlementsOf', bytesToHex(r.returnValue)) as unknown as [boolean, string, bigint]
    if (!written) return null
    const block = await chain.blockByNumber(blockNumber)
    if (block === undefined) throw new ChainError('payout-read', `block ${blockNumber} (the payout write of epoch ${epoch}) is not known`)
    const raw = await chain.store.payoutRecords(block.hash())
    if (raw === undefined) throw new ChainError('payout-read', `block ${blockNumber} wrote epoch ${epoch}'s entitlements but has no stored record of them (a store from before records were kept: sync it again)`)
    const record = decodeEntitlementsRecords(raw).find((x) => x.epoch === epoch)
    if (record === undefined || record.root !== root.toLowerCase()) throw new ChainError('payout-mismatch', `epoch ${epoch}: the record kept with block ${blockNumber} does not give the root it wrote (${root})`)
    return { ...record, blockNumber }
  }

  /**
   * The accounts `block` wrote (0x, lowercase): its transactions' senders and recipients, and the accounts written
   * inside execution (a contract paying out LUCID), as stored with it (touched-accounts.ts); for a block stored
   * before those records were kept, its transactions' senders and recipients. None for the genesis block.
   */
  private async accountsWrittenBy (block: Block): Promise<string[]> {
    if (block.header.number === 0n) return []
    const written = await this.chain.store.accountsWritten(block.hash())
    if (written !== undefined) return written
    return block.transactions.flatMap((tx) => [tx.getSenderAddress().toString(), ...(tx.to === undefined ? [] : [tx.to.toString()])]).map((a) => a.toLowerCase())
  }
}
