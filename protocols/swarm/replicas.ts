/**
 * Replica selection by rendezvous (highest-random-weight) hashing: every member gets a weight
 * sha256("lucid/replica/v1" ‖ 0 ‖ sessionId ‖ 0 ‖ peerId) per session, and the R heaviest hold it. Any node that knows
 * the same members computes the same holders, with no coordinator; when a member leaves, only the sessions it held
 * move, each to exactly one new member.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, toHex, utf8 } from '../session/bytes.js'

const DOMAIN = utf8('lucid/replica/v1')

export function replicaWeight (sessionId: string, peerId: string): string {
  return toHex(sha256(concatBytes(DOMAIN, Uint8Array.of(0), utf8(sessionId), Uint8Array.of(0), utf8(peerId))))
}

/** The R members (or all of them, when fewer) that should hold the session, heaviest first. */
export function selectHolders (sessionId: string, members: Iterable<string>, replication: number): string[] {
  const unique = [...new Set(members)]
  const weighted = unique.map((peer) => ({ peer, w: replicaWeight(sessionId, peer) }))
  weighted.sort((a, b) => (a.w < b.w ? 1 : a.w > b.w ? -1 : a.peer < b.peer ? -1 : 1))
  return weighted.slice(0, Math.max(0, replication)).map((x) => x.peer)
}
