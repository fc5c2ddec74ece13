/**
 * A snapshot of the PoOT states at the finalized block, so that a restart replays only the blocks after it instead
 * of every block since genesis. It holds the states the chain keeps (from the pruned floor up to the finalized one,
 * linked as in memory: V8's serializer keeps the shared maps and the retired states' shared empties shared; the
 * links go as indexes), the EVM hash of each, and what the chain derives per block that a child of the finalized
 * block reads: its PoOT config (all but its function, which is the genesis config's), payout schedule, payout backlog
 * and ParamRegistry values; and how far retiring has gone. Below the finalized block nothing can change any more, so
 * the snapshot is the state a replay of the same blocks would reach (test/integration/chain/snapshot.test.ts
 * compares the two). Kept in the chain's meta store under one key (ChainStore.putSnapshot).
 */
import { deserialize, serialize } from 'node:v8'
import type { ChainState, PayoutSchedule, PootConfig, RegistryValues, Retired } from '../../../protocols/poot/index.js'

/** Bumped whenever the states' or this record's shape changes: a snapshot of another version is ignored. */
export const POOT_SNAPSHOT_VERSION = 1

export interface PootSnapshot {
  /** the finalized block's EVM hash and height */
  readonly blockHash: string
  readonly height: number
  /** the finalized block's PoOT state, with its ancestors down to the pruned floor */
  readonly state: ChainState
  /** EVM hash by PoOT hash of every state kept */
  readonly evmHashes: ReadonlyMap<string, string>
  /** the finalized block's config when it is not the genesis config, less its function (always the genesis config's) */
  readonly config: Omit<PootConfig, 'verifyInclusion'> | null
  readonly payoutSchedule: PayoutSchedule | null
  readonly payoutBacklog: number
  readonly registry: RegistryValues | null
  readonly retired: Pick<Retired, 'below' | 'prunedBelow'>
}

/** A config as a snapshot keeps it: everything but its function, which V8 cannot serialize. */
export function storableConfig ({ verifyInclusion, ...rest }: PootConfig): Omit<PootConfig, 'verifyInclusion'> {
  return rest
}

/** A state with its links as indexes into the snapshot's list (-1: none). */
type FlatState = Omit<ChainState, 'parent' | 'skip'> & { parent: number, skip: number }

/**
 * The states reachable from `head` through parent and skip links, as a flat list with the links as indexes: V8's
 * serializer recurses along references, and a chain of a few thousand parent links overflows its stack.
 */
function flatten (head: ChainState): FlatState[] {
  const index = new Map<ChainState, number>()
  const order: ChainState[] = []
  const visit = (s: ChainState | null): void => {
    for (const todo = [s]; todo.length > 0;) {
      const x = todo.pop()
      if (x === null || x === undefined || index.has(x)) continue
      index.set(x, order.length)
      order.push(x)
      todo.push(x.parent, x.skip)
    }
  }
  visit(head)
  const at = (x: ChainState | null): number => x === null ? -1 : index.get(x) as number
  return order.map((x) => ({ ...x, parent: at(x.parent), skip: at(x.skip) }))
}

/** The inverse of flatten: the list's first state, linked to the others again. */
function relink (flat: readonly FlatState[]): ChainState {
  type Linked = { -readonly [K in keyof ChainState]: ChainState[K] }
  const states = flat.map((f) => ({ ...f, parent: null, skip: null }) as Linked)
  flat.forEach((f, i) => {
    states[i].parent = f.parent < 0 ? null : states[f.parent]
    states[i].skip = f.skip < 0 ? null : states[f.skip]
  })
  return states[0]
}

export function encodePootSnapshot (s: PootSnapshot): Uint8Array {
  return serialize({ version: POOT_SNAPSHOT_VERSION, ...s, state: flatten(s.state) })
}

/** The snapshot, or why it cannot be used (another version, unreadable bytes); never throws. */
export function decodePootSnapshot (bytes: Uint8Array): { ok: true, snapshot: PootSnapshot } | { ok: false, reason: string } {
  let raw: unknown
  try { raw = deserialize(bytes) } catch (e) { return { ok: false, reason: `unreadable: ${(e as Error).message}` } }
  const r = raw as Omit<Partial<PootSnapshot>, 'state'> & { version?: unknown, state?: unknown }
  if (typeof r !== 'object' || r === null) return { ok: false, reason: 'not a record' }
  if (r.version !== POOT_SNAPSHOT_VERSION) return { ok: false, reason: `version ${String(r.version)}, this node reads ${POOT_SNAPSHOT_VERSION}` }
  const flat = r.state as FlatState[]
  const linksOk = Array.isArray(flat) && flat.length > 0 && flat.every((f) => typeof f === 'object' && f !== null && [f.parent, f.skip].every((l) => Number.isInteger(l) && l >= -1 && l < flat.length))
  if (typeof r.blockHash !== 'string' || !Number.isSafeInteger(r.height) || !linksOk || flat[0].height !== r.height || !(r.evmHashes instanceof Map)) {
    return { ok: false, reason: 'malformed' }
  }
  return { ok: true, snapshot: { ...(r as PootSnapshot), state: relink(flat) } }
}
