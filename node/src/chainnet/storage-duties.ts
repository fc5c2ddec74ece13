/**
 * Storage duties of a node on the chain: it claims (a signed holding claim, protocols/poot) each session it holds
 * verified and pinned, once the session's LucidAnchors registration is in the head's state with the root and chunk
 * count it holds (PoOT refuses any other claim), so the chain's catalog lists it as a holder; and it answers each challenge the chain issues
 * to it from the encrypted chunk read from its own store (never fetched from the network): the pieces the challenge
 * samples with their BLAKE3 tree paths (protocols/poot chunk-samples.ts), and the chunk's Merkle path.
 * A node that lost the chunk cannot answer, and the block after the deadline charges its entity.
 * A session the catalog lists this node as a holder of but that the node no longer holds (handed over to its desired
 * holders, or never held) is released (a signed holding release), so the chain stops challenging the node for it.
 */
import { chunkSampler, inclusionProof, makeHoldingClaim, makeHoldingRelease, makeStorageAnswer, sameAnchor, type AnchorLookup, type ChainState, type NodeKey, type PootParams, type TaskProof } from '../../../protocols/poot/index.js'
import type { ChainLog } from './service.js'

export interface HeldSession { sessionId: string, root: Uint8Array, chunkCount: number }

/** What the node's store offers the chain (local reads only). */
export interface HoldingSource {
  held: () => HeldSession[]
  /** encrypted chunk `index` of the session, or null when this node does not have it */
  blob: (sessionId: string, index: number) => Promise<Uint8Array | null>
  /** leaf hashes of every chunk (from the local blobs), or null when one is missing */
  leaves: (sessionId: string) => Promise<Uint8Array[] | null>
}

/** 1 KiB pieces hashed between two yields to the event loop while an answer is made (~1–3 ms of work) */
const SAMPLE_SLICE_PIECES = 256

/** The longest wait, in slots, between two lookups of a held session that is not registered (or registered otherwise). */
export const MAX_LOOKUP_WAIT_SLOTS = 16

export class StorageDuties {
  /** sessionId → slot of our last claim (claimed again if not included within maxProofAgeSlots) */
  private readonly claimed = new Map<string, number>()
  /** sessionId → slot of our last release (released again if not included within maxProofAgeSlots) */
  private readonly released = new Map<string, number>()
  /**
   * sessionId → the slot from which to look up its registration again and the wait after that: a held session that
   * is not registered (or is, with another root) is looked up after 1, 2, 4 … MAX_LOOKUP_WAIT_SLOTS slots, not at
   * every slot (two storage reads each)
   */
  private readonly unregistered = new Map<string, { next: number, wait: number }>()
  /** challenges handled (`slot/index`), answered or found unanswerable */
  private readonly handled = new Set<string>()
  private running = false

  constructor (private readonly key: NodeKey, private readonly source: HoldingSource, private readonly log: ChainLog) {}

  /**
   * The claims, releases and answers due on `head` at `slot`; `anchorsOf` reads sessions' registrations in the head's state.
   * Runs one at a time (reads are async).
   */
  async due (head: ChainState, slot: number, params: PootParams, anchorsOf: (sessionIds: string[]) => Promise<AnchorLookup>): Promise<TaskProof[]> {
    if (this.running) return []
    this.running = true
    try {
      const held = this.source.held()
      const heldIds = new Set(held.map((s) => s.sessionId))
      return [...await this.claims(held, heldIds, head, slot, params, anchorsOf), ...this.releases(heldIds, head, slot, params), ...await this.answers(head)]
    } finally { this.running = false }
  }

  private async claims (held: HeldSession[], heldIds: ReadonlySet<string>, head: ChainState, slot: number, params: PootParams, anchorsOf: (sessionIds: string[]) => Promise<AnchorLookup>): Promise<TaskProof[]> {
    const catalog = new Map(head.catalog.map((c) => [c.sessionId, c]))
    for (const id of this.unregistered.keys()) if (!heldIds.has(id)) this.unregistered.delete(id)
    const due: HeldSession[] = []
    for (const s of held) {
      const known = catalog.get(s.sessionId)
      if (known?.holders.includes(this.key.id) === true) continue
      if (known !== undefined && !sameAnchor(known, s)) continue // the catalog has the anchored root: ours differs
      const last = this.claimed.get(s.sessionId)
      if (last !== undefined && slot - last <= params.maxProofAgeSlots) continue
      if ((this.unregistered.get(s.sessionId)?.next ?? -Infinity) > slot) continue
      due.push(s)
    }
    if (due.length === 0) return []
    // only sessions registered at the head with the root and count we hold: any other claim would be refused
    const anchors = await anchorsOf(due.map((s) => s.sessionId))
    const out: TaskProof[] = []
    for (const s of due) {
      const a = anchors.get(s.sessionId)
      if (a === undefined || !sameAnchor(a, s)) {
        const wait = this.unregistered.get(s.sessionId)?.wait ?? 1
        this.unregistered.set(s.sessionId, { next: slot + wait, wait: Math.min(wait * 2, MAX_LOOKUP_WAIT_SLOTS) })
        continue
      }
      this.unregistered.delete(s.sessionId)
      this.claimed.set(s.sessionId, slot)
      out.push(makeHoldingClaim(this.key, slot, s))
    }
    return out
  }

  private releases (heldIds: ReadonlySet<string>, head: ChainState, slot: number, params: PootParams): TaskProof[] {
    const listed = head.catalog.filter((c) => c.holders.includes(this.key.id) && !heldIds.has(c.sessionId)).map((c) => c.sessionId)
    const pending = new Set(listed)
    for (const id of this.released.keys()) if (!pending.has(id)) this.released.delete(id)
    const out: TaskProof[] = []
    for (const sessionId of listed) {
      const last = this.released.get(sessionId)
      if (last !== undefined && slot - last <= params.maxProofAgeSlots) continue
      this.released.set(sessionId, slot)
      out.push(makeHoldingRelease(this.key, slot, sessionId))
      this.log.info({ sessionId, slot }, 'releasing the holding claim of a session this node no longer holds')
    }
    return out
  }

  private async answers (head: ChainState): Promise<TaskProof[]> {
    const out: TaskProof[] = []
    for (const c of head.openChallenges) {
      const id = `${c.slot}/${c.index}`
      if (c.holder !== this.key.id || this.handled.has(id)) continue
      this.handled.add(id)
      const [blob, leaves] = await Promise.all([this.source.blob(c.sessionId, c.chunkIndex), this.source.leaves(c.sessionId)])
      if (blob === null || leaves === null || leaves.length <= c.chunkIndex) {
        this.log.warn({ sessionId: c.sessionId, chunk: c.chunkIndex, slot: c.slot }, 'storage challenge cannot be answered: the chunk is not in this node\'s store')
        continue
      }
      // the pieces the challenge samples, proven in BLAKE3's tree: one pass over the chunk, a slice at a time
      const sampler = chunkSampler(c, blob)
      while (!sampler.step(SAMPLE_SLICE_PIECES)) await new Promise<void>((resolve) => setImmediate(resolve))
      out.push(makeStorageAnswer(this.key, c, blob.length, sampler.samples(), inclusionProof(leaves, c.chunkIndex)))
      this.log.info({ sessionId: c.sessionId, chunk: c.chunkIndex, slot: c.slot }, 'storage challenge answered')
    }
    if (this.handled.size > 10_000) this.handled.clear()
    return out
  }
}
