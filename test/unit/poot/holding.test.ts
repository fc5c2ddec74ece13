// Holding claims: a node's signed claim to keep a session puts it in the chain's catalog; from then on challenges
// name it, an answer earns creditStorage and a missed one costs storageMissPenalty. A claim counts only with the
// root and chunk count the session's LucidAnchors registration anchored (given to the rules as a lookup read from
// the parent's state), so nobody can squat a session with another root. Bad claims are refused with their reason;
// the catalog stays sorted with unique holders and only anchored roots whatever claims arrive (properties).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeHoldingClaim, makeStorageProof } from '../../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/keys.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { inclusionProof, leafHash, merkleRoot } from '../../../protocols/poot/merkle.js'
import { claimedSessions, NO_ANCHORS, type AnchorLookup } from '../../../protocols/poot/anchors.js'
import type { ChainState } from '../../../protocols/poot/state.js'
import type { TaskProof } from '../../../protocols/poot/proofs.js'

const f = fixture({ catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { params } = f.config
const base = extend(f, genesis(f), 3)
const holder = f.keys[2]
const blobs = Array.from({ length: 4 }, (_, i) => new Uint8Array(100).fill(i + 1))
const leaves = blobs.map(leafHash)
const session = { sessionId: '6f1c0a4e-0000-4000-8000-000000000001', root: merkleRoot(leaves), chunkCount: blobs.length }
const wrongRoot = new Uint8Array(32).fill(0xee)
/** The registrations in the parent's state: `session` anchored with its real root, and s-0 … s-4 for the property. */
const ANCHORS: AnchorLookup = new Map([
  [session.sessionId, { root: session.root, chunkCount: session.chunkCount, registeredAt: 0, bytes: 0 }],
  ...Array.from({ length: 5 }, (_, i) => [`s-${i}`, { root: session.root, chunkCount: session.chunkCount, registeredAt: 0, bytes: 0 }] as const)
])

function reason (p: TaskProof, parent: ChainState, blockKeys = new Set<string>(), anchors = ANCHORS): string {
  const slot = parent.slot + 1
  const r = validateProof(p, { config: f.config, parent, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys, openChallenges: parent.openChallenges, anchors })
  return r.ok ? 'ok' : r.reason
}

const withProofs = (parent: ChainState, proofs: TaskProof[], anchors = ANCHORS): ChainState => apply(f, parent, nextBlock(f, parent, { body: { proofs } }), anchors)
const creditOf = (s: ChainState, node: string): number => s.credits.get(f.config.registry.entityOfNode.get(node) as string) ?? 0
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('poot holding claims and the chain catalog', () => {
  const claim = makeHoldingClaim(holder, base.slot, session)
  const registered = withProofs(base, [claim])

  it('a valid claim adds the session, with its anchored root, and its holder to the catalog', () => {
    assert.equal(reason(claim, base), 'ok')
    assert.equal(base.catalog.length, 0)
    assert.deepEqual(registered.catalog.map((s) => [s.sessionId, s.holders, hex(s.root), s.chunkCount]), [[session.sessionId, [holder.id], hex(session.root), session.chunkCount]])
  })

  it('refuses bad claims with their reason', () => {
    const flipped = new Uint8Array(claim.sig); flipped[3] ^= 1
    assert.equal(reason({ ...claim, sig: flipped }, base), 'bad-signature')
    assert.equal(reason(makeHoldingClaim(nodeKeyFromSeed(new Uint8Array(32).fill(1)), base.slot, session), base), 'unknown-node')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, root: new Uint8Array(31) }), base), 'bad-root')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, chunkCount: 0 }), base), 'bad-chunk-count')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, sessionId: '' }), base), 'bad-session-id')
    assert.equal(reason(makeHoldingClaim(holder, base.slot + 5, session), base), 'future-slot')
    assert.equal(reason(claim, base, new Set([`c/${holder.id}/${session.sessionId}`])), 'duplicate')
    // once in the catalog: the same holder again
    assert.equal(reason(makeHoldingClaim(holder, registered.slot, session), registered), 'duplicate')
    const later = extend(f, registered, params.maxProofAgeSlots + 1)
    assert.equal(reason(makeHoldingClaim(holder, later.slot, session), later), 'already-holder')
    assert.equal(reason(makeHoldingClaim(f.keys[3], later.slot, session), later), 'ok')
  })

  it('refuses a claim whose session is not registered, or registered with another root or chunk count', () => {
    assert.equal(reason(claim, base, new Set(), NO_ANCHORS), 'not-anchored')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, sessionId: '6f1c0a4e-0000-4000-8000-00000000ffff' }), base), 'not-anchored')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, root: wrongRoot }), base), 'anchor-mismatch')
    assert.equal(reason(makeHoldingClaim(holder, base.slot, { ...session, chunkCount: session.chunkCount + 1 }), base), 'anchor-mismatch')
    // a block including such a claim is invalid on every node reading the same registrations
    const squat = makeHoldingClaim(f.keys[3], base.slot, { ...session, root: wrongRoot })
    const r = applyBlock(base, nextBlock(f, base, { body: { proofs: [squat] } }), f.config, ANCHORS)
    assert.deepEqual(r, { ok: false, reason: 'proof-0:holding:anchor-mismatch' })
    assert.equal(applyBlock(base, nextBlock(f, base, { body: { proofs: [claim] } }), f.config).ok, false, 'no lookup: nothing is anchored')
  })

  it('a squatter claiming first with another root is refused; the honest holders still get the session', () => {
    const squatter = f.keys[3]
    const squat = makeHoldingClaim(squatter, base.slot, { ...session, root: wrongRoot })
    // before the binding, this claim fixed the session's root and refused the honest ones as catalog-mismatch
    assert.equal(reason(squat, base), 'anchor-mismatch')
    const honest = [makeHoldingClaim(holder, base.slot, session), makeHoldingClaim(f.keys[4], base.slot, session)]
    const after = withProofs(base, honest)
    const entry = after.catalog.find((s) => s.sessionId === session.sessionId)
    assert.ok(entry !== undefined)
    assert.deepEqual([hex(entry.root), [...entry.holders]], [hex(session.root), [holder.id, f.keys[4].id].sort()])
    // the squatter can still hold it, with the anchored root
    assert.equal(reason(makeHoldingClaim(squatter, after.slot, session), after), 'ok')
  })

  it('a genesis catalog entry that disagrees with the registration takes no more claims (catalog-mismatch)', () => {
    const g = fixture({ catalog: { sessions: 1, chunks: 2, chunkBytes: 8, replicas: 1 } })
    const entry = g.config.catalog[0]
    const other: AnchorLookup = new Map([[entry.sessionId, { root: wrongRoot, chunkCount: entry.chunkCount, registeredAt: 0, bytes: 0 }]])
    const parent = extend(g, genesis(g), 2)
    const claimer = g.keys.find((k) => !entry.holders.includes(k.id) && g.config.registry.entityOfNode.get(k.id) !== 'server')!
    const slot = parent.slot + 1
    const v = validateProof(makeHoldingClaim(claimer, parent.slot, { ...entry, root: wrongRoot }), { config: g.config, parent, slot, timeMs: slotStartMs(g.config.genesisMs, g.config.params, slot), blockKeys: new Set(), openChallenges: [], anchors: other })
    assert.deepEqual(v, { ok: false, reason: 'catalog-mismatch' })
  })

  it('challenges name the holder: an answer earns creditStorage, a missed one costs storageMissPenalty', () => {
    // the next block issues challenges from the catalog that now holds the session
    const challenged = extend(f, registered, 1)
    const mine = challenged.openChallenges.filter((c) => c.holder === holder.id)
    assert.ok(mine.length > 0, 'no challenge for the only holder of the only session')
    const c = mine[0]
    const answer = makeStorageProof(holder, c, blobs[c.chunkIndex], inclusionProof(leaves, c.chunkIndex))
    const answered = withProofs(challenged, [answer])
    assert.equal(creditOf(answered, holder.id) - creditOf(challenged, holder.id), params.creditStorage)
    // a holder that lost the chunk cannot answer: after the deadline the block charges the penalty
    let s = challenged
    while (s.slot <= c.slot + params.challengeResponseSlots) s = extend(f, s, 1)
    const charged = s.parent as ChainState
    assert.ok(creditOf(s, holder.id) < creditOf(charged, holder.id), 'credits did not drop after the missed deadline')
    assert.equal(s.openChallenges.some((o) => o.slot === c.slot && o.index === c.index), false)
  })

  it('the catalog stays sorted by session with unique sorted holders (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 4 })), { minLength: 1, maxLength: 12 }), (claims) => {
      let s = base
      for (const [node, sess] of claims) {
        const p = makeHoldingClaim(f.keys[node], s.slot, { ...session, sessionId: `s-${sess}` })
        if (reason(p, s) === 'ok') s = withProofs(s, [p])
      }
      for (let i = 1; i < s.catalog.length; i++) assert.ok(s.catalog[i - 1].sessionId < s.catalog[i].sessionId)
      for (const e of s.catalog) {
        assert.deepEqual([...e.holders], [...new Set(e.holders)].sort())
      }
    }), { numRuns: 40 })
  })

  it('whatever claims arrive, in whatever order, the catalog holds only registered sessions with their anchored roots (property)', () => {
    // sessions 0–2 registered (root and count of `session`), 3–4 not; claims name a random root among the anchored one and two others
    const registeredIds = ['s-0', 's-1', 's-2']
    const anchors: AnchorLookup = new Map(registeredIds.map((id) => [id, { root: session.root, chunkCount: session.chunkCount, registeredAt: 0, bytes: 0 }]))
    const roots = [session.root, wrongRoot, new Uint8Array(32).fill(1)]
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 4 }), fc.nat({ max: 2 }), fc.boolean()), { minLength: 1, maxLength: 12 }), (claims) => {
      let s = base
      for (const [node, sess, root, wrongCount] of claims) {
        const p = makeHoldingClaim(f.keys[node], s.slot, { sessionId: `s-${sess}`, root: roots[root], chunkCount: session.chunkCount + (wrongCount ? 1 : 0) })
        const why = reason(p, s, new Set(), anchors)
        // (a node's claim already counted for that session is a duplicate first, whatever its root)
        if (why !== 'duplicate' && sess >= 3) assert.equal(why, 'not-anchored')
        else if (why !== 'duplicate' && (root !== 0 || wrongCount)) assert.equal(why, 'anchor-mismatch')
        if (why !== 'ok') continue
        // the lookup of exactly the claimed sessions and a larger one give the same state
        const exact: AnchorLookup = new Map(claimedSessions([p]).map((id) => [id, anchors.get(id)!]))
        const next = withProofs(s, [p], exact)
        assert.equal(withProofs(s, [p], anchors).hash, next.hash)
        s = next
      }
      for (const e of s.catalog) {
        assert.ok(registeredIds.includes(e.sessionId), `unregistered ${e.sessionId} in the catalog`)
        assert.equal(hex(e.root), hex(session.root))
        assert.equal(e.chunkCount, session.chunkCount)
      }
    }), { numRuns: 40 })
  })
})
