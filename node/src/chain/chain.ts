/**
 * The chain runtime: one node's EVM chain on LevelDB, with PoOT deciding who may propose each slot.
 * - build(): the scheduled proposer makes the PoOT block, executes mempool transactions with the linear builder
 *   on the execution worker, seals the EVM block and stores it;
 * - importEnvelope(): a received block is checked (envelope, parent, PoOT rules, seal, timestamp, coinbase,
 *   rewards, PREVRANDAO) and re-executed on the execution worker; every root must match;
 * - both run on one serial queue (the live VM has one state root); reads (RPC) use copies at a given root.
 * Storage order per block: state trie nodes (execution) → receipts, tx index, envelope → putBlock (moves the head).
 */
import { mkdirSync } from 'node:fs'
import { ClassicLevel } from 'classic-level'
import { createBlockchain, type Blockchain } from '@ethereumjs/blockchain'
import { Block, createBlock, createBlockFromRLP, createBlockHeaderFromRLP } from '@ethereumjs/block'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createMPT } from '@ethereumjs/mpt'
import { createTx, type TypedTransaction, type TypedTxData } from '@ethereumjs/tx'
import { Address, ValueEncoding, bytesToHex, createAddressFromString, createWithdrawal, equalsBytes, hexToBytes, type WithdrawalData } from '@ethereumjs/util'
import {
  applyBlock, eligibilityReport, NOTHING_RETIRED, retireStates, type Retired, type PayoutParams, type PayoutSchedule, headerHash, bodyHash, selectProofs, isAncestor, makeBlock, scheduleFor, validateArrival, validateEquivocation, ForkChoice,
  attestationMessage, validateVoteEvidence, validateHeaderSignatures, validateHeader, registrationsNeeded, listableSessions, anchorsAssumedBy, NO_ANCHORS, windowSlots, blockOffence, voteOffence, offenceSettled,
  type AnchorLookup, type Block as PootBlock, type Entity, type MemberSignature, type BlockBody, type ChainState, type PayoutWrite, type PootConfig, type VoteEvidence, type EquivocationEvidence, type NodeKey, type SessionAnchor, type SignedHeader, type TaskProof
} from '../../../protocols/poot/index.js'
import { partialConfig } from '../../../protocols/poot/partial-config.js'
import type { Genesis } from './genesis.js'
import { LevelDB, type Sublevel } from './level-db.js'
import { ChainStore, type StoredReceipt } from './store.js'
import { ExecWorker, type ExecResult } from './exec-worker.js'
import type { ExecSystemWrite } from './exec-protocol.js'
import { SerialExecutor } from './executor.js'
import { decodeEnvelope, encodeEnvelope, EnvelopeError, MAX_ENVELOPE_PROOFS, type Envelope } from './envelope.js'
import { checkSeal, sealBlock } from './seal.js'
import { Slicer } from './slicer.js'
import { decodeBlockSliced } from './sliced-block.js'
import { Mempool, MempoolError, UNSUPPORTED_TX_TYPES, type MempoolContext } from './mempool.js'
import { eligibilityCalldata, SYSTEM_ADDRESS, SYSTEM_CALL_GAS } from './system.js'
import { readAnchors } from './anchor-values.js'
import { ChainPayouts } from './chain-payouts.js'
import { ChainConfigs } from './chain-configs.js'
import { ChainError } from './chain-error.js'
import { storedBlockRef, type BlockRef } from './stored-block.js'
import { decodePootSnapshot, encodePootSnapshot, storableConfig } from './poot-snapshot.js'
import type { EntitlementsRecord } from './entitlements-record.js'

export interface ChainOptions {
  /** LevelDB directory (created) */
  dir: string
  genesis: Genesis
  /** stop adding transactions to a block after this long, so a slot's block never stalls the node (default 1000) */
  maxBuildMs?: number
  /** how long a whole-block step runs before it gives the event loop a turn (slicer.ts; default 4; 0: at every step) */
  sliceMs?: number
  /** a PoOT snapshot is stored each time finality has advanced this many blocks since the last, and at close (default 4096) */
  snapshotEvery?: number
  /** where the chain reports what it drops or fails at on its own (evidence that no longer applies, a snapshot not written) */
  log?: ChainWarnings
}

export interface ChainWarnings { warn: (o: object, m: string) => void }

export interface Proposal {
  slot: number
  rank: number
  timeMs: number
  proposer: string
  signers: ReadonlyArray<{ member: number, key: NodeKey }>
  sessions?: SessionAnchor[]
  /** candidate task proofs (arrival order): those valid on the parent the block is built on are included */
  proofs?: readonly TaskProof[]
  /**
   * A pool member's proposal with fewer than the threshold of signers: the block is drafted with `signers`, then
   * `cosign` gathers the other members' signatures over it (chainnet's co-signing), and the whole is checked and stored.
   */
  cosign?: Cosigner
  /** at most this long adding transactions (default and upper bound: the chain's maxBuildMs) */
  maxBuildMs?: number
}

/** Another member's signatures over a draft: its PoOT header signature and its seal signature (the EVM block hash). */
export interface CoSignature { member: number, poot: Uint8Array, seal: Uint8Array }
/**
 * Gets the other members' signatures over a partially signed envelope (may return fewer than needed): `headerHash`
 * (hex) and `blockHash` are what their PoOT and seal signatures sign.
 */
export type Cosigner = (partial: Uint8Array, signs: { headerHash: string, blockHash: Uint8Array }) => Promise<CoSignature[]>

/** A block built and signed by this process's signers, not stored yet (build(): finished at once or once co-signed). */
interface Draft {
  p: Proposal
  block: Block
  poot: PootBlock
  seal: MemberSignature[]
  receipts: StoredReceipt[]
  written: Uint8Array[]
  /** the block's payout system writes, kept with it (entitlements-record.ts) */
  payouts: PayoutWrite[]
  next: ChainState
  config: PootConfig
  payout: PayoutSchedule
}

/** How many slots back a pool member's signature records are kept (chain/store.ts `m:`). */
const MEMBER_SIGNATURES_KEPT_SLOTS = 1024

/** `sideChain`: valid and stored, but the fork choice prefers the current head (the block may win later). */
export type ImportResult = { ok: true, block: Block, known?: boolean, sideChain?: boolean } | { ok: false, reason: string }

/** An envelope decoded, or the reason it cannot be (a received envelope never throws). */
function decodeOrReason (raw: Uint8Array): { ok: true, env: Envelope } | { ok: false, reason: string } {
  try {
    return { ok: true, env: decodeEnvelope(raw) }
  } catch (e) {
    return { ok: false, reason: e instanceof EnvelopeError ? e.message : `bad evm block: ${(e as Error).message}` }
  }
}

export { ChainError }

const GWEI = 1_000_000_000n
/**
 * trie nodes the live VM's trie keeps (it only reads: eth_call, mempool and registry reads; blocks execute on the
 * worker, which has its own cache): ~1.4 KB each with ethereumjs' hex-string keys, so 2,000 hold ~3 MB where 20,000
 * filled to ~28 MB over a few thousand blocks, with no measurable change in anchor submit latency
 */
const MAIN_TRIE_CACHE_NODES = 2_000
/** state trie writes per LevelDB batch at a block's commit (level-db.ts: the event loop turns between batches) */
const STATE_BATCH_SLICE = 1000
/** how long a co-signer waits for a draft's parent it does not have yet (the leader's deadline is 0.3 T) */
const COSIGN_PARENT_WAIT_MS = 200
/** stored blocks read concurrently ahead of the PoOT replay at open */
const REPLAY_READ_AHEAD = 64n
/** A PoOT snapshot is stored each time finality has advanced this many blocks since the last (and at close). */
const SNAPSHOT_EVERY = 4096
/** A replay retires and prunes old states every this many blocks. */
const REPLAY_RETIRE_EVERY = 256n

const attestationKey = (a: VoteEvidence['a']): string => Buffer.from(attestationMessage(a)).toString('hex')

