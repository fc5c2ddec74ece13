import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend, apply, nextBlock, keyOf } from './helpers.js'
import { validateProof, blockAtOrBefore, type ProofContext } from '../../../protocols/poot/proof-rules.js'
import { makeAttestation, makeHeartbeat, makeRelayReceipt, makeStorageProof, makeVote } from '../../../protocols/poot/make-proofs.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/keys.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import { inclusionProof } from '../../../protocols/poot/merkle.js'
import type { ChainState } from '../../../protocols/poot/state.js'
import type { TaskProof } from '../../../protocols/poot/proofs.js'

const f = fixture({ pools: [{ size: 3, threshold: 2 }] })
const { params } = f.config
const chain = extend(f, genesis(f), 12)
const stranger = nodeKeyFromSeed(new Uint8Array(32).fill(9))
const solo = f.keys[5]
const other = f.keys[6]

function ctx (parent: ChainState, extra: Partial<ProofContext> = {}): ProofContext {
  const slot = parent.slot + 1
  return { config: f.config, parent, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys: new Set(), openChallenges: parent.openChallenges, ...extra }
}

function reason (p: TaskProof, c: ProofContext): string {
  const r = validateProof(p, c)
  return r.ok ? 'ok' : r.reason
}

function flip (sig: Uint8Array, bit = 0): Uint8Array {
  const out = new Uint8Array(sig)
  out[bit >> 3] ^= 1 << (bit & 7)
  return out
}

