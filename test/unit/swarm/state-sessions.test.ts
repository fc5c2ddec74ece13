// The node's adoption of state-only sessions into its index: a good entry becomes a record the replicator plans
// (announcement empty, recorder key from the author's peer ID); a refused one never enters the index (so it is never
// fetched) and is reported once.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { peerIdOf } from '../../../crdt/envelope.js'
import type { Datastore } from 'interface-datastore'
import { SessionIndex } from '../../../node/src/store/session-index.js'
import { StateSessions } from '../../../node/src/swarm/state-sessions.js'
import type { StateService } from '../../../node/src/state/service.js'

const key = ed25519.getPublicKey(ed25519.utils.randomSecretKey())
const recorder = peerIdOf(key)
const cid = (): string => CID.createV1(0x71, Digest.create(0x12, randomBytes(32))).toString()
const GOOD = '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3'
const CLAIMED_TWICE = '1b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3'
const REUSED = '2b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3'

function session (sessionId: string, duplicateClaims: string[] = []): unknown {
  return { sessionId, recorder, duplicateClaims, sealed: { manifest: cid(), merkleRoot: 'cd'.repeat(32), chunkCount: 3, plaintextSize: 9, sealedAt: 7 } }
}

describe('swarm: adopting sessions from the session state', () => {
  it('adopts a good entry, and refuses duplicate claims and a reused ID once, without indexing them', async () => {
    const index = new SessionIndex({ put: async () => {} } as unknown as Datastore) // the index only writes here
    const known = cid()
    await index.put({ sessionId: REUSED, manifest: known, merkleRoot: 'ab'.repeat(32), chunkCount: 1, storedBytes: 1, recorder: '', origin: 'x', addrs: [], issuedAt: 1, receivedAt: 1, held: false, announcement: 'AA==' })
    const entries = new Map([[GOOD, session(GOOD)], [CLAIMED_TWICE, session(CLAIMED_TWICE, ['12D3KooWOther'])], [REUSED, session(REUSED)]])
    const state = { sessionIds: () => [...entries.keys()], session: (id: string) => entries.get(id) ?? null } as unknown as StateService
    const refused: string[] = []
    const adopter = new StateSessions({ state, index, now: () => 42, log: { info: () => {}, warn: () => {} }, onRefused: (id, _r, reason) => refused.push(`${id}:${reason}`) })

    assert.equal(await adopter.adopt(), 1)
    assert.equal(await adopter.adopt(), 0, 'a second pass changes nothing')
    const rec = index.get(GOOD)
    assert.equal(rec?.announcement, '')
    assert.equal(rec?.recorder, Buffer.from(key).toString('hex'))
    assert.equal(rec?.origin, recorder)
    assert.equal(rec?.held, false)
    assert.equal(rec?.storedBytes, 0)
    assert.equal(index.get(CLAIMED_TWICE), undefined, 'a doubly claimed session must not be indexed (never fetched)')
    assert.equal(index.get(REUSED)?.manifest, known, 'the known record is left as it was')
    assert.deepEqual(refused.sort(), [`${CLAIMED_TWICE}:duplicate-claims`, `${REUSED}:session-id-reuse`])
  })
})