export class Chain {
  readonly mempool = new Mempool()
  private readonly executor = new SerialExecutor()
  private readonly pootByEvm = new Map<string, ChainState>()
  private readonly evmByPoot = new Map<string, string>()
  private forkChoice: ForkChoice
  private headBlock: Block
  private readonly headListeners: Array<(b: Block) => void> = []
  private readonly txListeners: Array<(raw: Uint8Array, hash: string) => void> = []
  /** signed PoOT headers of accepted blocks by `${slot}:${proposer}`, to catch a second one (equivocation) */
  private readonly signedBySlot = new Map<string, SignedHeader>()
  /**
   * the PoOT header hash this process's member key signed for a pool's slot (as its leader or a co-signer), by
   * `${slot}:${entity}`; also in the store, so a restart does not sign a second header for a slot
   */
  private readonly memberSigned = new Map<string, string>()
  /** equivocation evidence waiting to be included by this node's next block */
  private readonly evidence = new Map<string, EquivocationEvidence>()
  /** vote equivocation evidence (double or surround votes) waiting to be included by this node's next block */
  private readonly voteEvidence = new Map<string, VoteEvidence>()
  /** valid blocks not on the canonical chain (not given to Blockchain.putBlock, which would make them the head) */
  private readonly sideBlocks = new Map<string, Block>()
  /** the finalized height of the last PoOT snapshot stored or resumed from (-1: none) */
  private snapshotHeight = -1
  /** how far PoOT states deep below finality have been retired (protocols/poot retire.ts) */
  private retired: Retired = NOTHING_RETIRED
  /** the governed PoOT config and registry values per block (chain-configs.ts) */
  private readonly configs: ChainConfigs
  private closed = false
  /** the payout side, per block (chain-payouts.ts) */
  private readonly payouts: ChainPayouts
  /**
   * The last pool draft this member co-signed, as executed then: the leader's published block has the same EVM block
   * (the signatures are outside it), so its import takes these results instead of executing the block again.
   */
  private cosignedDraft: { hash: string, parentRoot: Uint8Array, result: Extract<ExecResult, { ok: true }> } | null = null
  /** co-signed drafts whose published block was imported without executing it again */
  draftsReused = 0
  /** what the last open did: the finalized height of the snapshot it resumed from (null: none) and the blocks it replayed */
  readonly opened = { fromSnapshot: null as number | null, replayed: 0 }
  private log: ChainWarnings = { warn: () => {} }

  private constructor (
    readonly genesis: Genesis,
    private readonly level: ClassicLevel<Uint8Array, Uint8Array>,
    readonly vm: VM,
    readonly blockchain: Blockchain,
    readonly store: ChainStore,
    head: Block,
    private readonly maxBuildMs: number,
    private readonly sliceMs: number,
    /** builds and re-executes blocks off the event loop (exec-worker.ts) */
    private readonly execWorker: ExecWorker,
    private readonly snapshotEvery: number
  ) {
    this.headBlock = head
    this.forkChoice = new ForkChoice(genesis.pootGenesis)
    this.configs = new ChainConfigs(genesis, async (root) => await this.stateAt(root))
    this.payouts = new ChainPayouts({
      genesis,
      store,
      registryOf: async (block) => await this.configs.registryOf(block),
      registryAtGenesis: () => this.configs.registryAtGenesis,
      call: async (req, block) => await this.call(req, block),
      stateAt: async (root) => await this.stateAt(root),
      blockByNumber: async (n) => await this.blockByNumber(n),
      head: () => this.headBlock,
      isFinal: async (hash, height) => height <= BigInt(this.forkChoice.finalized.height) && equalsBytes(await this.blockchain.safeNumberToHash(height) || new Uint8Array(), hash)
    })
  }

