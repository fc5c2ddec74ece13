/**
 * Restart, compaction and corrupt-record recovery on a real LevelDB datastore, and a node that was offline while
 * the others kept writing catching up on reconnect.
 */
import { strict as assert } from 'node:assert'
import { DatastoreStateStorage } from '../../../node/src/state/storage.js'
import { connect, seal, SESSION, sid, cid, startPeer, stopPeer, tempDir, waitFor, type Peer } from './support.js'

describe('state: persistence and offline catch-up', function () {
  this.timeout(120_000)
  let dir = ''
  let cleanup = async (): Promise<void> => {}
  const running: Peer[] = []
  const start = async (i: number, opts: { compactEvery?: number } = {}): Promise<Peer> => {
    const p = await startPeer(i, dir, { syncIntervalMs: 0, ...opts })
    running.push(p)
    return p
  }
  const stop = async (p: Peer): Promise<void> => {
    running.splice(running.indexOf(p), 1)
    await stopPeer(p)
  }

  beforeEach(async () => { const t = await tempDir(); dir = t.dir; cleanup = t.cleanup })
  afterEach(async () => { await Promise.allSettled(running.splice(0).map(stopPeer)); await cleanup() })

  it('restores the state exactly after a restart, before and after compaction', async () => {
    let a = await start(0, { compactEvery: 5 })
    await a.svc.sessionStarted(sid(1), SESSION(1))
    await a.svc.sessionSealed(sid(1), Array.from({ length: 1200 }, (_, i) => cid(i)), seal(1200))
    for (let i = 2; i < 6; i++) await a.svc.sessionStarted(sid(i), SESSION(i))
    await a.svc.holding(sid(1), false)
    await a.svc.persistence.flush()
    const before = Buffer.from(a.svc.state.encodeState())
    const snapshot = await a.datastore.get(DatastoreStateStorage.snapshotKey())
    assert.ok(snapshot.length > 0, 'a snapshot was written by compaction')
    await stop(a)

    a = await start(0, { compactEvery: 5 })
    assert.ok(Buffer.from(a.svc.state.encodeState()).equals(before), 'restart restores byte-identical state')
    assert.equal(a.svc.session(sid(1))?.chunks.length, 1200)
    await a.svc.persistence.compact()
    // Writing after a restart continues the author's sequence (no reuse of a number).
    await a.svc.sessionStarted(sid(9), SESSION(9))
    const after = Buffer.from(a.svc.state.encodeState())
    await stop(a)
    a = await start(0)
    assert.ok(Buffer.from(a.svc.state.encodeState()).equals(after))
    assert.equal(a.svc.state.ownSeq, 11)
  })

  it('skips a corrupt record with a logged incident and recovers it from a peer', async () => {
    let a = await start(0, { compactEvery: 1000 })
    for (let i = 1; i <= 4; i++) await a.svc.sessionStarted(sid(i), SESSION(i))
    await a.svc.persistence.flush()
    const full = a.svc.state.stateHash()
    // A peer that has everything.
    const b = await start(1)
    await connect(a, b)
    await waitFor('b caught up', () => b.svc.state.stateHash() === a.svc.state.stateHash())
    await stop(b)
    await stop(a)

    // Flip one byte in record 2 (a's envelope #2).
    const key = DatastoreStateStorage.recordKey(2)
    const { LevelDatastore } = await import('datastore-level')
    const raw = new LevelDatastore(`${dir}/node-0/datastore`)
    await raw.open()
    const rec = await raw.get(key)
    const bad = Uint8Array.from(rec); bad[bad.length - 5] ^= 0xff
    await raw.put(key, bad)
    await raw.put(DatastoreStateStorage.recordKey(99), Uint8Array.of(7, 7, 7))
    await raw.close()

    a = await start(0)
    assert.ok(a.logs.some((l) => l.includes('state record skipped') && l.includes('record 2')), 'the corrupt record is logged')
    assert.ok(a.logs.some((l) => l.includes('record 99')), 'the unreadable record is logged')
    assert.equal(a.svc.session(sid(2)), null, 'the session of the lost record is missing for now')
    assert.equal(a.svc.session(sid(3)), null, 'later records of that author wait for the missing one')
    assert.ok(a.svc.state.ownLogIncomplete, 'the node knows its own log has a gap')
    // Writing now would reuse sequence number 2: the incident (and any other write) waits for catch-up.
    assert.equal(a.svc.incidents().length, 0)
    const b2 = await start(1)
    await connect(a, b2)
    await waitFor('a recovers the lost record from b and writes the incident', () => a.svc.incidents().some((i) => i.kind === 'corrupt-record'))
    assert.equal(a.svc.session(sid(4))?.status, 'recording')
    await waitFor('a and b converge', () => a.svc.state.stateHash() === b2.svc.state.stateHash())
    assert.ok(a.svc.state.stateHash() !== full, 'plus the incident')
    assert.equal(a.svc.state.ownSeq, 5, 'the incident took the next number, none was reused')
  })

  it('a node that was offline while others wrote catches up on reconnect', async () => {
    const a = await start(0)
    let b = await start(1)
    await connect(a, b)
    await a.svc.sessionStarted(sid(1), SESSION(1))
    await waitFor('b has the first session', () => b.svc.session(sid(1)) !== null)
    await stop(b)
    // While b is away, a writes 400 updates.
    for (let i = 2; i <= 101; i++) {
      await a.svc.sessionStarted(sid(i), SESSION(i))
      await a.svc.sessionSealed(sid(i), [cid(i)], seal(1, i))
    }
    for (let i = 2; i <= 101; i++) await a.svc.holding(sid(i), false)
    assert.equal(a.svc.state.ownSeq, 401)
    b = await start(1)
    assert.equal(b.svc.state.log(a.svc.selfId)?.seq, 1, 'b restored what it had')
    await connect(b, a)
    await waitFor('b catches up', () => b.svc.state.stateHash() === a.svc.state.stateHash(), 60_000)
    assert.equal(b.svc.sessions().length, 101)
  })
})
