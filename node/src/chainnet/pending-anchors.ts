/**
 * Anchors not yet seen in a block, kept in the node's LevelDB datastore (each put atomic) so that a node stopped or
 * killed before the block that includes them takes them up again when it restarts: a sent transaction (`tx`) is
 * followed again, an unsent one (`tx: null`, the node refused the submission) is sent again. An entry goes once the
 * inclusion is in the session's CRDT state (which then carries the transaction).
 */
import { Key, type Datastore } from 'interface-datastore'
import { isSessionId } from '../../../crdt/schema.js'

const PREFIX = '/lucid/anchor-pending/'
const TX = /^0x[0-9a-f]{64}$/

export interface PendingAnchor { sessionId: string, tx: string | null }

export class PendingAnchors {
  constructor (private readonly datastore: Datastore) {}

  async put (sessionId: string, tx: string | null): Promise<void> {
    await this.datastore.put(new Key(PREFIX + sessionId), Buffer.from(JSON.stringify({ sessionId, tx })))
  }

  async delete (sessionId: string): Promise<void> { await this.datastore.delete(new Key(PREFIX + sessionId)) }

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
