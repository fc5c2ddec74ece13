/**
 * The PoOT state after a block. States are immutable (but for retiring deep below finality, retire.ts) and form a
 * tree through `parent`; a `skip` pointer per state (Bitcoin's CBlockIndex::pskip) finds any ancestor in
 * O(log height). Everything here is derived from the chain alone, so every node holding the same blocks holds equal
 * states.
 */
import type { EntityId } from './entities.js'
import type { BlockHeader } from './block.js'
import { sha256 } from './hash.js'
import { toHex, utf8 } from './bytes.js'
import type { CatalogSession, PootConfig } from './config.js'
import { openEpochBeats, type EpochBeats, type UptimeWindows } from './uptime-window.js'

export interface Challenge {
  /** Slot of the block whose randomness issued it. */
  readonly slot: number
  readonly index: number
  readonly holder: string
  readonly sessionId: string
  readonly chunkIndex: number
  /** The slot randomness' draw that picks the chunk's pieces an answer carries (chunk-samples.ts). */
  readonly sample: number
}

/** A block as the target of votes cast in slot `epoch` (the block is the chain's latest at or before that slot). */
export interface Checkpoint {
  readonly hash: string
  readonly height: number
  readonly epoch: number
}

/** Votes of one source → target link on this chain. */
export interface Link {
  readonly source: Checkpoint
  readonly target: Checkpoint
  readonly voters: ReadonlySet<EntityId>
}

export interface ChainState {
  readonly hash: string
  readonly slot: number
  readonly height: number
  readonly parent: ChainState | null
  readonly skip: ChainState | null
  /** The header this state follows from (null for genesis). */
  readonly header: BlockHeader | null
  /** RANDAO mix after this block's reveal. */
  readonly mix: Uint8Array
  /** Keys of the proofs this block counted (replay and double-count checks walk back through these). */
  readonly proofKeys: ReadonlySet<string>
  /** Window credit per entity (entities with no credit are absent). */
  readonly credits: ReadonlyMap<EntityId, number>
  /** What this block added to `credits`, subtracted again when the block leaves the window. */
  readonly delta: ReadonlyMap<EntityId, number>
  /** Height of the oldest block whose delta is still inside the window. */
  readonly windowStart: number
  readonly epoch: number
  /** Missed slots per entity in `epoch`. */
  readonly missed: ReadonlyMap<EntityId, number>
  /** The heartbeats of `epoch`: due per node, and counted per entity so far (uptime-window.ts). */
  readonly epochBeats: EpochBeats
  /** Each entity's heartbeats, counted and due, of the epochs that ended in the last three months (uptime-window.ts). */
  readonly uptime: UptimeWindows
  /** Entities proven to equivocate, excluded from the schedule until the given slot. */
  readonly jailedUntil: ReadonlyMap<EntityId, number>
  readonly openChallenges: readonly Challenge[]
  /** Sessions that can be challenged and their holders, sorted by sessionId: the genesis catalog plus holding claims, less holding releases (a session with no holder left is dropped). */
  readonly catalog: readonly CatalogSession[]
  /** Vote tallies of recent links (target epoch within maxProofAgeSlots), keyed by linkKey. */
  readonly links: ReadonlyMap<string, Link>
  /** Justified checkpoints from the finalized one on, by increasing epoch; the last is the latest. */
  readonly justified: readonly Checkpoint[]
  readonly finalized: Checkpoint
  /** finalized.height, for convenience. */
  readonly finalizedHeight: number
  /** LUCID minted up to and including this block, in wei (18 decimals). */
  readonly totalMinted: bigint
  /** LUCID (wei) minted to each entity up to and including this block (entities that earned nothing are absent). */
  readonly earned: ReadonlyMap<EntityId, bigint>
  /** This block's reward in wei and the entity it is minted to (the proposer, or the Server for an empty slot). */
  readonly reward: bigint
  readonly rewardTo: EntityId | null
  /** The lowest height whose LucidAnchors registrations the next block may list (listed-sessions.ts). */
  readonly sessionsFrom: number
}

function invertLowestOne (n: number): number { return n & (n - 1) }

/** Height that the skip pointer of a state at `height` targets. */
export function skipHeight (height: number): number {
  if (height < 2) return 0
  return (height & 1) === 1 ? invertLowestOne(invertLowestOne(height - 1)) + 1 : invertLowestOne(height)
}

/**
 * The ancestor of `state` at `height` (itself at its own height); null above it or below 0. Below the pruned floor
 * (retire.ts): null, or the state itself where a kept state's skip pointer still leads to it.
 */
export function ancestorAtHeight (state: ChainState, height: number): ChainState | null {
  if (height > state.height || height < 0) return null
  let walk: ChainState = state
  let h = state.height
  while (h > height) {
    const hs = skipHeight(h)
    const hsPrev = skipHeight(h - 1)
    if (walk.skip !== null && (hs === height || (hs > height && !(hsPrev < hs - 2 && hsPrev >= height)))) {
      walk = walk.skip
      h = hs
    } else {
      if (walk.parent === null) return null // below the pruned floor (retire.ts)
      walk = walk.parent
      h--
    }
  }
  return walk
}

/** Is `ancestor` on the chain ending at `state` (itself included)? */
export function isAncestor (ancestor: ChainState, state: ChainState): boolean {
  return ancestorAtHeight(state, ancestor.height)?.hash === ancestor.hash
}

export function genesisState (config: PootConfig): ChainState {
  const mix = sha256(utf8('lucid/poot/v1/genesis'), config.genesisSeed)
  const hash = toHex(sha256(utf8('lucid/poot/v1/genesis-block'), mix))
  const checkpoint: Checkpoint = { hash, height: 0, epoch: 0 }
  return {
    hash,
    slot: 0,
    height: 0,
    parent: null,
    skip: null,
    header: null,
    mix,
    proofKeys: new Set(),
    credits: new Map(),
    delta: new Map(),
    windowStart: 1,
    epoch: 0,
    missed: new Map(),
    epochBeats: openEpochBeats(0, config),
    uptime: new Map(),
    jailedUntil: new Map(),
    openChallenges: [],
    catalog: config.catalog,
    links: new Map(),
    justified: [checkpoint],
    finalized: checkpoint,
    finalizedHeight: 0,
    totalMinted: 0n,
    earned: new Map(),
    reward: 0n,
    rewardTo: null,
    sessionsFrom: 0
  }
}