  static async open (opts: ChainOptions): Promise<Chain> {
    mkdirSync(opts.dir, { recursive: true })
    const level = new ClassicLevel<Uint8Array, Uint8Array>(opts.dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await level.open()
    const sub = (name: string): Sublevel => level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as Sublevel
    const { genesis } = opts
    const common = genesis.common
    const trie = await createMPT({ db: new LevelDB(sub('state'), STATE_BATCH_SLICE) as never, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common, cacheSize: MAIN_TRIE_CACHE_NODES })
    const stateManager = new MerkleStateManager({ trie, common })
    const blockchain = await createBlockchain({ common, db: new LevelDB(sub('blocks')) as never, genesisState: genesis.state, validateBlocks: false, validateConsensus: false })
    const genesisBlock = blockchain.genesisBlock
    if (!(await stateManager.hasStateRoot(genesisBlock.header.stateRoot))) {
      await stateManager.generateCanonicalGenesis(genesis.state)
      const root = await stateManager.getStateRoot()
      if (!equalsBytes(root, genesisBlock.header.stateRoot)) throw new Error(`genesis state root ${bytesToHex(root)} is not the genesis block's ${bytesToHex(genesisBlock.header.stateRoot)}`)
    }
    const vm = await createVM({ common, stateManager, blockchain })
    const head = await blockchain.getCanonicalHeadBlock()
    await stateManager.setStateRoot(head.header.stateRoot)
    let chain: Chain | undefined
    const execWorker = new ExecWorker(genesis.commonSpec, sub('state'), STATE_BATCH_SLICE, async (n, tip) => await chain?.branchHash(n, tip))
    chain = new Chain(genesis, level, vm, blockchain, new ChainStore(sub('meta')), head, opts.maxBuildMs ?? 1000, opts.sliceMs ?? 4, execWorker, opts.snapshotEvery ?? SNAPSHOT_EVERY)
    if (opts.log !== undefined) chain.log = opts.log
    await chain.replayPoot(head)
    chain.retireOldStates()
    await chain.reloadSideBlocks()
    for (const r of await chain.store.memberSignatures(0)) chain.memberSigned.set(`${r.slot}:${r.entity}`, r.headerHash)
    return chain
  }

  /**
   * Rebuilds the PoOT states of the canonical chain from the stored envelopes: from the stored snapshot at a
   * finalized block when there is one for this chain (poot-snapshot.ts), else from genesis.
   */
  private async replayPoot (head: Block): Promise<void> {
    const g = this.blockchain.genesisBlock
    this.pootByEvm.set(bytesToHex(g.hash()), this.genesis.pootGenesis)
    this.evmByPoot.set(this.genesis.pootGenesis.hash, bytesToHex(g.hash()))
    await this.configs.open(g)
    let parentBlock: BlockRef = g
    const resumed = await this.resumeFromSnapshot(head)
    if (resumed !== undefined) parentBlock = resumed
    this.opened.fromSnapshot = resumed === undefined ? null : Number(resumed.header.number)
    this.opened.replayed = Number(head.header.number - parentBlock.header.number)
    // the stored blocks and envelopes are read REPLAY_READ_AHEAD at a time, concurrently (LevelDB answers reads on its
    // own threads), and replayed in order: waiting on each read in turn was most of a restart
    const ahead: Array<Promise<{ hash: Uint8Array, raw: Uint8Array | undefined }>> = []
    const read = async (n: bigint): Promise<{ hash: Uint8Array, raw: Uint8Array | undefined }> => {
      const hash = await this.canonicalHash(n)
      return { hash, raw: await this.store.envelope(hash) }
    }
    for (let n = parentBlock.header.number + 1n; n <= head.header.number; n++) {
      if (ahead.length === 0) {
        for (let k = n; k <= head.header.number && k < n + REPLAY_READ_AHEAD; k++) {
          const next = read(k)
          next.catch(() => {}) // awaited in its turn; one left behind by an earlier failure must not go unhandled
          ahead.push(next)
        }
      }
      const { hash, raw } = await (ahead.shift() as Promise<{ hash: Uint8Array, raw: Uint8Array | undefined }>)
      if (raw === undefined) throw new Error(`chain store: block ${n} has no envelope`)
      const env = decodeEnvelope(raw)
      // the block from its envelope (what was stored with it), not from the Blockchain's header and body records
      const block = storedBlockRef(env.evm, this.common.customCrypto.keccak256)
      if (!equalsBytes(block.hash(), hash)) throw new Error(`chain store: block ${n}'s envelope holds another block`)
      const parent = this.pootByEvm.get(bytesToHex(parentBlock.hash())) as ChainState
      const config = await this.configs.forChild(parentBlock, parent, env.poot.signed.header.slot)
      // the store holds only blocks checked before, signatures and registrations included: neither is checked again
      // (signatures were most of a replay's time, registrations are EVM state reads)
      const r = applyBlock(parent, env.poot, { ...config, trustSignatures: true }, anchorsAssumedBy(parent.height, env.poot.body))
      if (!r.ok) throw new Error(`chain store: block ${n} fails PoOT replay: ${r.reason}`)
      const payout = await this.payouts.scheduleForChild(parentBlock, parent.slot, env.poot.signed.header.slot)
      const refused = this.remember(block, r.value, env.poot.signed, config, payout)
      if (refused !== null) throw new Error(`chain store: block ${n} refused by the fork choice: ${refused}`)
      parentBlock = block
      if (n % REPLAY_RETIRE_EVERY === 0n) this.retireOldStates() // a replay holds no more states than a running chain
    }
    await this.configs.registryOf(head) // configAt reads the head's
    // the finalized pointer needs no reading back: the fork choice recomputes finality from the replayed states
  }

  /**
   * Takes the PoOT states from the stored snapshot when it is of a canonical block at or below `head`; returns that
   * block, or undefined (no snapshot, another version, or one of a branch this store no longer has: replay it all).
   */
  private async resumeFromSnapshot (head: Block): Promise<Block | undefined> {
    const raw = await this.store.snapshot()
    if (raw === undefined) return undefined
    const decoded = decodePootSnapshot(raw)
    if (!decoded.ok) return undefined
    const snap = decoded.snapshot
    if (BigInt(snap.height) > head.header.number) return undefined
    const canonical = await this.blockchain.safeNumberToHash(BigInt(snap.height))
    if (canonical === false || bytesToHex(canonical) !== snap.blockHash) return undefined
    const kept: ChainState[] = []
    for (let s: ChainState | null = snap.state; s !== null && snap.evmHashes.has(s.hash); s = s.parent) kept.push(s)
    kept.reverse()
    for (const s of kept) {
      const h = snap.evmHashes.get(s.hash) as string
      this.pootByEvm.set(h, s)
      this.evmByPoot.set(s.hash, h)
    }
    this.forkChoice = ForkChoice.resume(snap.state, [this.genesis.pootGenesis, ...kept])
    this.configs.restore(snap.blockHash, snap)
    this.payouts.restore(snap.blockHash, snap)
    this.retired = { ...snap.retired, pruned: [] }
    this.snapshotHeight = snap.height
    return await this.blockchain.getBlock(canonical)
  }

  /**
   * Stores a PoOT snapshot at the finalized block (poot-snapshot.ts), replacing the last. Run in the chain's queue
   * (commit, close), so no block is being added meanwhile.
   */
  private async writeSnapshot (): Promise<void> {
    const state = this.forkChoice.finalized
    const h = this.evmByPoot.get(state.hash)
    if (state.height === 0 || h === undefined) return
    const evmHashes = new Map<string, string>()
    for (let s: ChainState | null = state; s !== null && s.height > 0; s = s.parent) {
      const e = this.evmByPoot.get(s.hash)
      if (e === undefined) break
      evmHashes.set(s.hash, e)
    }
    const { config, registry } = this.configs.snapshotOf(h)
    await this.store.putSnapshot(encodePootSnapshot({
      blockHash: h,
      height: state.height,
      state,
      evmHashes,
      config: config === null ? null : storableConfig(config),
      ...this.payouts.snapshotOf(h),
      registry,
      retired: { below: this.retired.below, prunedBelow: this.retired.prunedBelow }
    }))
    this.snapshotHeight = state.height
  }

  /**
   * The side blocks stored before a restart, checked again as at their import (PoOT rules on their parent's state)
   * and handed to the fork choice, parents first. A mark whose block is canonical, unknown, on a dropped branch or
   * below finality is removed.
   */
  private async reloadSideBlocks (): Promise<void> {
    const blocks: Array<{ block: Block, signed: SignedHeader, poot: Envelope['poot'] }> = []
    for (const hash of await this.store.sideBlocks()) {
      const raw = await this.store.envelope(hash)
      if (raw === undefined) { await this.store.unmarkSide(hash); continue }
      const env = decodeEnvelope(raw)
      blocks.push({ block: createBlockFromRLP(env.evm, { common: this.common }), signed: env.poot.signed, poot: env.poot })
    }
    blocks.sort((a, b) => Number(a.block.header.number - b.block.header.number))
    for (const { block, signed, poot } of blocks) {
      const parentHash = bytesToHex(block.header.parentHash)
      const parentPoot = this.pootByEvm.get(parentHash)
      if (this.pootByEvm.has(bytesToHex(block.hash())) || parentPoot === undefined) { await this.store.unmarkSide(block.hash()); continue }
      const parent = this.sideBlocks.get(parentHash) ?? await this.blockchain.getBlock(block.header.parentHash)
      const config = await this.configs.forChild(parent, parentPoot, signed.header.slot)
      const r = applyBlock(parentPoot, poot, { ...config, trustSignatures: true }, anchorsAssumedBy(parentPoot.height, poot.body))
      const refused = r.ok ? this.remember(block, r.value, signed, config, await this.payouts.scheduleForChild(parent, parentPoot.slot, signed.header.slot)) : r.reason
      if (refused !== null) { await this.store.unmarkSide(block.hash()); continue }
      this.sideBlocks.set(bytesToHex(block.hash()), block)
    }
  }

  /** The config of a block at `slot` on the current head (scheduling, duties, gossip checks). */
  configAt (slot: number): PootConfig { return this.configs.forParent(bytesToHex(this.headBlock.hash()), this.headPoot, slot) }

  private remember (block: BlockRef, state: ChainState, signed?: SignedHeader, config?: PootConfig, payout?: PayoutSchedule): string | null {
    if (signed !== undefined) {
      this.signedBySlot.set(`${signed.header.slot}:${signed.header.proposer}`, signed)
      // oldest first (headers come in slot order, give or take a fork): stop at the first one still kept, so a block
      // costs the entries it drops, not a pass over the 1,024 slots kept
      const oldest = signed.header.slot - 1024
      for (const k of this.signedBySlot.keys()) {
        if (Number(k.slice(0, k.indexOf(':'))) >= oldest) break
        this.signedBySlot.delete(k)
      }
    }
    const added = this.forkChoice.add(state)
    if (!added.ok) return added.reason
    const h = bytesToHex(block.hash())
    const parentHash = bytesToHex(block.header.parentHash)
    const parent = this.pootByEvm.get(parentHash)
    this.payouts.remember(h, parent === undefined ? undefined : { hash: parentHash, slot: parent.slot }, state.slot, block.header.number === 1n, payout)
    this.pootByEvm.set(h, state)
    this.evmByPoot.set(state.hash, h)
    this.configs.remember(h, config)
    return null
  }

  /** Drops what the chain keeps for a forgotten side block (by EVM hash): its PoOT state and what hangs off it. */
  private forgetState (h: string): void {
    const state = this.pootByEvm.get(h)
    if (state === undefined || !this.forkChoice.forget(state.hash).ok) return
    this.unindex(h, state.hash)
  }

  private unindex (h: string, pootHash: string): void {
    this.pootByEvm.delete(h)
    this.evmByPoot.delete(pootHash)
    this.configs.forget(h)
    this.payouts.forget(h)
  }

  /** Evidence no later block can take any more (settled-evidence.ts): forgotten also by a node that never proposes. */
  private forgetSettledEvidence (): void {
    const final = this.pootByEvm.get(this.finalizedHash)
    if (final === undefined) return
    const window = windowSlots(this.configAt(final.slot + 1).params)
    const { registry } = this.genesis.poot
    for (const [k, e] of this.evidence) if (offenceSettled(blockOffence(e), final, window)) this.evidence.delete(k)
    for (const [k, e] of this.voteEvidence) if (offenceSettled(voteOffence(e, registry), final, window)) this.voteEvidence.delete(k)
  }

  /**
   * Drops what no rule reads any more from the PoOT states deep below the finalized block, and forgets the pruned
   * ones (below the finalized credit window too) altogether: what the chain keeps in memory stops growing with its
   * length. A pruned block is still served from the store (blockByHash).
   */
  private retireOldStates (): void {
    const finalized = this.pootByEvm.get(this.finalizedHash)
    if (finalized === undefined) return
    this.retired = retireStates(finalized, this.retired)
    for (const state of this.retired.pruned) {
      const h = this.evmByPoot.get(state.hash)
      if (h !== undefined) this.unindex(h, state.hash)
      this.forkChoice.prune(state.hash)
    }
  }

  /**
   * Whether a block of `proposer` for `slot` is known (built here or received), or this process's member key signed a
   * header of that pool for the slot: signing another would equivocate.
   */
  hasSigned (slot: number, proposer: string): boolean {
    const key = `${slot}:${proposer}`
    return this.signedBySlot.has(key) || this.memberSigned.has(key)
  }

  /** Records (synced) the header this process's member key signs for a pool's slot, before the signature leaves it. */
  private async recordMemberSignature (slot: number, entity: string, hash: string): Promise<void> {
    await this.store.recordMemberSignature(slot, entity, hash)
    this.memberSigned.set(`${slot}:${entity}`, hash)
    const oldest = slot - MEMBER_SIGNATURES_KEPT_SLOTS
    let forgot = false
    for (const k of this.memberSigned.keys()) if (Number(k.split(':')[0]) < oldest) forgot = this.memberSigned.delete(k)
    if (forgot) await this.store.forgetMemberSignaturesBefore(oldest)
  }

  get head (): Block { return this.headBlock }
  /** PoOT states held in memory: from the finalized credit window's start up, and side blocks (retireOldStates). */
  get statesKept (): number { return this.forkChoice.size }
  get chainId (): bigint { return this.genesis.common.chainId() }
  get common () { return this.genesis.common }
  pootState (blockHash: Uint8Array | string): ChainState | undefined {
    return this.pootByEvm.get(typeof blockHash === 'string' ? blockHash.toLowerCase() : bytesToHex(blockHash))
  }

  /** The PoOT state of a block known here by its PoOT header hash (a draft's `parent`), else undefined. */
  pootStateByHeader (pootHash: string): ChainState | undefined {
    const evm = this.evmByPoot.get(pootHash)
    return evm === undefined ? undefined : this.pootByEvm.get(evm)
  }

  get headPoot (): ChainState { return this.pootState(this.headBlock.hash()) as ChainState }
  /** The EVM block hash of the PoOT fork choice's finalized block. */
  get finalizedHash (): string { return this.evmByPoot.get(this.forkChoice.finalized.hash) as string }
  onHead (listener: (b: Block) => void): void { this.headListeners.push(listener) }

  /** PoOT schedule of `slot` on top of the current head: entity ids, primary first, the Server last. */
  schedule (slot: number): readonly string[] { return scheduleFor(this.headPoot, slot, this.configAt(slot)) }

  // ---- production -------------------------------------------------------------------------------------------

  async build (p: Proposal): Promise<Block> {
    if (p.cosign === undefined) return await this.executor.run(async () => await this.finishBuild(await this.draftBlock(p), []))
    // a pool member's block: drafted with its own signature, signed by the other members over the network (outside
    // the queue, so received blocks are imported meanwhile), then checked whole and stored
    const draft = await this.executor.run(async () => await this.draftBlock(p))
    const more = await p.cosign(encodeEnvelope({ evm: draft.block.serialize(), poot: draft.poot, seal: draft.seal }), { headerHash: headerHash(draft.poot.signed.header), blockHash: draft.block.hash() })
    return await this.executor.run(async () => await this.finishBuild(draft, more))
  }

  /** The block of a proposal, built on the head and signed by its signers; not stored. */
  private async draftBlock (p: Proposal): Promise<Draft> {
    if (this.closed) throw new ChainError('closed')
    // never a second signed header for a slot (after a reorg the head may be below a slot this entity already led)
    if (this.hasSigned(p.slot, p.proposer)) throw new ChainError('already-signed', `${p.proposer} already signed a block for slot ${p.slot}`)
    const parent = this.headBlock
    const parentPoot = this.headPoot
    const config = await this.configs.forChild(parent, parentPoot, p.slot)
    // a pool's draft carries fewer signatures than its threshold: every other rule is checked here, the threshold
    // once the other members signed (finishBuild)
    const checked = p.cosign === undefined ? config : partialConfig(config, p.proposer, p.signers.length)
    // evidence that no longer applies (already jailed, stale, a second offence of an entity this block jails) is
    // dropped rather than failing the block: each piece is kept only if the block with it and those kept before
    // applies. Included evidence stays here until a later block finds its offender jailed: a block that carried it
    // and lost to another branch would otherwise take it away with it.
    const kept: { evidence: EquivocationEvidence[], voteEvidence: VoteEvidence[] } = { evidence: [], voteEvidence: [] }
    const refusal = (body: Pick<BlockBody, 'evidence' | 'voteEvidence'>): string | null => {
      const r = applyBlock(parentPoot, makeBlock({ parentHash: parentPoot.hash, slot: p.slot, rank: p.rank, timeMs: p.timeMs, proposer: p.proposer, signers: p.signers, body: { proofs: [], sessions: [], ...body } }), checked)
      return r.ok ? null : r.reason
    }
    const sift = <E>(pool: Map<string, E>, add: (e: E) => Pick<BlockBody, 'evidence' | 'voteEvidence'>, take: (e: E) => void): void => {
      for (const [k, e] of pool) {
        const why = refusal(add(e))
        if (why === null) { take(e); continue }
        pool.delete(k)
        if (!/(already-jailed|stale-evidence)$/.test(why)) this.log.warn({ slot: p.slot, reason: why }, 'equivocation evidence dropped: it does not apply on the head')
      }
    }
    // a block refused without any evidence says nothing of the evidence: all of it is kept for the next one
    if (refusal(kept) === null) {
      sift(this.evidence, (e) => ({ ...kept, evidence: [...kept.evidence, e] }), (e) => kept.evidence.push(e))
      sift(this.voteEvidence, (e) => ({ ...kept, voteEvidence: [...kept.voteEvidence, e] }), (e) => kept.voteEvidence.push(e))
    }
    // holding claims and listed sessions are checked against the registrations in the parent's state, as every
    // follower will check them; what would fail is left out
    const wanted = { proofs: p.proofs ?? [], sessions: [...new Map((p.sessions ?? []).map((s) => [s.sessionId, s])).values()] }
    const anchors = await this.anchorsAt(parent, registrationsNeeded(wanted))
    const proofs = selectProofs(config, parentPoot, p.slot, p.timeMs, wanted.proofs, { max: MAX_ENVELOPE_PROOFS, anchors })
    const body: BlockBody = { proofs, sessions: listableSessions(parentPoot, wanted.sessions, anchors), ...kept }
    const pootBlock = makeBlock({ parentHash: parentPoot.hash, slot: p.slot, rank: p.rank, timeMs: p.timeMs, proposer: p.proposer, signers: p.signers, body })
    const applied = applyBlock(parentPoot, pootBlock, checked, anchors)
    if (!applied.ok) throw new ChainError(applied.reason, `cannot propose slot ${p.slot}: ${applied.reason}`)
    const next = applied.value
    // before this member's signature can leave the process: it signs no other header for the slot, even after a restart
    if (p.cosign !== undefined) await this.recordMemberSignature(p.slot, p.proposer, headerHash(pootBlock.signed.header))
    // the system writes read the parent's state through copies
    const { writes, payouts } = await this.systemWrites(parent, parentPoot, p.slot, config)
    const payout = await this.payouts.scheduleForChild(parent, parentPoot.slot, p.slot)
    // executed on the execution worker: the system writes, then the mempool's transactions in its order while they
    // fit (gas, maxBuildMs); the transactions are offered up to what the block's gas could hold at the least
    const baseFee = parent.header.calcNextBaseFee()
    const nonceOf = async (a: string): Promise<bigint> => (await this.vm.stateManager.getAccount(createAddressFromString(a)))?.nonce ?? 0n
    const offered = offerable(await this.mempool.executable(nonceOf, baseFee), parent.header.gasLimit)
    const header = this.expectedHeader(parent, pootBlock.signed.header.timeMs, p.proposer, headerHash(pootBlock.signed.header), next)
    const withdrawals = this.rewardWithdrawals(next, parent.header.number + 1n)
    const built = await this.execWorker.build({
      parentHeader: parent.header.serialize(),
      root: parent.header.stateRoot,
      writes,
      header: { ...header, coinbase: header.coinbase.toString() },
      withdrawals: withdrawals.map((w) => ({ ...w, address: w.address.toString() })),
      txs: offered.map((tx) => tx.serialize()),
      maxBuildMs: Math.min(this.maxBuildMs, p.maxBuildMs ?? this.maxBuildMs)
    })
    if (!built.ok) throw new ChainError('execution', `cannot build slot ${p.slot}: ${built.message}`)
    for (const i of built.dropped) this.mempool.remove(bytesToHex(offered[i].hash()))
    // the block from the worker's header and this thread's transaction objects (their senders already recovered)
    const block = new Block(createBlockHeaderFromRLP(built.header, { common: this.common }), built.included.map((i) => offered[i]), [], withdrawals.map(createWithdrawal), { common: this.common })
    const seal = sealBlock(block.hash(), p.signers)
    return { p, block, poot: pootBlock, seal, receipts: built.receipts, written: built.written, payouts, next, config, payout }
  }

  /**
   * Stores a draft, with the other members' signatures when it was co-signed (merged in member order, then checked as
   * every follower will check them: PoOT signatures to the threshold, and the seal).
   */
  private async finishBuild (d: Draft, more: readonly CoSignature[]): Promise<Block> {
    if (this.closed) throw new ChainError('closed')
    const { p, block } = d
    let { poot, seal } = d
    if (p.cosign !== undefined) {
      const present = new Set(poot.signed.signatures.map((s) => s.member))
      const added = more.filter((s, i) => !present.has(s.member) && more.findIndex((t) => t.member === s.member) === i)
      const byMember = <T extends { member: number }>(a: T, b: T): number => a.member - b.member
      poot = { ...poot, signed: { ...poot.signed, signatures: [...poot.signed.signatures, ...added.map((s) => ({ member: s.member, sig: s.poot }))].sort(byMember) } }
      seal = [...seal, ...added.map((s) => ({ member: s.member, sig: s.seal }))].sort(byMember)
      const entity = d.config.registry.byId.get(p.proposer) as Entity
      const signed = validateHeaderSignatures(poot.signed, entity)
      if (!signed.ok) throw new ChainError(`cosign-${signed.reason}`, `cannot propose slot ${p.slot}: ${poot.signed.signatures.length} of ${entity.threshold} signatures (${signed.reason})`)
      const sealErr = checkSeal(block.hash(), seal, entity)
      if (sealErr !== null) throw new ChainError(sealErr, `cannot propose slot ${p.slot}: ${sealErr}`)
      // another member's block for this slot arrived meanwhile: never a second one
      const known = this.signedBySlot.get(`${p.slot}:${p.proposer}`)
      if (known !== undefined && headerHash(known.header) !== headerHash(poot.signed.header)) throw new ChainError('already-signed', `${p.proposer} already has a block for slot ${p.slot}`)
    }
    const envelope = encodeEnvelope({ evm: block.serialize(), poot, seal })
    const canonical = await this.commit(block, d.receipts, envelope, d.next, poot.signed, d.config, d.payout, d.written, d.payouts)
    if (canonical !== true) throw new ChainError('not-preferred', `the block built for slot ${p.slot} is not preferred by the fork choice: ${String(canonical)}`)
    return block
  }

  /** Header fields that follow from the parent and the PoOT block; followers require exactly these. */
  private expectedHeader (parent: Block, timeMs: number, proposer: string, pootHash: string, next: ChainState) {
    return {
      timestamp: BigInt(Math.max(Number(parent.header.timestamp) + 1, Math.floor(timeMs / 1000))),
      coinbase: createAddressFromString(this.rewardAddress(proposer)),
      extraData: hexToBytes(('0x' + pootHash) as `0x${string}`),
      mixHash: next.mix,
      gasLimit: parent.header.gasLimit
    }
  }

  private rewardAddress (entity: string): string {
    const a = this.genesis.rewardAddresses.get(entity)
    if (a === undefined) throw new ChainError('unknown-entity', `no reward address for entity ${entity}`)
    return a
  }

  /** PoOT's block reward (whole LUCID) minted as an EIP-4895 withdrawal, so followers check it in withdrawalsRoot. */
  private rewardWithdrawals (next: ChainState, number: bigint): Array<WithdrawalData & { index: bigint, validatorIndex: bigint, address: Address, amount: bigint }> {
    if (next.reward === 0n || next.rewardTo === null) return []
    return [{ index: number, validatorIndex: 0n, address: createAddressFromString(this.rewardAddress(next.rewardTo)), amount: next.reward / GWEI }]
  }

  /**
   * Stores an executed block and applies the fork choice: true when it became the head, false when it is kept
   * as a side block, or the fork choice's refusal. The live VM is left at the head's state root either way.
   */
  private async commit (block: Block, receipts: StoredReceipt[], envelope: Uint8Array, poot: ChainState, signed: SignedHeader, config: PootConfig, payout: PayoutSchedule, written: Uint8Array[], payouts: readonly PayoutWrite[]): Promise<boolean | string> {
    await this.store.putBlockData(block.hash(), receipts, envelope, written, this.payouts.blockData(payouts))
    const before = this.forkChoice.finalized.hash
    const refused = this.remember(block, poot, signed, config, payout)
    if (refused !== null) {
      await this.vm.stateManager.setStateRoot(this.headBlock.header.stateRoot)
      return refused
    }
    if (this.forkChoice.head.hash !== poot.hash) {
      await this.store.markSide(block.hash())
      this.sideBlocks.set(bytesToHex(block.hash()), block)
      await this.vm.stateManager.setStateRoot(this.headBlock.header.stateRoot)
      return false
    }
    // the new head: side ancestors first (Blockchain.putBlock needs the parent and makes each put block the head)
    const ancestors: Block[] = []
    for (let h = bytesToHex(block.header.parentHash); this.sideBlocks.has(h);) {
      const b = this.sideBlocks.get(h) as Block
      ancestors.unshift(b)
      h = bytesToHex(b.header.parentHash)
    }
    const index = async (b: Block): Promise<void> => { await this.store.indexTransactions(b.hash(), b.transactions.map((t) => t.hash())) }
    for (const b of ancestors) { await index(b); await this.blockchain.putBlock(b); this.sideBlocks.delete(bytesToHex(b.hash())); await this.store.unmarkSide(b.hash()) }
    const oldHead = this.headBlock
    const reorg = bytesToHex(block.header.parentHash) !== bytesToHex(oldHead.hash())
    // the abandoned branch's blocks become side blocks (marked before the new head is stored: a restart between the
    // two finds them canonical and drops the marks)
    const abandoned = reorg ? await this.abandonedBranch(oldHead, poot) : []
    for (const b of abandoned) { await this.store.markSide(b.hash()); this.sideBlocks.set(bytesToHex(b.hash()), b) }
    await index(block)
    await this.configs.noteHead(block, receipts)
    await this.blockchain.putBlock(block)
    this.headBlock = block
    // the live VM at the new head's state (an imported block was executed on the execution worker)
    await this.vm.stateManager.setStateRoot(block.header.stateRoot)
    // transactions of the abandoned branch go back to the mempool (those the new branch has are refused there)
    for (const tx of abandoned.flatMap((b) => b.transactions)) { try { await this.mempool.add(tx, this.mempoolContext(), tx.serialize().length) } catch {} }
    if (this.forkChoice.finalized.hash !== before) {
      await this.store.setFinal(hexToBytes(this.finalizedHash as `0x${string}`))
      this.forgetSettledEvidence()
      this.retireOldStates()
      if (this.forkChoice.finalized.height - this.snapshotHeight >= this.snapshotEvery) await this.writeSnapshot()
      // a side block at or below the finalized height, or on a branch that left the finalized block's line, can never
      // win: forgotten, with its PoOT state
      const finalized = this.forkChoice.finalized
      for (const [h, b] of this.sideBlocks) {
        const state = this.pootByEvm.get(h)
        if (b.header.number > BigInt(finalized.height) && (state === undefined || isAncestor(finalized, state))) continue
        this.sideBlocks.delete(h)
        this.forgetState(h)
        await this.store.unmarkSide(b.hash())
      }
    }
    for (const tx of block.transactions) this.mempool.remove(bytesToHex(tx.hash()))
    await this.mempool.prune(async (a) => (await this.vm.stateManager.getAccount(createAddressFromString(a)))?.nonce ?? 0n)
    for (const l of this.headListeners) { try { l(block) } catch {} }
    return true
  }

  /** The blocks from `oldHead` back to (not including) its common ancestor with `winner`, oldest first (64 at most). */
  private async abandonedBranch (oldHead: Block, winner: ChainState): Promise<Block[]> {
    const out: Block[] = []
    let b: Block | undefined = oldHead
    for (let depth = 0; b !== undefined && depth < 64; depth++) {
      const state = this.pootState(b.hash())
      if (state === undefined || isAncestor(state, winner)) break
      out.unshift(b)
      b = await this.blockByHash(b.header.parentHash)
    }
    return out
  }

  // ---- import -----------------------------------------------------------------------------------------------

  /** Checks and re-executes a received envelope; never throws for bad input. */
  async importEnvelope (raw: Uint8Array, nowMs: number): Promise<ImportResult> {
    const decoded = decodeOrReason(raw)
    if (!decoded.ok) return decoded
    const { env } = decoded
    return await this.executor.run(async () => {
      // decoding, sender recovery and the transaction trie give the event loop turns (sliced-block.ts); the block is
      // decoded in the queue so that envelopes are still imported in the order they arrived
      const slicer = new Slicer(this.sliceMs)
      let block: Block
      try {
        block = await decodeBlockSliced(env.evm, { common: this.common }, slicer)
      } catch (e) {
        return { ok: false, reason: `bad evm block: ${(e as Error).message}` }
      }
      if (this.closed) return { ok: false, reason: 'closed' }
      // first: a second signed header for a slot is evidence whatever the rest of the envelope is
      const equivocation = this.checkEquivocation(env.poot.signed)
      if (equivocation !== null) return { ok: false, reason: equivocation }
      const hash = bytesToHex(block.hash())
      const known = this.pootByEvm.get(hash)
      if (known !== undefined) {
        // the EVM header commits to the PoOT header, which commits to the body: a copy of a known block whose PoOT
        // header or body differs, whose transactions differ, or whose signatures do not hold was altered on the way
        // (its sender is penalised); other valid signatures (a pool's members co-sign in varying subsets) are ignored
        const reason = knownBlockMismatch(env, known.hash) ?? await this.knownCopyMismatch(env, block)
        return reason === null ? { ok: true, block, known: true } : { ok: false, reason }
      }
      const parentHash = bytesToHex(block.header.parentHash)
      const parentPoot = this.pootByEvm.get(parentHash)
      if (parentPoot === undefined) return { ok: false, reason: `unknown-parent: ${parentHash}` }
      // before any work: such a block cannot descend from the finalized one (and its parent's state may be retired)
      if (parentPoot.height < this.forkChoice.finalized.height) return { ok: false, reason: 'fork-choice: conflicts-with-finalized' }
      const parent = await this.knownBlock(parentHash, block.header.parentHash)
      const ph = env.poot.signed.header
      const checked = await this.checkOnParent(env, block, parent, parentPoot, nowMs, false)
      if (!checked.ok) return checked
      const { next, config } = checked
      try {
        const payout = await this.payouts.scheduleForChild(parent, parentPoot.slot, ph.slot)
        // executed on the execution worker: the system writes of this block (if any) first, on the parent's state,
        // then the block's transactions, with every check of ethereumjs' runBlock
        const { writes, payouts } = await this.systemWrites(parent, parentPoot, ph.slot, config)
        // a pool's block this member co-signed was executed then, on the same parent (its trie nodes are stored)
        const draft = this.cosignedDraft
        const reused = draft !== null && draft.hash === bytesToHex(block.hash()) && equalsBytes(draft.parentRoot, parent.header.stateRoot)
        const executed = reused ? draft.result : await this.execWorker.import(env.evm, parent.header.stateRoot, writes)
        if (reused) { this.cosignedDraft = null; this.draftsReused++ }
        if (!executed.ok) return { ok: false, reason: `execution: ${executed.message}` }
        const canonical = await this.commit(block, executed.receipts, raw, next, env.poot.signed, config, payout, executed.written, payouts)
        if (typeof canonical === 'string') return { ok: false, reason: `fork-choice: ${canonical}` }
        return canonical ? { ok: true, block } : { ok: true, block, sideChain: true }
      } catch (e) {
        await this.vm.stateManager.setStateRoot(this.headBlock.header.stateRoot)
        return { ok: false, reason: `execution: ${(e as Error).message.split('\n')[0]}` }
      }
    })
  }

  /**
   * This process's member signatures over another member's draft of their pool's block (chainnet's co-signing): the
   * PoOT header signature and the seal. Given only when the draft is a child of a block this node holds above its
   * finalized one (its head or another branch's) that passes every import check (the proposer's signatures counted
   * as present, not to the threshold) and re-executes to its roots, and when this member has signed no other header
   * of the pool for the slot; the header is recorded (synced) before the signatures are returned. Checks and record
   * run in the chain's queue, so two drafts for one slot never both pass. The draft is not stored (the leader
   * publishes the signed block, imported as any other).
   */
  async cosign (raw: Uint8Array, signer: { member: number, key: NodeKey }, nowMs: number): Promise<{ ok: true, poot: Uint8Array, seal: Uint8Array } | { ok: false, reason: string }> {
    const decoded = decodeOrReason(raw)
    if (!decoded.ok) return decoded
    const { env } = decoded
    // a co-signer a little behind its leader: the draft's parent is most likely on its way here by gossip (waited for
    // outside the chain's queue, which imports it)
    for (const until = Date.now() + COSIGN_PARENT_WAIT_MS; !this.evmByPoot.has(env.poot.signed.header.parent) && Date.now() < until && !this.closed;) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return await this.executor.run(async () => {
      if (this.closed) return { ok: false, reason: 'closed' }
      let block: Block
      try { block = createBlockFromRLP(env.evm, { common: this.common }) } catch (e) { return { ok: false, reason: `bad evm block: ${(e as Error).message}` } }
      const ph = env.poot.signed.header
      const entity = this.genesis.poot.registry.byId.get(ph.proposer)
      if (entity === undefined || entity.members[signer.member] !== signer.key.id) return { ok: false, reason: `not-a-member: this node is not member ${signer.member} of ${ph.proposer}` }
      const key = `${ph.slot}:${ph.proposer}`
      const hash = headerHash(ph)
      const mine = this.memberSigned.get(key)
      if (mine !== undefined && mine !== hash) return { ok: false, reason: `already-signed: this member signed another header of ${ph.proposer} for slot ${ph.slot}` }
      const known = this.signedBySlot.get(key)
      if (known !== undefined && headerHash(known.header) !== hash) return { ok: false, reason: `already-signed: a block of ${ph.proposer} for slot ${ph.slot} is known` }
      const parentHash = bytesToHex(block.header.parentHash)
      const parentPoot = this.pootByEvm.get(parentHash)
      if (parentPoot === undefined) return { ok: false, reason: `unknown-parent: ${parentHash}` }
      // a draft on another branch than this node's head (a block the leader has not seen yet, or one this node has
      // not): judged on its own parent, as its import will be, so the pool's slot is not lost to a view that differs
      // for a moment; never below the finalized block
      if (parentPoot.height < this.forkChoice.finalized.height) return { ok: false, reason: `conflicts-with-finalized: the draft's parent ${parentHash} is below this node's finalized block` }
      const parent = await this.knownBlock(parentHash, block.header.parentHash)
      const checked = await this.checkOnParent(env, block, parent, parentPoot, nowMs, true)
      if (!checked.ok) return checked
      try {
        const { writes } = await this.systemWrites(parent, parentPoot, ph.slot, checked.config)
        const executed = await this.execWorker.import(env.evm, parent.header.stateRoot, writes)
        if (!executed.ok) return { ok: false, reason: `execution: ${executed.message}` }
        this.cosignedDraft = { hash: bytesToHex(block.hash()), parentRoot: parent.header.stateRoot, result: executed }
      } catch (e) {
        await this.vm.stateManager.setStateRoot(this.headBlock.header.stateRoot)
        return { ok: false, reason: `execution: ${(e as Error).message.split('\n')[0]}` }
      }
      await this.recordMemberSignature(ph.slot, ph.proposer, hash)
      return { ok: true, poot: signer.key.sign(hexToBytes(('0x' + hash) as `0x${string}`)), seal: signer.key.sign(block.hash()) }
    })
  }

  /**
   * Why a copy of a known block (same EVM hash, PoOT header and body already matched) is not that block: its
   * transactions, ommers or withdrawals are not the ones its header commits to (decoding does not check them against
   * the header's roots), or its PoOT signatures or seal do not hold for the proposer. Null when it is the block.
   */
  private async knownCopyMismatch (env: Envelope, copy: Block): Promise<string | null> {
    const body = async (): Promise<boolean> => await copy.transactionsTrieIsValid() && copy.uncleHashIsValid() &&
      (!copy.common.isActivatedEIP(4895) || await copy.withdrawalsTrieIsValid())
    if (!await body().catch(() => false)) return 'known-block-mismatch: the transactions, withdrawals or ommers are not the ones the EVM header commits to'
    // the entities are the genesis's (governance changes parameters, not members); the block's proposer is one
    const entity = this.genesis.poot.registry.byId.get(env.poot.signed.header.proposer) as Entity
    const signed = validateHeaderSignatures(env.poot.signed, entity)
    if (!signed.ok) return `known-block-mismatch: poot:header:${signed.reason}`
    const sealErr = checkSeal(copy.hash(), env.seal, entity)
    return sealErr === null ? null : `known-block-mismatch: ${sealErr}`
  }

  /** A block this node holds a PoOT state of: the head, a side block, or a canonical one (`hash` is `raw` in hex). */
  private async knownBlock (hash: string, raw: Uint8Array): Promise<Block> {
    return hash === bytesToHex(this.headBlock.hash()) ? this.headBlock : this.sideBlocks.get(hash) ?? await this.blockchain.getBlock(raw)
  }

  /**
   * Every check of a received block on its parent before execution (import steps 5–10 and the block's transaction
   * types, blob gas and reward): the PoOT rules, arrival, seal, the header fields. `partial`: a pool's draft being
   * co-signed, whose proposer signatures (PoOT and seal) count as the threshold; they are still verified.
   */
  private async checkOnParent (env: Envelope, block: Block, parent: Block, parentPoot: ChainState, nowMs: number, partial: boolean): Promise<{ ok: false, reason: string } | { ok: true, next: ChainState, config: PootConfig }> {
    const ph = env.poot.signed.header
    if (ph.parent !== parentPoot.hash) return { ok: false, reason: 'poot-parent-mismatch: the PoOT header names another parent than the EVM block' }
    const pootHash = headerHash(ph)
    const config = await this.configs.forChild(parent, parentPoot, ph.slot)
    // a draft being co-signed carries fewer signatures than the threshold: those present are checked
    const checked = partial ? partialConfig(config, ph.proposer, env.poot.signed.signatures.length) : config
    // a body that names registrations gets its header (proposer, turn, signatures) checked before they are read from
    // state: reads are work a stranger's envelope must not get for free (applyBlock checks the header again, cheaply)
    const needed = registrationsNeeded(env.poot.body)
    if (needed.length > 0) {
      const header = validateHeader(parentPoot, env.poot.signed, checked)
      if (!header.ok) return { ok: false, reason: `poot:header:${header.reason}` }
    }
    const applied = applyBlock(parentPoot, env.poot, checked, await this.anchorsAt(parent, needed))
    if (!applied.ok) return { ok: false, reason: `poot:${applied.reason}` }
    const arrival = validateArrival(env.poot.signed, nowMs, config.params)
    if (!arrival.ok) return { ok: false, reason: `poot:${arrival.reason}` }
    // the seal to the same threshold as the PoOT signatures (a draft's: those present)
    const entity = checked.registry.byId.get(ph.proposer)
    if (entity === undefined) return { ok: false, reason: 'poot:unknown-proposer' }
    const sealErr = checkSeal(block.hash(), env.seal, entity)
    if (sealErr !== null) return { ok: false, reason: sealErr }
    const next = applied.value
    const want = this.expectedHeader(parent, ph.timeMs, ph.proposer, pootHash, next)
    const h = block.header
    if (!equalsBytes(h.extraData, want.extraData)) return { ok: false, reason: 'extra-data-mismatch: extraData must be the PoOT header hash' }
    if (h.timestamp !== want.timestamp) return { ok: false, reason: `bad-timestamp: ${h.timestamp}, expected ${want.timestamp}` }
    if (!h.coinbase.equals(want.coinbase)) return { ok: false, reason: `bad-coinbase: ${h.coinbase.toString()}, expected the proposer's reward address ${want.coinbase.toString()}` }
    if (!equalsBytes(h.mixHash, want.mixHash)) return { ok: false, reason: 'bad-mix-hash: PREVRANDAO must be the PoOT mix' }
    if (h.gasLimit !== want.gasLimit) return { ok: false, reason: `bad-gas-limit: ${h.gasLimit}, expected ${want.gasLimit}` }
    // ethereumjs' header checks against the parent, done here because runBlock's own would look the parent up in
    // the Blockchain, which holds canonical blocks only: a side block's child would fail there
    const headerErr = checkHeaderOnParent(h, parent.header)
    if (headerErr !== null) return { ok: false, reason: `execution: ${headerErr}` }
    // (what Blockchain.putBlock's validation would add for blobs: this chain includes none)
    const unsupported = block.transactions.findIndex((t) => UNSUPPORTED_TX_TYPES.has(t.type))
    if (unsupported >= 0) return { ok: false, reason: `unsupported-tx-type: transaction ${unsupported} is of type ${block.transactions[unsupported].type}, which this chain does not include` }
    if (h.common.isActivatedEIP(4844) && h.blobGasUsed !== 0n) return { ok: false, reason: `bad-blob-gas: blobGasUsed ${h.blobGasUsed}, expected 0 (no blob transactions)` }
    const wantW = this.rewardWithdrawals(next, h.number)
    const gotW = block.withdrawals ?? []
    if (gotW.length !== wantW.length || gotW.some((w, i) => w.index !== wantW[i].index || !w.address.equals(wantW[i].address) || w.amount !== wantW[i].amount)) {
      return { ok: false, reason: 'bad-reward: withdrawals must mint exactly the PoOT block reward to the proposer' }
    }
    return { ok: true, next, config }
  }

  /**
   * A second validly signed header of one proposer for one slot: kept as evidence for this node's next block
   * (applyBlock then jails the entity on every node) and the block refused. Null when there is no conflict.
   */
  private checkEquivocation (signed: SignedHeader): string | null {
    const known = this.signedBySlot.get(`${signed.header.slot}:${signed.header.proposer}`)
    if (known === undefined || headerHash(known.header) === headerHash(signed.header)) return null
    const e: EquivocationEvidence = { a: known, b: signed }
    const v = validateEquivocation(e, this.genesis.poot.registry)
    if (!v.ok) return null // not provably the proposer's: the normal checks will refuse it
    const key = [headerHash(known.header), headerHash(signed.header)].sort().join(':')
    this.evidence.set(key, e)
    return `equivocation: ${signed.header.proposer} signed two blocks for slot ${signed.header.slot}; evidence kept for the next block`
  }

  /**
   * The system writes a block at `slot` on `parent` makes, in order: the eligibility report at a PoOT epoch's first
   * block, then the payout writes (chain-payouts.ts: the entitlements of the payout epochs due, `payouts`, else the
   * parent's new holders).
   */
  private async systemWrites (parent: Block, parentPoot: ChainState, slot: number, config: PootConfig): Promise<{ writes: ExecSystemWrite[], payouts: PayoutWrite[] }> {
    const writes: ExecSystemWrite[] = []
    const report = eligibilityReport(parentPoot, slot, config)
    if (report !== null) writes.push({ caller: SYSTEM_ADDRESS, to: this.genesis.contracts.NodeEligibility, data: eligibilityCalldata(report, (e) => this.rewardAddress(e)), gas: SYSTEM_CALL_GAS })
    const payout = await this.payouts.systemWrites(parent, parentPoot.slot, slot)
    return { writes: [...writes, ...payout.writes], payouts: payout.payouts }
  }

  /** The payout epoch of `slot` as the head's chain numbers them (for clients: which epoch income is declared for). */
  payoutEpochAt (slot: number): number { return this.payouts.epochAt(slot) }

  /** The payout parameters of a write made on `block`'s state (the genesis file's, with governance's changes). */
  async payoutParamsAt (block: Block): Promise<PayoutParams> { return await this.payouts.paramsAt(block) }

  /** The entitlements the system wrote for `epoch` on the canonical chain (ChainPayouts.entitlements), or null. */
  async payoutEntitlements (epoch: number): Promise<(EntitlementsRecord & { blockNumber: bigint }) | null> {
    return await this.payouts.entitlements(epoch)
  }

  /** The hash of the canonical block at height `n` (at or below the head: the store must have it). */
  private async canonicalHash (n: bigint): Promise<Uint8Array> {
    const hash = await this.blockchain.safeNumberToHash(n)
    if (hash === false) throw new ChainError('missing-block', `chain store: no canonical block ${n}`)
    return hash
  }

  /** Equivocation evidence this node will include in its next block. */
  get pendingEvidence (): EquivocationEvidence[] { return [...this.evidence.values()] }

  /**
   * Two votes of one node that break FFG's rules (a double or surround vote, checked with their signatures): kept
   * for this node's next block, which jails the node's entity on every node. False when they are not evidence.
   */
  addVoteEvidence (e: VoteEvidence): boolean {
    if (!validateVoteEvidence(e, this.genesis.poot.registry).ok) return false
    const key = [attestationKey(e.a), attestationKey(e.b)].sort().join(':')
    if (this.voteEvidence.size >= 16 && !this.voteEvidence.has(key)) return false
    this.voteEvidence.set(key, e)
    return true
  }

  get pendingVoteEvidence (): VoteEvidence[] { return [...this.voteEvidence.values()] }

  // ---- reads ------------------------------------------------------------------------------------------------

  async envelopeOf (block: Block): Promise<Uint8Array | undefined> { return await this.store.envelope(block.hash()) }

  /** Envelopes of canonical blocks from `from`: at most `count`, stopping once `maxBytes` is reached (sync, RPC). */
  async envelopes (from: bigint, count: number, maxBytes: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    let bytes = 0
    for (let i = 0n; i < BigInt(count) && bytes < maxBytes; i++) {
      const b = await this.blockByNumber(from + i)
      const env = b === undefined ? undefined : await this.envelopeOf(b)
      if (env === undefined) break
      out.push(env)
      bytes += env.length
    }
    return out
  }

  /**
   * The LucidAnchors registrations of `sessionIds` in `block`'s state (the unregistered absent): PoOT checks a block's
   * holding claims and listed sessions against its parent's (protocols/poot/anchors.ts), gossip and storage duties
   * against the head's.
   */
  async anchorsAt (block: Block, sessionIds: readonly string[]): Promise<AnchorLookup> {
    const anchors = this.genesis.contracts.LucidAnchors
    if (sessionIds.length === 0 || anchors === undefined) return NO_ANCHORS
    return await readAnchors(await this.stateAt(block.header.stateRoot), anchors, sessionIds)
  }

  /** A state manager fixed at `root`, independent of the live VM. */
  async stateAt (root: Uint8Array): Promise<MerkleStateManager> {
    const sm = (this.vm.stateManager as MerkleStateManager).shallowCopy(false)
    await sm.setStateRoot(root)
    return sm
  }

  async blockByNumber (n: bigint): Promise<Block | undefined> {
    if (n > this.headBlock.header.number || n < 0n) return undefined
    try { return await this.blockchain.getBlock(n) } catch { return undefined }
  }

  /**
   * The hash of the block at height `n` on the branch ending at `tip` (what BLOCKHASH reads in a child of `tip`):
   * side blocks are walked back by parent hash until the branch meets the canonical chain.
   */
  async branchHash (n: bigint, tip: Uint8Array): Promise<Uint8Array | undefined> {
    let b = await this.blockByHash(tip)
    while (b !== undefined && b.header.number > n && this.sideBlocks.has(bytesToHex(b.hash()))) b = await this.blockByHash(b.header.parentHash)
    if (b === undefined || b.header.number < n) return undefined
    return b.header.number === n ? b.hash() : (await this.blockByNumber(n))?.hash()
  }

  async blockByHash (hash: Uint8Array): Promise<Block | undefined> {
    if (!this.pootByEvm.has(bytesToHex(hash))) return await this.prunedBlock(hash)
    const side = this.sideBlocks.get(bytesToHex(hash))
    if (side !== undefined) return side
    try { return await this.blockchain.getBlock(hash) } catch { return undefined }
  }

  /** A canonical block whose PoOT state was pruned (retireOldStates), from the store; undefined for any other. */
  private async prunedBlock (hash: Uint8Array): Promise<Block | undefined> {
    let block: Block
    try { block = await this.blockchain.getBlock(hash) } catch { return undefined }
    if (block.header.number >= BigInt(this.retired.prunedBelow)) return undefined
    const canonical = await this.blockchain.safeNumberToHash(block.header.number)
    return canonical !== false && equalsBytes(canonical, hash) ? block : undefined
  }

  mempoolContext (): MempoolContext {
    return {
      chainId: this.chainId,
      blockGasLimit: this.headBlock.header.gasLimit,
      baseFee: this.headBlock.header.calcNextBaseFee(),
      account: async (address) => {
        const sm = await this.stateAt(this.headBlock.header.stateRoot)
        const a = await sm.getAccount(createAddressFromString(address))
        return { nonce: a?.nonce ?? 0n, balance: a?.balance ?? 0n }
      }
    }
  }

  /** Called with each transaction admitted from this node's clients (JSON-RPC), not from peers: gossip hooks in here. */
  onLocalTransaction (listener: (raw: Uint8Array, hash: string) => void): void { this.txListeners.push(listener) }

  /**
   * Admits a signed raw transaction to the mempool; throws MempoolError (reason). `local`: it came from this node's
   * clients (listeners are told, so it reaches the other proposers), not from a peer.
   */
  async submitRaw (raw: Uint8Array, local = true): Promise<string> {
    let tx: TypedTransaction
    try {
      const { createTxFromRLP } = await import('@ethereumjs/tx')
      tx = createTxFromRLP(raw, { common: this.common })
    } catch (e) {
      if (/chain ?id/i.test((e as Error).message)) throw new MempoolError('wrong-chain-id', `transaction is signed for another chain id than ${this.chainId}`)
      throw new MempoolError('undecodable', `cannot decode transaction: ${(e as Error).message.split('\n')[0]}`)
    }
    const hash = await this.mempool.add(tx, this.mempoolContext(), raw.length)
    if (local) for (const l of this.txListeners) { try { l(raw, hash) } catch {} }
    return hash
  }

  /**
   * Runs a call on a copy of the VM at `block`'s state (never the live VM: runCall/runTx there would commit).
   * Nonce and balance are not checked (eth_call semantics). The run is wrapped in a checkpoint that is reverted,
   * so nothing of it reaches the state database.
   */
  async call (req: CallRequest, block: Block): Promise<CallResult> {
    return await this.runCalls(block, async (run) => await run(req))
  }

  /** Smallest gas limit with which the call succeeds: binary search (gas used is not always enough), to 1.5%. */
  async estimateGas (req: CallRequest, block: Block): Promise<bigint> {
    return await this.runCalls(block, async (run) => {
      const cap = req.gas ?? block.header.gasLimit
      const full = await run({ ...req, gas: cap })
      if (!full.ok) throw new CallFailed(full)
      let lo = full.gasUsed - 1n
      let hi = cap
      // most calls succeed with gas used + the 1/64 that CALL keeps back: try that first
      const guess = full.gasUsed + full.gasUsed / 63n + 2300n
      if (guess < hi && (await run({ ...req, gas: guess })).ok) hi = guess
      while (hi - lo > 1n && (hi - lo) * 1000n > hi * 15n) {
        const mid = (lo + hi) / 2n
        if ((await run({ ...req, gas: mid })).ok) hi = mid
        else lo = mid
      }
      return hi
    })
  }

  private async runCalls<T> (block: Block, body: (run: (req: CallRequest) => Promise<CallResult>) => Promise<T>): Promise<T> {
    const vm = await this.vm.shallowCopy()
    await vm.stateManager.setStateRoot(block.header.stateRoot)
    const env = createBlock({
      header: {
        number: block.header.number + 1n,
        timestamp: block.header.timestamp + 1n,
        gasLimit: block.header.gasLimit,
        baseFeePerGas: block.header.calcNextBaseFee(),
        coinbase: block.header.coinbase,
        mixHash: block.header.mixHash,
        parentHash: block.hash()
      }
    }, { common: this.common })
    const run = async (req: CallRequest): Promise<CallResult> => {
      const from = createAddressFromString(req.from ?? '0x0000000000000000000000000000000000000000')
      const fee = req.maxFeePerGas ?? req.gasPrice
      await vm.stateManager.checkpoint()
      try {
        const data: TypedTxData = {
          type: 2,
          nonce: (await vm.stateManager.getAccount(from))?.nonce ?? 0n,
          to: req.to,
          value: req.value ?? 0n,
          data: req.data ?? new Uint8Array(0),
          gasLimit: req.gas ?? block.header.gasLimit,
          maxFeePerGas: fee !== undefined && fee > 0n ? fee : env.header.baseFeePerGas as bigint,
          maxPriorityFeePerGas: req.maxPriorityFeePerGas ?? 0n
        }
        const tx = createTx(data, { common: this.common, freeze: false })
        ;(tx as unknown as { getSenderAddress: () => Address }).getSenderAddress = () => from
        const r = await runTx(vm, { tx, block: env, skipNonce: true, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
        const err = r.execResult.exceptionError
        return { ok: err === undefined, gasUsed: r.totalGasSpent, returnValue: r.execResult.returnValue, error: err?.error }
      } finally {
        await vm.stateManager.revert()
      }
    }
    return await body(run)
  }

  /** Waits until every queued build/import has finished. */
  async idle (): Promise<void> { await this.executor.idle() }

  /** Starts the execution worker now (a node does at start, so that its first received block does not wait for it). */
  async warmExecution (): Promise<void> { await this.execWorker.warm() }

  async close (): Promise<void> {
    if (this.closed) return
    await this.executor.run(async () => {
      this.closed = true
      // a restart then replays only the blocks above the finalized one; without it, from the last one stored
      if (this.forkChoice.finalized.height > this.snapshotHeight) await this.writeSnapshot().catch((e: Error) => { this.log.warn({ err: e.message }, 'PoOT snapshot not stored at close: the next start replays from the last one') })
    })
    await this.execWorker.close()
    await this.level.close()
  }
}


/**
 * The mempool's executable transactions a block could hold: in order, while their least gas (21,000 and 4 a
 * calldata byte) fits the block's limit, so the worker is not sent a whole mempool.
 */
function offerable (txs: readonly TypedTransaction[], gasLimit: bigint): TypedTransaction[] {
  let least = 0n
  const out: TypedTransaction[] = []
  for (const tx of txs) {
    least += 21_000n + 4n * BigInt(tx.data.length)
    if (least > gasLimit) break
    out.push(tx)
  }
  return out
}

export { MAX_PAYOUT_WRITES_PER_BLOCK } from './chain-payouts.js'

/** Why an envelope of a block known here (PoOT hash `pootHash`) is not that block's, or null when its header and body are. */
function knownBlockMismatch (env: Envelope, pootHash: string): string | null {
  if (headerHash(env.poot.signed.header) !== pootHash) return `known-block-mismatch: the PoOT header is not the one the EVM block ${pootHash.slice(0, 18)}… commits to`
  if (bodyHash(env.poot.body) !== env.poot.signed.header.bodyHash) return 'known-block-mismatch: the PoOT body does not hash to its header\'s bodyHash'
  return null
}

/**
 * What ethereumjs' `Blockchain.validateHeader` checks of a header against its parent (pos: no difficulty), with the
 * parent given: number, timestamp, gas limit, base fee, blob gas, requests hash. Null when they hold.
 */
function checkHeaderOnParent (h: Block['header'], parent: Block['header']): string | null {
  if (h.number !== parent.number + 1n) return `invalid number ${h.errorStr()}`
  if (h.timestamp <= parent.timestamp) return `invalid timestamp ${h.errorStr()}`
  try { h.validateGasLimit(parent) } catch (e) { return (e as Error).message }
  if (h.common.isActivatedEIP(1559) && h.baseFeePerGas !== parent.calcNextBaseFee()) return `Invalid block: base fee not correct ${h.errorStr()}`
  if (h.common.isActivatedEIP(4844) && h.excessBlobGas !== parent.calcNextExcessBlobGas(h.common)) return `expected blob gas: ${parent.calcNextExcessBlobGas(h.common)}, got: ${h.excessBlobGas}`
  if (h.common.isActivatedEIP(7685) && h.requestsHash === undefined) return 'requestsHash must be provided when EIP-7685 is active'
  return null
}

export interface CallRequest {
  from?: string
  to?: Address
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  value?: bigint
  data?: Uint8Array
}

export interface CallResult { ok: boolean, gasUsed: bigint, returnValue: Uint8Array, error?: string }

export class CallFailed extends Error {
  constructor (readonly result: CallResult) {
    super(result.error === 'revert' ? 'execution reverted' : `execution failed: ${result.error ?? 'unknown'}`)
  }
}
