/**
 * Anchors not yet seen in a block, kept in the node's LevelDB datastore (each put atomic) so that a node stopped or
 * killed before the block that includes them takes them up again when it restarts: a sent transaction (`tx`) is
 * followed again, an unsent one (`tx: null`, the node refused the submission) is sent again. An entry goes once the
 * inclusion is in the session's CRDT state (which then carries the transaction), or as the node gives the anchor up
 * (`abandon`: the session stays marked, so that an anchor its state records as included but that was lost after all
 * is not followed again at every start; the mark says why, and an anchor given up because its transactions were lost
 * is looked up again by the anchoring, `resume` taking it up when one of them got in after all). An unreadable entry
 * is moved under UNREADABLE_PREFIX (kept for the operator to look at, reported once, never acted on).
 */
import { Key, type Datastore } from 'interface-datastore'
import { isSessionId } from '../../../crdt/schema.js'

const PREFIX = '/lucid/anchor-pending/'
export const UNREADABLE_PREFIX = '/lucid/anchor-pending-unreadable/'
const ABANDONED_PREFIX = '/lucid/anchor-abandoned/'
const TX = /^0x[0-9a-f]{64}$/

export interface PendingAnchor { sessionId: string, tx: string | null }

/**
 * Why an anchor was given up: 'lost' (its transactions never reached the chain: one may still get in from another
 * node's mempool, so the anchoring keeps looking), 'settled' (registered by another account, reverted, or the manifest
 * is gone: nothing more to look for). Marks written before the reason was kept read as 'settled'.
 */
export type GivenUp = 'lost' | 'settled'

export class PendingAnchors {
  constructor (private readonly datastore: Datastore) {}

  async put (sessionId: string, tx: string | null): Promise<void> {
    await this.datastore.put(new Key(PREFIX + sessionId), Buffer.from(JSON.stringify({ sessionId, tx })))
  }

  async delete (sessionId: string): Promise<void> { await this.datastore.delete(new Key(PREFIX + sessionId)) }

  /** The node gave the session's anchor up: no longer pending, and marked with why (one atomic write). */
  async abandon (sessionId: string, why: GivenUp): Promise<void> {
    const batch = this.datastore.batch()
    batch.put(new Key(ABANDONED_PREFIX + sessionId), Buffer.from(why))
    batch.delete(new Key(PREFIX + sessionId))
    await batch.commit()
  }

  /**
   * An anchor given up is taken up again (one of its transactions got in after all): unmarked, and pending with `tx`
   * unless the state already records it (`tx` null), in one atomic write.
   */
  async resume (sessionId: string, tx: string | null): Promise<void> {
    const batch = this.datastore.batch()
    batch.delete(new Key(ABANDONED_PREFIX + sessionId))
    if (tx !== null) batch.put(new Key(PREFIX + sessionId), Buffer.from(JSON.stringify({ sessionId, tx })))
    await batch.commit()
  }

  /** The sessions whose anchor the node gave up, with why. */
  async abandoned (): Promise<Map<string, GivenUp>> {
    const out = new Map<string, GivenUp>()
    for await (const { key, value } of this.datastore.query({ prefix: ABANDONED_PREFIX })) {
      out.set(key.toString().slice(ABANDONED_PREFIX.length), Buffer.from(value).toString() === 'lost' ? 'lost' : 'settled')
    }
    return out
  }

  /** Moves an unreadable entry (a key `all` returned in `bad`) under UNREADABLE_PREFIX; returns its new key. */
  async setAside (key: string): Promise<string> {
    const aside = new Key(UNREADABLE_PREFIX + key.slice(PREFIX.length))
    const batch = this.datastore.batch() // one atomic write: the entry is never in both places, nor in neither
    batch.put(aside, await this.datastore.get(new Key(key)))
    batch.delete(new Key(key))
    await batch.commit()
    return aside.toString()
  }

  /** Every entry; an unreadable one is returned in `bad` (its key) rather than thrown. */
  async all (): Promise<{ pending: PendingAnchor[], bad: string[] }> {
    const pending: PendingAnchor[] = []
    const bad: string[] = []
    for await (const { key, value } of this.datastore.query({ prefix: PREFIX })) {
      try {
        const e = JSON.parse(Buffer.from(value).toString('utf8')) as PendingAnchor
        if (!isSessionId(e.sessionId) || (e.tx !== null && (typeof e.tx !== 'string' || !TX.test(e.tx))) || key.toString() !== PREFIX + e.sessionId) throw new Error('malformed')
        pending.push({ sessionId: e.sessionId, tx: e.tx })
      } catch { bad.push(key.toString()) }
    }
    return { pending, bad }
  }
}
