/**
 * The governed PoOT config per block (docs/chain.md, "Consensus parameters from ParamRegistry"), kept by EVM hash as
 * the chain keeps its PoOT states: ParamRegistry's values in a block's state (read for the heads and the last blocks
 * of epochs that need them), and the config each known block was checked with. A block's config is its parent's
 * within a PoOT epoch; an epoch's first block takes the genesis parameters with what governance changed in the
 * registry by its parent's state (protocols/poot governed-params.ts).
 */
import { bytesToHex } from '@ethereumjs/util'
import type { Block } from '@ethereumjs/block'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { epochConfig, epochOf, governedParams, type ChainState, type PootConfig, type RegistryValues } from '../../../protocols/poot/index.js'
import type { Genesis } from './genesis.js'
import type { StoredReceipt } from './store.js'
import type { BlockRef } from './stored-block.js'
import { readRegistryValues } from './registry-values.js'

/** What a PoOT snapshot keeps of a block's config side (the config without its verifier: genesis gives it). */
export interface ConfigSnapshot { config: Omit<PootConfig, 'verifyInclusion'> | null, registry: RegistryValues | null }

export class ChainConfigs {
  /** ParamRegistry's governed values in a block's state (by EVM hash) */
  private readonly registryAfter = new Map<string, RegistryValues>()
  private atGenesis: RegistryValues = {}
  /** the PoOT config each known block was checked with (by EVM hash); absent: the genesis config */
  private readonly configByEvm = new Map<string, PootConfig>()

  constructor (private readonly genesis: Genesis, private readonly stateAt: (root: Uint8Array) => Promise<MerkleStateManager>) {}

  /** Reads the genesis block's registry values (once, at open). */
  async open (genesisBlock: Block): Promise<void> { this.atGenesis = await this.registryOf(genesisBlock) }

  get registryAtGenesis (): RegistryValues { return this.atGenesis }

  /** ParamRegistry's governed values in `block`'s state: read from it (four storage reads, ~2 ms) the first time. */
  async registryOf (block: BlockRef): Promise<RegistryValues> {
    const h = bytesToHex(block.hash())
    let values = this.registryAfter.get(h)
    if (values === undefined) {
      const registry = this.genesis.contracts.ParamRegistry
      values = registry === undefined ? {} : await readRegistryValues(await this.stateAt(block.header.stateRoot), registry)
      this.registryAfter.set(h, values)
    }
    return values
  }

  /**
   * A new head's registry values, for `forParent` on it: its parent's when the block has no log of ParamRegistry
   * (values change only through `setParameter`, which logs ParameterSet), so a head costs no state read unless
   * governance acted.
   */
  async noteHead (block: Block, receipts: readonly StoredReceipt[]): Promise<void> {
    const registry = this.genesis.contracts.ParamRegistry?.toLowerCase()
    const parentValues = this.registryAfter.get(bytesToHex(block.header.parentHash))
    const touched = receipts.some((r) => r.logs.some((l) => bytesToHex(l[0]) === registry))
    if (parentValues !== undefined && !touched) this.registryAfter.set(bytesToHex(block.hash()), parentValues)
    else await this.registryOf(block)
  }

  /** The config of a block at `slot` on `parent`, reading the parent's registry values when the block starts an epoch. */
  async forChild (parent: BlockRef, parentPoot: ChainState, slot: number): Promise<PootConfig> {
    if (epochOf(this.genesis.poot.params, slot) !== epochOf(this.genesis.poot.params, parentPoot.slot)) await this.registryOf(parent)
    return this.forParent(bytesToHex(parent.hash()), parentPoot, slot)
  }

  /**
   * The PoOT config a block at `slot` on `parentHash` is checked with: its parent's within an epoch; at an epoch's
   * first block, the genesis parameters with what governance changed in ParamRegistry by the parent's state (the
   * parent's values must have been read: forChild, or a head's).
   */
  forParent (parentHash: string, parentPoot: ChainState, slot: number): PootConfig {
    const base = this.genesis.poot
    const inherited = this.configByEvm.get(parentHash) ?? base
    if (epochOf(base.params, slot) === epochOf(base.params, parentPoot.slot)) return inherited
    const values = this.registryAfter.get(parentHash)
    if (values === undefined) return inherited
    return epochConfig(base, inherited, governedParams(base.params, this.atGenesis, values), slot)
  }

  /** Records the config a block was checked with (the genesis one is implied). */
  remember (h: string, config: PootConfig | undefined): void {
    if (config !== undefined && config !== this.genesis.poot) this.configByEvm.set(h, config)
  }

  forget (h: string): void {
    this.configByEvm.delete(h)
    this.registryAfter.delete(h)
  }

  /** The block's config (null: the genesis one) and registry values (null: not read). */
  snapshotOf (h: string): { config: PootConfig | null, registry: RegistryValues | null } {
    return { config: this.configByEvm.get(h) ?? null, registry: this.registryAfter.get(h) ?? null }
  }

  restore (h: string, snap: ConfigSnapshot): void {
    if (snap.config !== null) this.configByEvm.set(h, { ...snap.config, verifyInclusion: this.genesis.poot.verifyInclusion })
    if (snap.registry !== null) this.registryAfter.set(h, snap.registry)
  }
}
