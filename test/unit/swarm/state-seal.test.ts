// Which session-state entries a node takes into its index (and so replicates): only a sealed, single-claimed session
// whose recorder has an Ed25519 key and whose manifest is a dag-cbor CID; inconsistent or forged entries are refused.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { checkStateSeal, type StateSeal } from '../../../protocols/swarm/state-seal.js'
import { SWARM_MAX_CHUNKS } from '../../../protocols/swarm/constants.js'

const manifest = CID.createV1(0x71, Digest.create(0x12, randomBytes(32))).toString()
const key = randomBytes(32)

function entry (over: Partial<StateSeal> = {}): StateSeal {
  return {
    sessionId: '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3',
    recorder: '12D3KooWRecorder',
    recorderKey: key,
    sealed: { manifest, merkleRoot: 'cd'.repeat(32), chunkCount: 4, sealedAt: 1 },
    duplicateClaims: [],
    ...over
  }
}

describe('swarm: sessions taken from the session state', () => {
  it('adopts a sealed, single-claimed entry not known here, with the recorder key', () => {
    const v = checkStateSeal(entry(), undefined)
    assert.equal(v.action, 'adopt')
    assert.deepEqual(v.action === 'adopt' ? v.recorderKey : null, key)
  })

  it('skips an unsealed entry and one already known with the same manifest', () => {
    assert.equal(checkStateSeal(entry({ sealed: null }), undefined).action, 'skip')
    assert.equal(checkStateSeal(entry({ recorder: null }), undefined).action, 'skip')
    assert.equal(checkStateSeal(entry(), manifest).action, 'skip')
  })

  const refusals: Array<[string, StateSeal, string | undefined, string]> = [
    ['another manifest for a known session ID', entry(), CID.createV1(0x71, Digest.create(0x12, randomBytes(32))).toString(), 'session-id-reuse'],
    ['a session ID claimed by several authors', entry({ duplicateClaims: ['12D3KooWOther'] }), undefined, 'duplicate-claims'],
    ['a manifest that is a raw block', entry({ sealed: { ...entry().sealed!, manifest: CID.createV1(raw.code, Digest.create(0x12, randomBytes(32))).toString() } }), undefined, 'bad-manifest-cid'],
    ['a manifest CIDv0', entry({ sealed: { ...entry().sealed!, manifest: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG' } }), undefined, 'bad-manifest-cid'],
    ['a manifest that is not a CID', entry({ sealed: { ...entry().sealed!, manifest: 'bnotacid' } }), undefined, 'bad-manifest-cid'],
    ['a recorder without an Ed25519 key', entry({ recorderKey: null }), undefined, 'no-recorder-key'],
    ['a recorder key of the wrong length', entry({ recorderKey: randomBytes(33) }), undefined, 'no-recorder-key'],
    ['more chunks than a swarm session holds', entry({ sealed: { ...entry().sealed!, chunkCount: SWARM_MAX_CHUNKS + 1 } }), undefined, 'too-many-chunks']
  ]
  for (const [what, s, known, reason] of refusals) {
    it(`refuses ${what} (no replication)`, () => {
      const v = checkStateSeal(s, known)
      assert.equal(v.action, 'refuse')
      assert.equal(v.action === 'refuse' ? v.reason : '', reason)
    })
  }
})
