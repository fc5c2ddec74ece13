/**
 * Storage challenges. The block of slot c, once its reveal is mixed in, issues challengesPerSlot challenges:
 * r_i = SHA-256("lucid/poot/v1/challenge" ‖ mix(c) ‖ i) picks the session (first 6 bytes mod sessions), its holder
 * (next 6 mod holders), the chunk (next 6 mod chunks) and the draw that picks the chunk's pieces the answer carries
 * (next 6, chunk-samples.ts). The holder must get a valid answer included by slot
 * c + challengeResponseSlots; otherwise the first block after that deadline charges storageMissPenalty.
 */
import type { CatalogSession } from './config.js'
import type { Challenge } from './state.js'
import { sha256 } from './hash.js'
import { concatBytes, u32, uint48, utf8 } from './bytes.js'

const DOMAIN = utf8('lucid/poot/v1/challenge')

export function issueChallenges (mix: Uint8Array, slot: number, catalog: readonly CatalogSession[], count: number): Challenge[] {
  const out: Challenge[] = []
  if (catalog.length === 0) return out
  for (let index = 0; index < count; index++) {
    const r = sha256(concatBytes(DOMAIN, mix, u32(index)))
    const session = catalog[uint48(r, 0) % catalog.length]
    if (session.holders.length === 0 || session.chunkCount < 1) continue
    out.push({
      slot,
      index,
      holder: session.holders[uint48(r, 6) % session.holders.length],
      sessionId: session.sessionId,
      chunkIndex: uint48(r, 12) % session.chunkCount,
      sample: uint48(r, 18)
    })
  }
  return out
}

/** The slot after which an unanswered challenge costs its holder. */
export function challengeDeadline (c: Challenge, responseSlots: number): number {
  return c.slot + responseSlots
}

/**
 * Whether `node` must still be able to answer for `sessionId` on the chain whose head is `state`: the catalog lists it
 * as a holder (new challenges may name it) or a challenge to it for the session is open.
 */
export function owesSession (state: { readonly catalog: readonly CatalogSession[], readonly openChallenges: readonly Challenge[] }, node: string, sessionId: string): boolean {
  return state.catalog.some((s) => s.sessionId === sessionId && s.holders.includes(node)) ||
    state.openChallenges.some((c) => c.holder === node && c.sessionId === sessionId)
}
