/**
 * What the LucidAnchors registrations of sessions anchored, as the rules see them. The rules cannot read EVM state:
 * whoever checks a block hands them the registrations, read from the state of the block's PARENT, of every session
 * the block's holding claims name and every session its body lists (registrationsNeeded). A session missing from the
 * lookup is not registered. Every node reading the same parent state gets the same lookup, so the outcome is the
 * same everywhere.
 */
import { equalBytes } from './bytes.js'
import type { CatalogSession } from './config.js'
import type { TaskProof } from './proofs.js'
import type { SessionAnchor } from './block.js'

/** What a session's content is: its anchored Merkle root (32 bytes) and chunk count. */
export interface AnchoredContent {
  readonly root: Uint8Array
  readonly chunkCount: number
}

/** A registration: the content it anchored, the height of the block that registered it and the bytes it records. */
export interface AnchoredSession extends AnchoredContent {
  readonly registeredAt: number
  /**
   * The session's compressed bytes as its registration records them (B of the reward rule). The Lucid chain's
   * LucidAnchors records no size, so its registrations count 0 bytes there; a simulation may record some.
   */
  readonly bytes: number
}

/** sessionId → its registration in the parent block's state. */
export type AnchorLookup = ReadonlyMap<string, AnchoredSession>

export const NO_ANCHORS: AnchorLookup = new Map()

/** Whether two descriptions of a session (a registration, a catalog entry, a claim, a held replica) name the same content. */
export function sameAnchor (a: AnchoredContent, b: AnchoredContent): boolean {
  return a.chunkCount === b.chunkCount && equalBytes(a.root, b.root)
}

/** The distinct sessions named by the holding claims among `proofs`, sorted: the registrations a block needs read. */
export function claimedSessions (proofs: Iterable<TaskProof>): string[] {
  const ids = new Set<string>()
  for (const p of proofs) if (p.kind === 'holding' && typeof p.sessionId === 'string') ids.add(p.sessionId)
  return [...ids].sort()
}

/** The distinct sessions a block's checks read registrations of, sorted: those its holding claims name and those it lists. */
export function registrationsNeeded (body: { readonly proofs: Iterable<TaskProof>, readonly sessions: readonly SessionAnchor[] }): string[] {
  const ids = new Set(claimedSessions(body.proofs))
  for (const s of body.sessions) if (typeof s.sessionId === 'string') ids.add(s.sessionId)
  return [...ids].sort()
}

/**
 * The registrations a block's own body implies: each claimed session as its claim names it, each listed session as
 * registered by the parent with the bytes listed. Only for replaying blocks checked against the real registrations
 * before (a node's own store, as PootConfig.trustSignatures): they apply without reading EVM state.
 */
export function anchorsAssumedBy (parentHeight: number, body: { readonly proofs: Iterable<TaskProof>, readonly sessions: readonly SessionAnchor[] }): AnchorLookup {
  const out = new Map<string, AnchoredSession>()
  for (const s of body.sessions) out.set(s.sessionId, { root: new Uint8Array(32), chunkCount: 0, registeredAt: parentHeight, bytes: s.bytes })
  for (const p of body.proofs) {
    if (p.kind !== 'holding') continue
    out.set(p.sessionId, { root: p.root, chunkCount: p.chunkCount, registeredAt: parentHeight, bytes: out.get(p.sessionId)?.bytes ?? 0 })
  }
  return out
}

/** A catalog's sessions as anchored (a simulation without an EVM treats its genesis catalog as registered at genesis). */
export function anchorsOfCatalog (catalog: readonly CatalogSession[]): AnchorLookup {
  return new Map(catalog.map((s) => [s.sessionId, { root: s.root, chunkCount: s.chunkCount, registeredAt: 0, bytes: 0 }]))
}
