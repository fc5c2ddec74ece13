import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, nextBlock } from './helpers.js'
import { validateHeader, validateArrival, validateEquivocation } from '../../../protocols/poot/header-rules.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { makeBlock } from '../../../protocols/poot/make-block.js'
import { headerHash, type Block, type SignedHeader } from '../../../protocols/poot/block.js'
import { scheduleFor } from '../../../protocols/poot/schedule.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { fromHex } from '../../../protocols/poot/bytes.js'
import { makeVote } from '../../../protocols/poot/make-proofs.js'
import { SERVER_ENTITY } from '../../../protocols/poot/entities.js'
import type { ChainState } from '../../../protocols/poot/state.js'

const f = fixture({ nodes: 24, pools: [{ size: 3, threshold: 2 }], catalog: { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
const { params } = f.config
const chain = extend(f, genesis(f), 6)
const slot = chain.slot + 1
const start = slotStartMs(0, params, slot)

function why (parent: ChainState, signed: SignedHeader): string {
  const r = validateHeader(parent, signed, f.config)
  return r.ok ? 'ok' : r.reason
}

/** Re-sign a modified header with the scheduled entity's keys (so only the modification is wrong). */
function resign (block: Block, change: Partial<Block['signed']['header']>, signerIndexes?: number[]): SignedHeader {
  const header = { ...block.signed.header, ...change }
  const entity = f.config.registry.byId.get(header.proposer)!
  const members = signerIndexes ?? entity.members.slice(0, entity.threshold).map((_, i) => i)
  const message = fromHex(headerHash(header))
  return { header, signatures: members.map((m) => ({ member: m, sig: f.keys.find((k) => k.id === entity.members[m])!.sign(message) })) }
}

/** A parent state whose schedule has the pool at rank 0. */
function poolChain (): ChainState {
  let s = chain
  for (let i = 0; i < 200; i++) {
    if (scheduleFor(s, s.slot + 1, f.config)[0].startsWith('pool:')) return s
    s = extend(f, s, 1)
  }
  throw new Error('pool never scheduled')
}

describe('poot block headers', () => {
  const good = nextBlock(f, chain)

  it('accepts the primary at the slot start and each fallback after k × timeout', () => {
    assert.equal(why(chain, good.signed), 'ok')
    for (let k = 1; k <= params.maxFallbacks + 1; k++) assert.equal(why(chain, nextBlock(f, chain, { rank: k }).signed), 'ok', `rank ${k}`)
  })

  it('rejects each invalid header kind with its reason', () => {
    const schedule = scheduleFor(chain, slot, f.config)
    assert.equal(why(chain.parent!, good.signed), 'wrong-parent')
    assert.equal(why(chain, resign(good, { slot: chain.slot })), 'slot-not-after-parent')
    assert.equal(why(chain, resign(good, { rank: 99 })), 'rank-out-of-schedule')
    assert.equal(why(chain, resign(good, { proposer: schedule[1] })), 'not-scheduled')
    assert.equal(why(chain, resign(nextBlock(f, chain, { rank: 2 }), { timeMs: start + 2 * params.slotTimeoutMs - 1 })), 'too-early-for-rank')
    assert.equal(why(chain, resign(good, { timeMs: start + params.slotMs })), 'outside-slot')
    assert.equal(why(chain, resign(good, { reveal: good.signed.header.reveal.map((b, i) => (i === 0 ? b ^ 1 : b)) })), 'bad-reveal')
    assert.equal(why(chain, resign(good, { revealer: 5 })), 'bad-reveal')
    const server = nextBlock(f, chain, { rank: schedule.length - 1 })
    assert.equal(server.signed.header.proposer, SERVER_ENTITY)
    assert.equal(why(chain, resign(server, { sessions: 1, sessionBytes: 10 })), 'server-block-with-sessions')
    assert.equal(why(chain, resign(good, { sessions: -1 })), 'bad-session-counts')
    assert.equal(why(chain, { ...good.signed, signatures: [{ member: 0, sig: good.signed.signatures[0].sig.map((b, i) => (i === 9 ? b ^ 4 : b)) }] }), 'bad-signature')
    assert.equal(why(chain, { ...good.signed, signatures: [] }), 'below-threshold')
    assert.equal(why(chain, { ...good.signed, signatures: [{ member: 3, sig: good.signed.signatures[0].sig }] }), 'unknown-signer')
  })

  it('a replay of blocks checked before (trustSignatures) skips signature verification and the body hash only', () => {
    const trusted = { ...f.config, trustSignatures: true as const }
    const trust = (signed: SignedHeader): string => { const r = validateHeader(chain, signed, trusted); return r.ok ? 'ok' : r.reason }
    const forged = { ...good.signed, signatures: [{ member: 0, sig: good.signed.signatures[0].sig.map((b, i) => (i === 9 ? b ^ 4 : b)) }] }
    assert.equal(trust(forged), 'ok')
    assert.equal(trust(resign(good, { reveal: good.signed.header.reveal.map((b, i) => (i === 0 ? b ^ 1 : b)) })), 'ok')
    // every other rule still holds
    assert.equal(trust(resign(good, { timeMs: start + params.slotMs })), 'outside-slot')
    assert.equal(trust(resign(good, { revealer: 5 })), 'bad-reveal')
    assert.equal(trust(resign(good, { sessions: -1 })), 'bad-session-counts')
    // and a forged task proof inside a block is counted only when trusted
    const vote = makeVote(f.keys[0], chain, chain.slot)
    const body = { proofs: [{ ...vote, sig: vote.sig.map((b, i) => (i === 0 ? b ^ 1 : b)) }] }
    const block = nextBlock(f, chain, { body })
    const untrustedResult = applyBlock(chain, block, f.config)
    assert.equal(untrustedResult.ok ? 'ok' : untrustedResult.reason, 'proof-0:attestation:bad-signature')
    assert.equal(applyBlock(chain, block, trusted).ok, true)
    // nor is the body hashed again: one that does not match its header is refused only when not trusted
    const swapped = { ...block, body: { ...block.body, proofs: [] } }
    const untrustedSwap = applyBlock(chain, swapped, f.config)
    assert.equal(untrustedSwap.ok ? 'ok' : untrustedSwap.reason, 'body-hash-mismatch')
    assert.equal(applyBlock(chain, swapped, trusted).ok, true)
  })

  it('a pool needs threshold-many distinct member signatures in member order', () => {
    const parent = poolChain()
    const block = nextBlock(f, parent)
    assert.equal(why(parent, block.signed), 'ok')
    assert.equal(why(parent, resign(block, {}, [2, 0])), 'unsorted-signatures')
    assert.equal(why(parent, resign(block, {}, [1, 1])), 'unsorted-signatures')
    assert.equal(why(parent, resign(block, {}, [1])), 'below-threshold')
    assert.equal(why(parent, resign(block, {}, [0, 1, 2])), 'ok')
  })

  it('rejects a header from the future at the receiver, within the clock tolerance', () => {
    assert.deepEqual(validateArrival(good.signed, start, params), { ok: true })
    assert.deepEqual(validateArrival(good.signed, start - params.clockToleranceMs, params), { ok: true })
    assert.deepEqual(validateArrival(good.signed, start - params.clockToleranceMs - 1, params), { ok: false, reason: 'future-block' })
  })

  it('property: a fallback\'s header is valid exactly from rank × timeout to the end of the slot', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: params.maxFallbacks + 1 }), fc.integer({ min: -3_000, max: params.slotMs + 1_000 }), (rank, offset) => {
      const b = nextBlock(f, chain, { rank, timeMs: start + offset })
      const expect = offset < rank * params.slotTimeoutMs ? 'too-early-for-rank' : offset >= params.slotMs ? 'outside-slot' : 'ok'
      assert.equal(why(chain, b.signed), expect)
    }), { numRuns: 80 })
  })

  it('turns two headers of one proposer for one slot into evidence, and refuses false evidence with a reason', () => {
    const other = nextBlock(f, chain, { timeMs: start + 1 })
    const reason = (e: { a: SignedHeader, b: SignedHeader }) => { const r = validateEquivocation(e, f.config.registry); return r.ok ? 'ok' : r.reason }
    assert.equal(reason({ a: good.signed, b: other.signed }), 'ok')
    assert.equal(reason({ a: good.signed, b: good.signed }), 'same-header')
    assert.equal(reason({ a: good.signed, b: nextBlock(f, chain, { rank: 1 }).signed }), 'different-proposers')
    assert.equal(reason({ a: good.signed, b: { ...other.signed, header: { ...other.signed.header, slot: slot + 1 } } }), 'different-slots')
    assert.equal(reason({ a: good.signed, b: { ...other.signed, header: { ...other.signed.header, timeMs: start + 2 } } }), 'header-b:bad-signature')
    assert.equal(reason({ a: { ...good.signed, header: { ...good.signed.header, proposer: 'nobody' } }, b: { ...other.signed, header: { ...other.signed.header, proposer: 'nobody' } } }), 'unknown-proposer')
  })

  it('property: two headers of one proposer and slot are evidence exactly when they differ', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: params.slotMs - 1 }), fc.integer({ min: 0, max: params.slotMs - 1 }), fc.integer({ min: 0, max: 3 }), (t1, t2, sessions) => {
      const a = nextBlock(f, chain, { timeMs: start + t1 })
      const b = nextBlock(f, chain, { timeMs: start + t2, body: { sessions: Array.from({ length: sessions }, (_, i) => ({ sessionId: `s${i}`, bytes: 1 })) } })
      const r = validateEquivocation({ a: a.signed, b: b.signed }, f.config.registry)
      const same = t1 === t2 && sessions === 0
      assert.deepEqual(r, same ? { ok: false, reason: 'same-header' } : { ok: true })
    }), { numRuns: 60 })
  })

  it('a block whose body does not match its header is refused', () => {
    const b = nextBlock(f, chain)
    const r1 = applyBlock(chain, { ...b, body: { ...b.body, sessions: [{ sessionId: 'x', bytes: 1 }] } }, f.config)
    assert.deepEqual(r1, { ok: false, reason: 'body-hash-mismatch' })
    const lying = makeBlock({ parentHash: chain.hash, slot, rank: 0, timeMs: start, proposer: b.signed.header.proposer, signers: [{ member: 0, key: f.keys.find((k) => k.id === b.signed.header.proposer)! }], body: { proofs: [], sessions: [{ sessionId: 'a', bytes: 1 }, { sessionId: 'a', bytes: 2 }], evidence: [], voteEvidence: [] } })
    assert.deepEqual(applyBlock(chain, lying, f.config), { ok: false, reason: 'duplicate-session' })
  })
})
