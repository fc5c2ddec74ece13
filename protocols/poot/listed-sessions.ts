/**
 * The sessions a block lists (S and B of the reward rule: a block with sessions pays its proposer, more sessions pay
 * more) are bound to their LucidAnchors registrations, so a proposer cannot earn with sessions nobody anchored or
 * with sessions an earlier block already listed.
 *
 * A block is drafted before its transactions run, so it lists registrations made by the blocks before it: those from
 * `parent.sessionsFrom` (the height of the nearest block on the branch proposed by a ranked entity, whose own
 * registrations no block has listed yet; the Server's blocks list nothing and pass theirs on) up to its parent. Each
 * listed session must be registered in the parent's state at a height in that range, with the bytes its
 * registration records. A session is registered once (the contract refuses a second registration), and the ranges
 * of a branch's successive ranked blocks do not overlap, so a registration is listed, and rewarded, at most once on
 * a branch. Listing fewer than all is allowed (a proposer may cap its list).
 */
import { SERVER_ENTITY } from './entities.js'
import type { AnchorLookup } from './anchors.js'
import type { BlockHeader, SessionAnchor } from './block.js'
import type { ChainState } from './state.js'
import { VALID, invalid, type Validity } from './validity.js'

/** Why `session` may not be listed by a child of `parent` (null when it may). */
function listingFault (parent: ChainState, session: SessionAnchor, anchors: AnchorLookup): string | null {
  const r = anchors.get(session.sessionId)
  if (r === undefined) return 'not-registered'
  if (r.registeredAt < parent.sessionsFrom || r.registeredAt > parent.height) return `registered-at-${r.registeredAt}-not-in-${parent.sessionsFrom}..${parent.height}`
  if (session.bytes !== r.bytes) return `bytes-${session.bytes}-not-registered-${r.bytes}`
  return null
}

/** Whether every session a child of `parent` lists is a registration it may list (`anchors`: read in the parent's state). */
export function checkListedSessions (parent: ChainState, sessions: readonly SessionAnchor[], anchors: AnchorLookup): Validity {
  for (let i = 0; i < sessions.length; i++) {
    const fault = listingFault(parent, sessions[i], anchors)
    if (fault !== null) return invalid(`session-${i}:${fault}`)
  }
  return VALID
}

/** The sessions of `sessions` a child of `parent` may list, in order (what a builder keeps of a proposer's list). */
export function listableSessions (parent: ChainState, sessions: readonly SessionAnchor[], anchors: AnchorLookup): SessionAnchor[] {
  return sessions.filter((s) => listingFault(parent, s, anchors) === null)
}

/** `sessionsFrom` after a block: its own height when a ranked entity proposed it, else (the Server's) unchanged. */
export function nextSessionsFrom (parent: ChainState, header: BlockHeader): number {
  return header.proposer === SERVER_ENTITY ? parent.sessionsFrom : parent.height + 1
}
