/**
 * What the LucidAnchors registrations of sessions anchored, as the rules see them. The rules cannot read EVM state:
 * whoever checks a block hands them the registrations, read from the state of the block's PARENT, of every session
 * the block's holding claims name (claimedSessions). A session missing from the lookup is not registered. Every node
 * reading the same parent state gets the same lookup, so the outcome is the same everywhere.
 */
import { equalBytes } from './bytes.js'
import type { CatalogSession } from './config.js'
import type { TaskProof } from './proofs.js'

/** A registration's anchored Merkle root (32 bytes) and chunk count. */
export interface AnchoredSession {
  readonly root: Uint8Array
  readonly chunkCount: number
}

/** sessionId → its registration in the parent block's state. */
export type AnchorLookup = ReadonlyMap<string, AnchoredSession>

export const NO_ANCHORS: AnchorLookup = new Map()

/** Whether two descriptions of a session (a registration, a catalog entry, a claim, a held replica) name the same content. */
export function sameAnchor (a: AnchoredSession, b: AnchoredSession): boolean {
  return a.chunkCount === b.chunkCount && equalBytes(a.root, b.root)
}

/** The distinct sessions named by the holding claims among `proofs`, sorted: the registrations a block needs read. */
export function claimedSessions (proofs: Iterable<TaskProof>): string[] {
  const ids = new Set<string>()
  for (const p of proofs) if (p.kind === 'holding' && typeof p.sessionId === 'string') ids.add(p.sessionId)
  return [...ids].sort()
}

/** A catalog's sessions as anchored (a simulation without an EVM treats its genesis catalog as registered). */
export function anchorsOfCatalog (catalog: readonly CatalogSession[]): AnchorLookup {
  return new Map(catalog.map((s) => [s.sessionId, { root: s.root, chunkCount: s.chunkCount }]))
}
