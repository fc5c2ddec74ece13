// Holding claims: a node's signed claim to keep a session puts it in the chain's catalog; from then on challenges
// name it, an answer earns creditStorage and a missed one costs storageMissPenalty. Bad claims are refused with
// their reason; the catalog stays sorted with unique holders whatever claims arrive (property).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock } from './helpers.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { makeHoldingClaim, makeStorageProof } from '../../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/keys.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { inclusionProof, leafHash, merkleRoot } from '../../../protocols/poot/merkle.js'
import type { ChainState } from '../../../protocols/poot/state.js'
import type { TaskProof } from '../../../protocols/poot/proofs.js'

const f = fixture({ catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { params } = f.config
const base = extend(f, genesis(f), 3)
const holder = f.keys[2]
const blobs = Array.from({ length: 4 }, (_, i) => new Uint8Array(100).fill(i + 1))
const leaves = blobs.map(leafHash)
const session = { sessionId: '6f1c0a4e-0000-4000-8000-000000000001', root: merkleRoot(leaves), chunkCount: blobs.length }

function reason (p: TaskProof, parent: ChainState, blockKeys = new Set<string>()): string {
  const slot = parent.slot + 1
  const r = validateProof(p, { config: f.config, parent, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys, openChallenges: parent.openChallenges })
  return r.ok ? 'ok' : r.reason
}

const withProofs = (parent: ChainState, proofs: TaskProof[]): ChainState => apply(f, parent, nextBlock(f, parent, { body: { proofs } }))
const creditOf = (s: ChainState, node: string): number => s.credits.get(f.config.registry.entityOfNode.get(node) as string) ?? 0

describe('poot holding claims and the chain catalog', () => {
  const claim = makeHoldingClaim(holder, base.slot, session)
  const registered = withProofs(base, [claim])

  it('a valid claim adds the session and its holder to the catalog', () => {
    assert.equal(reason(claim, base), 'ok')
    assert.equal(base.catalog.length, 0)
    assert.deepEqual(registered.catalog.map((s) => [s.sessionId, s.holders]), [[session.sessionId, [holder.id]]])
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
    // once in the catalog: the same holder again, or another root for the session
    assert.equal(reason(makeHoldingClaim(holder, registered.slot, session), registered), 'duplicate')
    const later = extend(f, registered, params.maxProofAgeSlots + 1)
    assert.equal(reason(makeHoldingClaim(holder, later.slot, session), later), 'already-holder')
    assert.equal(reason(makeHoldingClaim(f.keys[3], later.slot, { ...session, root: new Uint8Array(32) }), later), 'catalog-mismatch')
    assert.equal(reason(makeHoldingClaim(f.keys[3], later.slot, session), later), 'ok')
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
})
