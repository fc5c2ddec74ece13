/**
 * The state's persistence adapter over the node's LevelDB datastore (crdt/persistence.ts defines the format):
 *   /lucid/state/log/<n, 15 digits>   one record per applied envelope, appended
 *   /lucid/state/snapshot             the last snapshot (one put: LevelDB makes it atomic)
 */
import { Key, type Datastore } from 'interface-datastore'
import type { StateStorage } from '../../../crdt/persistence.js'

const LOG = '/lucid/state/log/'
const SNAPSHOT = new Key('/lucid/state/snapshot')
const keyOf = (n: number): Key => new Key(LOG + String(n).padStart(15, '0'))

export class DatastoreStateStorage implements StateStorage {
  constructor (private readonly ds: Datastore) {}

  async append (n: number, record: Uint8Array): Promise<void> { await this.ds.put(keyOf(n), record) }

  async readAll (): Promise<{ snapshot: Uint8Array | null, records: Array<{ n: number, bytes: Uint8Array }> }> {
    let snapshot: Uint8Array | null = null
    try { snapshot = await this.ds.get(SNAPSHOT) } catch { snapshot = null }
    const records: Array<{ n: number, bytes: Uint8Array }> = []
    for await (const { key, value } of this.ds.query({ prefix: LOG })) {
      const n = Number(key.toString().slice(LOG.length))
      if (Number.isSafeInteger(n)) records.push({ n, bytes: value })
    }
    return { snapshot, records }
  }

  async writeSnapshot (snapshot: Uint8Array): Promise<void> { await this.ds.put(SNAPSHOT, snapshot) }

  async dropRecords (upTo: number): Promise<void> {
    const doomed: Key[] = []
    for await (const key of this.ds.queryKeys({ prefix: LOG })) {
      const n = Number(key.toString().slice(LOG.length))
      if (n <= upTo) doomed.push(key)
    }
    const batch = this.ds.batch()
    for (const k of doomed) batch.delete(k)
    await batch.commit()
  }

  /** Test hook: raw access to one record, to corrupt it. */
  static recordKey (n: number): Key { return keyOf(n) }
  static snapshotKey (): Key { return SNAPSHOT }
}