describe('poot task proofs', () => {
  describe('heartbeat', () => {
    const slot = chain.slot
    const hb = makeHeartbeat(solo, slot, slot, chain) // harness parameters: one beat per slot, beat n in slot n

    it('accepts a heartbeat of a recent slot', () => assert.equal(reason(hb, ctx(chain)), 'ok'))
    it('rejects each invalid kind with its reason', () => {
      assert.equal(reason(makeHeartbeat(stranger, slot, slot, chain), ctx(chain)), 'unknown-node')
      assert.equal(reason({ ...hb, slot: -1 }, ctx(chain)), 'bad-slot')
      assert.equal(reason(makeHeartbeat(solo, slot + 2, slot + 2, chain), ctx(chain)), 'future-slot')
      assert.equal(reason(makeHeartbeat(solo, 2, 2, chain), ctx(chain)), 'stale')
      assert.equal(reason(makeHeartbeat(solo, slot, slot + 1, chain), ctx(chain)), 'beat-not-in-slot')
      assert.equal(reason(makeHeartbeat(solo, slot - 1, slot - 1, chain), ctx(chain)), 'future-ref')
      assert.equal(reason(makeHeartbeat(solo, slot, slot, { slot: chain.slot, hash: '33'.repeat(32) }), ctx(chain)), 'unknown-ref')
      assert.equal(reason(makeHeartbeat(solo, slot, slot, { slot: chain.slot - 1, hash: chain.hash }), ctx(chain)), 'unknown-ref')
      assert.equal(reason({ ...hb, sig: flip(hb.sig) }, ctx(chain)), 'bad-signature')
      assert.equal(reason(hb, ctx(chain, { blockKeys: new Set(['h/' + solo.id + '/' + slot]) })), 'duplicate')
    })
    it('rejects a beat due after the including block was made (future-dated)', () => {
      const g = fixture({ params: { heartbeatIntervalMs: 10_000 } })
      const parent = extend(g, genesis(g), 2)
      const early = makeHeartbeat(g.keys[1], 3, 9 + 2, parent) // beat 11 is due 20 s into slot 3
      const c = { config: g.config, parent, slot: 3, timeMs: slotStartMs(0, g.config.params, 3), blockKeys: new Set<string>(), openChallenges: [] }
      assert.equal(validateProof(early, c).ok ? 'ok' : (validateProof(early, c) as { reason: string }).reason, 'future-beat')
      assert.equal(validateProof(early, { ...c, timeMs: c.timeMs + 20_000 }).ok, true)
    })
    it('cannot be pre-signed more than maxProofAgeSlots ahead of the last block its node saw', () => {
      const old = chain.parent!.parent!
      const ahead = old.slot + params.maxProofAgeSlots + 1
      const g = extend(f, chain, ahead - chain.slot)
      assert.equal(reason(makeHeartbeat(solo, ahead, ahead, old), ctx(g)), 'stale-ref')
      assert.equal(reason(makeHeartbeat(solo, ahead - 1, ahead - 1, old), ctx(g)), 'ok')
    })
    it('is counted once per chain: a replay in a later block is a duplicate', () => {
      const withHb = apply(f, chain, nextBlock(f, chain, { body: { proofs: [hb] } }))
      assert.equal(reason(hb, ctx(withHb)), 'duplicate')
      assert.equal(reason({ ...hb }, ctx(extend(f, withHb, 3))), 'duplicate')
    })
    it('property: valid exactly when 0 ≤ including slot − proof slot ≤ maxProofAgeSlots', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 14 }), (s) => {
        const r = reason(makeHeartbeat(other, s, s, blockAtOrBefore(chain, s)), ctx(chain))
        const age = chain.slot + 1 - s
        assert.equal(r, age < 0 ? 'future-slot' : age > params.maxProofAgeSlots ? 'stale' : 'ok')
      }), { numRuns: 30 })
    })
  })

  describe('storage answer', () => {
    const open = chain.openChallenges
    const c = open[open.length - 1]
    const data = f.blobs.get(c.sessionId)!
    const holder = keyOf(f, c.holder)
    const answer = makeStorageProof(holder, c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex))

    it('accepts the holder\'s answer that leads to the anchored root', () => assert.equal(reason(answer, ctx(chain)), 'ok'))
    it('rejects each invalid kind with its reason', () => {
      const notHolder = f.keys.find((k) => !f.config.catalog.find((s) => s.sessionId === c.sessionId)!.holders.includes(k.id))!
      assert.equal(reason(makeStorageProof(stranger, c, data.blobs[c.chunkIndex], []), ctx(chain)), 'unknown-node')
      assert.equal(reason(makeStorageProof(holder, { ...c, index: 40 }, data.blobs[0], []), ctx(chain)), 'unknown-challenge')
      assert.equal(reason(makeStorageProof(notHolder, c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex)), ctx(chain)), 'wrong-holder')
      const wrongChunk = (c.chunkIndex + 1) % data.blobs.length
      assert.equal(reason(makeStorageProof(holder, { ...c, chunkIndex: wrongChunk }, data.blobs[wrongChunk], inclusionProof(data.leaves, wrongChunk)), ctx(chain)), 'wrong-chunk')
      const wrongBlob = new Uint8Array(data.blobs[c.chunkIndex]); wrongBlob[0] ^= 1
      assert.equal(reason(makeStorageProof(holder, c, wrongBlob, inclusionProof(data.leaves, c.chunkIndex)), ctx(chain)), 'bad-merkle-proof')
      assert.equal(reason({ ...answer, sig: flip(answer.sig) }, ctx(chain)), 'bad-signature')
      assert.equal(reason(answer, ctx(chain, { openChallenges: [] })), 'unknown-challenge')
    })
    it('closes the challenge: the same answer in a later block is refused', () => {
      const answered = apply(f, chain, nextBlock(f, chain, { body: { proofs: [answer] } }))
      assert.equal(reason(answer, ctx(answered)), 'unknown-challenge')
    })
  })

  describe('relay receipt', () => {
    const slot = chain.slot
    const receipt = makeRelayReceipt(solo, other, slot, 3 << 20)

    it('accepts a receipt countersigned by another entity\'s node', () => assert.equal(reason(receipt, ctx(chain)), 'ok'))
    it('rejects each invalid kind with its reason', () => {
      assert.equal(reason(makeRelayReceipt(solo, stranger, slot, 1), ctx(chain)), 'unknown-receiver')
      assert.equal(reason(makeRelayReceipt(solo, solo, slot, 1), ctx(chain)), 'self-relay')
      assert.equal(reason(makeRelayReceipt(f.keys[0], f.keys[1], slot, 1), ctx(chain)), 'self-relay') // one pool
      assert.equal(reason(makeRelayReceipt(solo, other, slot, 0), ctx(chain)), 'bad-bytes')
      assert.equal(reason(makeRelayReceipt(solo, other, slot, params.maxRelayBytesPerReceipt + 1), ctx(chain)), 'bad-bytes')
      assert.equal(reason({ ...receipt, sig: flip(receipt.sig) }, ctx(chain)), 'bad-signature')
      assert.equal(reason({ ...receipt, receiverSig: flip(receipt.receiverSig) }, ctx(chain)), 'bad-receiver-signature')
      assert.equal(reason({ ...receipt, bytes: 4 << 20 }, ctx(chain)), 'bad-signature') // inflated after signing
      assert.equal(reason(makeRelayReceipt(solo, other, slot + 2, 1), ctx(chain)), 'future-slot')
      assert.equal(reason(receipt, ctx(apply(f, chain, nextBlock(f, chain, { body: { proofs: [receipt] } })))), 'duplicate')
    })
  })

  describe('attestation (vote)', () => {
    const att = makeVote(solo, chain, chain.slot)
    const genesisCheckpoint = chain.justified[0]

    it('accepts a vote for this chain\'s latest block at or before the vote\'s slot, from a justified source', () => {
      assert.equal(reason(att, ctx(chain)), 'ok')
      assert.equal(reason(makeVote(solo, chain.parent!, chain.parent!.slot), ctx(chain)), 'ok')
      assert.equal(reason(makeVote(solo, chain, chain.slot + 1), ctx(chain, { slot: chain.slot + 2 })), 'ok') // slot with no block yet
    })
    it('rejects each invalid kind with its reason', () => {
      assert.equal(reason(makeAttestation(solo, chain.slot, '00'.repeat(32), genesisCheckpoint), ctx(chain)), 'unknown-target')
      assert.equal(reason(makeAttestation(solo, chain.slot + 1, chain.hash, genesisCheckpoint), ctx(chain)), 'future-slot')
      assert.equal(reason(makeAttestation(solo, 1, blockOfSlot1(), genesisCheckpoint), ctx(chain)), 'stale')
      assert.equal(reason(makeAttestation(solo, chain.slot, chain.hash, { epoch: chain.slot, hash: chain.hash }), ctx(chain)), 'source-not-before-target')
      assert.equal(reason(makeAttestation(solo, chain.slot, chain.hash, { epoch: 3, hash: chain.hash }), ctx(chain)), 'unjustified-source')
      assert.equal(reason({ ...att, sig: flip(att.sig) }, ctx(chain)), 'bad-signature')
      assert.equal(reason({ ...att, blockHash: chain.parent!.hash }, ctx(chain)), 'unknown-target')
      assert.equal(reason(makeVote(solo, chain.parent!, chain.slot), ctx(chain)), 'unknown-target') // not the latest block at that slot
      assert.equal(reason(att, ctx(apply(f, chain, nextBlock(f, chain, { body: { proofs: [att] } })))), 'duplicate')
    })
    it('rejects a vote for a block on another fork', () => {
      const fork = apply(f, chain.parent!, nextBlock(f, chain.parent!, { slot: chain.slot + 1 }))
      assert.equal(reason(makeVote(solo, fork, fork.slot), ctx(chain, { slot: fork.slot + 1 })), 'unknown-target')
    })
  })

  it('property: any single flipped signature bit of any proof kind is refused', () => {
    const c = chain.openChallenges[chain.openChallenges.length - 1]
    const data = f.blobs.get(c.sessionId)!
    const proofs: TaskProof[] = [
      makeHeartbeat(solo, chain.slot, chain.slot, chain),
      makeVote(solo, chain, chain.slot),
      makeRelayReceipt(solo, other, chain.slot, 1 << 20),
      makeStorageProof(keyOf(f, c.holder), c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex))
    ]
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }), fc.boolean(), (k, bit, receiverSide) => {
      const p = proofs[k]
      const forged = p.kind === 'relay' && receiverSide ? { ...p, receiverSig: flip(p.receiverSig, bit) } : { ...p, sig: flip(p.sig, bit) }
      assert.equal(validateProof(p, ctx(chain)).ok, true)
      assert.match(reason(forged, ctx(chain)), /^bad-(receiver-)?signature$/)
    }), { numRuns: 60 })
  })
})

function blockOfSlot1 (): string {
  let s: ChainState = chain
  while (s.slot > 1) s = s.parent!
  return s.hash
}
