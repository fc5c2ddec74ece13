import { strict as assert } from 'node:assert'
import { MemoryStorage, StatePersistence, decodeSnapshot, encodeSnapshot, recordChunks, recordSessionStart, type StorageIncident } from '../../../crdt/index.js'
import { SESSION, cid, node, sid } from './helpers.js'

/** Node 0 writes 1 + 3 envelopes through a persistence over memory storage, compacting every 2 records. */
async function written (): Promise<{ storage: MemoryStorage, hash: string }> {
  const s = node(0)
  const storage = new MemoryStorage()
  const p = new StatePersistence(s, storage, { compactEvery: 2 })
  s.onApplied = (e) => { void p.append(e.bytes) }
  recordSessionStart(s, sid(1), SESSION)
  recordChunks(s, sid(1), Array.from({ length: 1200 }, (_, i) => cid(i)))
  await p.flush()
  return { storage, hash: s.stateHash() }
}

describe('crdt: persistence format', () => {
  it('restores exactly from snapshot plus records', async () => {
    const { storage, hash } = await written()
    assert.ok(storage.snapshot !== null)
    assert.ok(storage.records.size < 4, 'compaction dropped covered records')
    const s = node(0)
    const r = await new StatePersistence(s, storage).restore()
    assert.equal(r.skipped, 0)
    assert.equal(s.stateHash(), hash)
  })

  it('skips a snapshot entry whose checksum fails, and a truncated snapshot, reporting each, never throwing', async () => {
    const { storage } = await written()
    const snap = storage.snapshot as Uint8Array
    const flipped = snap.slice(); flipped[flipped.length - 10] ^= 1
    const reported: StorageIncident[] = []
    const d = decodeSnapshot(flipped, (i) => reported.push(i))
    assert.equal(reported.length, 1)
    assert.match(reported[0].detail, /checksum/)
    assert.equal(d.envelopes.length, decodeSnapshot(snap, () => {}).envelopes.length - 1)
    const cut: StorageIncident[] = []
    const t = decodeSnapshot(snap.subarray(0, Math.floor(snap.length / 2)), (i) => cut.push(i))
    assert.equal(cut.length, 1)
    assert.match(cut[0].detail, /unreadable after/)
    assert.ok(t.envelopes.length >= 1)
    const garbage: StorageIncident[] = []
    assert.equal(decodeSnapshot(Uint8Array.of(1, 2, 3), (i) => garbage.push(i)).envelopes.length, 0)
    assert.equal(garbage.length, 1)
    // Restoring from the damaged snapshot with no later records: the lost (last) envelope is missing, nothing throws.
    storage.snapshot = flipped
    storage.records.clear()
    const s = node(0)
    const r = await new StatePersistence(s, storage).restore()
    assert.equal(r.skipped, 1)
    assert.equal(s.ownSeq, decodeSnapshot(snap, () => {}).envelopes.length - 1)
  })

  it('a snapshot round-trips its envelopes and the record number it covers', () => {
    const e = [Uint8Array.of(1), Uint8Array.of(2, 3), new Uint8Array(70_000)]
    const d = decodeSnapshot(encodeSnapshot(42, e), () => assert.fail('no incident expected'))
    assert.equal(d.upTo, 42)
    assert.deepEqual(d.envelopes.map((x) => x.length), [1, 2, 70_000])
  })
})
