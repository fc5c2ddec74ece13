// A node's storage duties release the holding claim of a session the chain lists it for but it no longer holds:
// one release per session, again only if it was not included within maxProofAgeSlots, none for a session it holds;
// the release is valid on the head it was made for, and the block that includes it takes the node out of the catalog.
// A held session not registered yet is looked up with a doubling wait rather than at every slot.
import { strict as assert } from 'node:assert'
import { fixture, genesis, extend, apply, nextBlock } from '../poot/helpers.js'
import { MAX_LOOKUP_WAIT_SLOTS, StorageDuties, type HeldSession } from '../../../node/src/chainnet/storage-duties.js'
import { leafHash, makeHoldingClaim, merkleRoot, slotStartMs, validateProof, type AnchorLookup, type ChainState, type TaskProof } from '../../../protocols/poot/index.js'

const f = fixture({ catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { params } = f.config
const me = f.keys[2]
const root = merkleRoot([1, 2].map((i) => leafHash(new Uint8Array(10).fill(i))))
const sessions: HeldSession[] = ['s-a', 's-b'].map((sessionId) => ({ sessionId, root, chunkCount: 2 }))
const anchors: AnchorLookup = new Map(sessions.map((s) => [s.sessionId, { root, chunkCount: 2, registeredAt: 0, bytes: 0 }]))
const quiet = { info: () => {}, warn: () => {}, debug: () => {}, error: () => {} }

function dutiesHolding (held: () => HeldSession[]): StorageDuties {
  return new StorageDuties(me, { held, blob: async () => null, leaves: async () => null }, quiet as never)
}

describe('chain: storage duties release what the node no longer holds', () => {
  const base = extend(f, genesis(f), 2)
  const claimed = apply(f, base, nextBlock(f, base, { body: { proofs: sessions.map((s) => makeHoldingClaim(me, base.slot, s)) } }), anchors)
  const due = async (d: StorageDuties, head: ChainState, slot: number): Promise<TaskProof[]> => await d.due(head, slot, params, async () => anchors)

  it('releases only the listed session it dropped, once per maxProofAgeSlots, and the release counts', async () => {
    let held = [...sessions]
    const d = dutiesHolding(() => held)
    assert.deepEqual(await due(d, claimed, claimed.slot), [])
    held = [sessions[0]]
    const out = await due(d, claimed, claimed.slot)
    assert.deepEqual(out.map((p) => [p.kind, p.node, 'sessionId' in p ? p.sessionId : '']), [['release', me.id, 's-b']])
    assert.deepEqual(await due(d, claimed, claimed.slot + 1), [], 'released again before it could be included')
    assert.equal((await due(d, claimed, claimed.slot + params.maxProofAgeSlots + 1)).length, 1, 'not released again after maxProofAgeSlots')

    const slot = claimed.slot + 1
    const v = validateProof(out[0], { config: f.config, parent: claimed, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys: new Set(), openChallenges: claimed.openChallenges, anchors })
    assert.deepEqual(v, { ok: true })
    const after = apply(f, claimed, nextBlock(f, claimed, { body: { proofs: out } }), anchors)
    assert.deepEqual(after.catalog.map((s) => [s.sessionId, [...s.holders]]), [['s-a', [me.id]]])
    assert.deepEqual(await due(d, after, after.slot + params.maxProofAgeSlots + 5), [], 'nothing left to release')
  })

  it('a session held again is not released', async () => {
    let held: HeldSession[] = []
    const d = dutiesHolding(() => held)
    assert.equal((await due(d, claimed, claimed.slot)).length, 2)
    held = [...sessions]
    assert.deepEqual(await due(d, claimed, claimed.slot + params.maxProofAgeSlots + 1), [])
  })
})

describe('chain: storage duties look up unregistered sessions less and less often', () => {
  const head = extend(f, genesis(f), 2)
  const session: HeldSession = { sessionId: 's-late', root, chunkCount: 2 }

  it('an unregistered held session is looked up after 1, 2, 4 … slots (at most MAX_LOOKUP_WAIT_SLOTS), and claimed once registered', async () => {
    const d = dutiesHolding(() => [session])
    const lookedUp: number[] = []
    let registered = false
    const lookup = async (slot: number): Promise<TaskProof[]> => await d.due(head, slot, params, async (ids) => {
      lookedUp.push(slot)
      return new Map(registered ? ids.map((id) => [id, { root, chunkCount: 2, registeredAt: 0, bytes: 0 }]) : [])
    })
    for (let slot = 10; slot < 80; slot++) assert.deepEqual(await lookup(slot), [])
    const waits = lookedUp.slice(1).map((s, i) => s - lookedUp[i])
    assert.deepEqual(waits.slice(0, 5), [1, 2, 4, 8, 16])
    assert.ok(waits.every((w) => w <= MAX_LOOKUP_WAIT_SLOTS), waits.join(','))
    registered = true
    const last = lookedUp[lookedUp.length - 1]
    let claim: TaskProof[] = []
    for (let slot = 80; claim.length === 0 && slot <= last + MAX_LOOKUP_WAIT_SLOTS; slot++) claim = await lookup(slot)
    assert.deepEqual(claim.map((p) => [p.kind, p.node]), [['holding', me.id]])
  })
})
