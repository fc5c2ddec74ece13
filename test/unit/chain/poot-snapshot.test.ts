// The PoOT snapshot record (node/src/chain poot-snapshot.ts): read back with the state graph whole (shared objects
// stay shared, links stay links), also a chain far deeper than V8's serializer could recurse along, and anything else (garbage, another version, a malformed record) is not used, with
// the reason, never an exception.
import { strict as assert } from 'node:assert'
import { deserialize, serialize } from 'node:v8'
import { applyBlock, makeVote, type ChainState } from '../../../protocols/poot/index.js'
import { decodePootSnapshot, encodePootSnapshot, POOT_SNAPSHOT_VERSION, storableConfig, type PootSnapshot } from '../../../node/src/chain/poot-snapshot.js'
import { fixture, genesis, nextBlock } from '../poot/helpers.js'

describe('chain: the PoOT snapshot record', () => {
  const f = fixture({ nodes: 4 })
  let head: ChainState = genesis(f)
  for (let slot = 1; slot <= 6; slot++) {
    const votes = f.keys.map((k) => makeVote(k, head, slot - 1))
    const r = applyBlock(head, nextBlock(f, head, { slot, body: { proofs: slot > 1 ? votes : [] } }), f.config)
    if (!r.ok) throw new Error(r.reason)
    head = r.value
  }
  const snapshot: PootSnapshot = {
    blockHash: '0x' + 'ab'.repeat(32), height: head.height, state: head, evmHashes: new Map([[head.hash, '0x' + 'ab'.repeat(32)]]),
    config: storableConfig(f.config), payoutSchedule: null, payoutBacklog: 0, registry: null, retired: { below: 1, prunedBelow: 1 }
  }

  it('reads back the state graph whole', () => {
    const got = decodePootSnapshot(encodePootSnapshot(snapshot))
    assert.ok(got.ok)
    const s = got.snapshot.state
    assert.equal(s.hash, head.hash)
    assert.deepEqual([...s.credits], [...head.credits])
    assert.equal(s.parent?.hash, head.parent?.hash)
    assert.ok(s.skip !== null)
    let walk = s
    while (walk.height > s.skip.height) walk = walk.parent as ChainState
    assert.equal(s.skip, walk, 'the skip pointer is the very ancestor object, as in memory')
    assert.equal(head.catalog, (head.parent as ChainState).catalog) // shared in memory (no holding claims)
    assert.equal(s.catalog, (s.parent as ChainState).catalog, 'a shared object stays shared')
    // the config less its function, the registry's maps included
    assert.deepEqual(got.snapshot.config, storableConfig(f.config))
    assert.equal((got.snapshot.config as { verifyInclusion?: unknown }).verifyInclusion, undefined)
    assert.deepEqual(got.snapshot.evmHashes, snapshot.evmHashes)
  })

  it('holds a chain of 20,000 states (flat: V8 serialization recurses along references)', () => {
    let deep = head
    for (let i = 0; i < 20_000; i++) deep = { ...deep, hash: `h${i}`, height: deep.height + 1, parent: deep, skip: i % 2 === 0 ? deep.parent : deep }
    const got = decodePootSnapshot(encodePootSnapshot({ ...snapshot, height: deep.height, state: deep }))
    assert.ok(got.ok, got.ok ? '' : got.reason)
    let n = 0
    for (let s: ChainState | null = got.snapshot.state; s !== null; s = s.parent) n++
    assert.equal(n, deep.height + 1)
    assert.equal(got.snapshot.state.skip?.hash, deep.skip?.hash)
  })

  it('is not used, with the reason, when unreadable, of another version or malformed', () => {
    const why = (bytes: Uint8Array): string => { const r = decodePootSnapshot(bytes); return r.ok ? 'ok' : r.reason }
    assert.match(why(new Uint8Array([1, 2, 3])), /^unreadable/)
    assert.equal(why(serialize({ ...snapshot, version: POOT_SNAPSHOT_VERSION + 1 })), `version ${POOT_SNAPSHOT_VERSION + 1}, this node reads ${POOT_SNAPSHOT_VERSION}`)
    assert.equal(why(serialize(7)), 'not a record')
    const flat = (encoded: Uint8Array): Record<string, unknown> => deserialize(encoded) as Record<string, unknown>
    const good = flat(encodePootSnapshot(snapshot))
    assert.equal(why(serialize({ ...good, height: head.height + 1 })), 'malformed')
    assert.equal(why(serialize({ ...good, evmHashes: [] })), 'malformed')
    assert.equal(why(serialize({ ...good, state: [] })), 'malformed')
    assert.equal(why(serialize({ ...good, state: (good.state as Array<Record<string, unknown>>).map((x, i) => i === 0 ? { ...x, parent: 99 } : x) })), 'malformed', 'a link out of the list')
  })
})
