// Pool co-signing's pure parts: which member leads (pool-turns), the co-sign codec, a member's request checks, the
// relaxed threshold for drafts, and the leader's gathering of signatures (with a fake network).
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { makeBlock, nodeKeyFromSeed, poolEntity, DEFAULT_PARAMS, type ChainState, type Entity, type NodeKey } from '../../../protocols/poot/index.js'
import { leaderOrder, leaderPosition, leaderTurnMs, liveMembers, liveWindowSlots, mayLead, poolTiming, rankTurnMs } from '../../../protocols/poot/pool-turns.js'
import { partialConfig } from '../../../protocols/poot/partial-config.js'
import { decodeCosignAnswer, decodeCosignRequest, encodeCosignAnswer, encodeCosignRequest, CosignCodecError } from '../../../node/src/chainnet/cosign-codec.js'
import { checkCosignRequest, type CosignView } from '../../../node/src/chainnet/cosign-rules.js'
import { gatherCosignatures } from '../../../node/src/chainnet/cosign-gather.js'
import { cosignVerdict } from '../../../node/src/chainnet/verdicts.js'
import { encodeEnvelope } from '../../../node/src/chain/envelope.js'
import { RLP } from '@ethereumjs/rlp'
import { fixture } from '../poot/helpers.js'
import { parseDevnetPool } from '../../../node/src/devnet/chain-genesis.js'

const runs = Number(process.env.LUCID_PROPERTY_RUNS ?? 25) * 4
const keys: NodeKey[] = [1, 2, 3, 4, 5].map((i) => nodeKeyFromSeed(new Uint8Array(32).fill(i)))
const pool = (n: number, t: number): Entity => poolEntity(keys.slice(0, n).map((k) => k.id), t)

describe('pool co-signing: leader order and turns', () => {
  it('every member leads first once every n slots, and positions are a permutation', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1e9 }), (n, slot) => {
      const e = pool(n, 2)
      const order = leaderOrder(e, slot)
      assert.deepEqual([...order].sort(), Array.from({ length: n }, (_, i) => i))
      order.forEach((member, j) => assert.equal(leaderPosition(e, slot, member), j))
      const firsts = Array.from({ length: n }, (_, k) => leaderOrder(e, slot + k)[0])
      assert.deepEqual([...firsts].sort(), Array.from({ length: n }, (_, i) => i))
    }), { numRuns: runs })
  })

  it('at any instant at most one member may lead, and every attempt ends inside the rank turn', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1000, max: 10_000 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: -100, max: 12_000 }), (n, timeout, slot, offset) => {
      const e = pool(n, 2)
      const timing = poolTiming(timeout, n)
      const turn = 1_000_000
      const leading = Array.from({ length: n }, (_, m) => m).filter((m) => mayLead(e, slot, m, turn, turn + offset, timing).lead)
      assert.ok(leading.length <= 1, `members ${leading.join(',')} lead at once`)
      if (leading.length === 1) assert.ok(offset >= 0 && offset < timeout)
      for (let m = 0; m < n; m++) {
        const at = leaderTurnMs(e, slot, m, turn, timing)
        if (at !== null) assert.ok(at - turn + timing.buildMs + timing.cosignMs < timeout, 'an attempt overruns the turn')
      }
    }), { numRuns: runs })
  })

  it('the designated member leads from the turn start; the next one takes over after takeoverMs', () => {
    const e = pool(3, 2)
    const t = poolTiming(1000, 3)
    assert.deepEqual(t, { takeoverMs: 500, buildMs: 150, cosignMs: 300, positions: 2 })
    const slot = 7 // order: 1, 2, 0
    assert.deepEqual(leaderOrder(e, slot), [1, 2, 0])
    assert.deepEqual(mayLead(e, slot, 1, 0, 0, t), { lead: true })
    assert.deepEqual(mayLead(e, slot, 2, 0, 10, t), { lead: false, wakeAtMs: 500 })
    assert.deepEqual(mayLead(e, slot, 2, 0, 500, t), { lead: true })
    assert.deepEqual(mayLead(e, slot, 1, 0, 500, t), { lead: false, wakeAtMs: null })
    assert.deepEqual(mayLead(e, slot, 0, 0, 900, t), { lead: false, wakeAtMs: null }, 'a third position does not fit in 1000 ms')
    assert.equal(rankTurnMs(1000, { ...DEFAULT_PARAMS, slotMs: 2000, slotTimeoutMs: 1000 }, 3, 1), 1000 + 3 * 2000 + 1000)
  })

  it('property: with a live set, the live members lead first in the rotation\'s order, the others after', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1e9 }), fc.array(fc.nat(4)), (n, slot, picks) => {
      const e = pool(n, 2)
      const live = new Set(picks.filter((m) => m < n))
      const order = leaderOrder(e, slot, live)
      assert.deepEqual([...order].sort(), Array.from({ length: n }, (_, i) => i), 'a permutation')
      const rotation = leaderOrder(e, slot)
      if (live.size === 0) { assert.deepEqual(order, rotation); return }
      assert.deepEqual(order.slice(0, live.size), rotation.filter((m) => live.has(m)))
      assert.deepEqual(order.slice(live.size), rotation.filter((m) => !live.has(m)))
      order.forEach((member, j) => assert.equal(leaderPosition(e, slot, member, live), j))
    }), { numRuns: runs })
  })

  it('the live members are those with a proof counted in the last blocks; two down first members are passed over', () => {
    const e = pool(5, 3)
    const beat = (node: string, slot: number): string => `h/${node}/${slot}`
    // a chain whose blocks counted proofs of members 2, 3 and 4 only, and of member 0 long ago
    const state = (slot: number, keys: string[], parent: ChainState | null): ChainState => ({ slot, header: {} as never, proofKeys: new Set(keys), parent } as unknown as ChainState)
    let head = state(1, [beat(keys[0].id, 1)], null)
    for (let s = 2; s <= 30; s++) head = state(s, [2, 3, 4].map((m) => beat(keys[m].id, s)).concat(`s/${s}/0`), head)
    const params = { ...DEFAULT_PARAMS, slotMs: 1500, heartbeatIntervalMs: 3000 }
    assert.equal(liveWindowSlots(params), 8)
    assert.deepEqual([...liveMembers(head, e, params)].sort(), [2, 3, 4])
    // a 30 s heartbeat: a 60-slot window reaches member 0's proof at slot 1
    assert.deepEqual([...liveMembers(head, e, { ...params, heartbeatIntervalMs: 30_000 })].sort(), [0, 2, 3, 4])
    // slot 10: the rotation starts with members 0 and 1, both down; only two positions fit a 1,000 ms turn
    const t = poolTiming(1000, 5)
    assert.deepEqual(leaderOrder(e, 10), [0, 1, 2, 3, 4])
    assert.equal(leaderTurnMs(e, 10, 2, 0, t), null, 'without the live view member 2 never leads slot 10')
    const live = liveMembers(head, e, params)
    assert.deepEqual(leaderOrder(e, 10, live), [2, 3, 4, 0, 1])
    assert.deepEqual(mayLead(e, 10, 2, 0, 0, t, live), { lead: true })
    assert.deepEqual(mayLead(e, 10, 3, 0, 10, t, live), { lead: false, wakeAtMs: 500 })
  })
})

describe('pool co-signing: relaxed threshold for drafts', () => {
  it('lowers only the proposer\'s threshold, to the signatures present', () => {
    const f = fixture({ pools: [{ size: 3, threshold: 2 }] })
    const p = f.config.registry.ranked.find((e) => e.members.length === 3) as Entity
    const c = partialConfig(f.config, p.id, 1)
    assert.equal(c.registry.byId.get(p.id)?.threshold, 1)
    assert.equal(f.config.registry.byId.get(p.id)?.threshold, 2, 'the original config is untouched')
    assert.equal(partialConfig(f.config, p.id, 2), f.config)
    for (const e of f.config.registry.ranked) if (e.id !== p.id) assert.equal(c.registry.byId.get(e.id), e)
  })
})

function draft (slot = 7, revealer = 1, timeMs = 1_000_000 + 7 * 2000): { envelope: Uint8Array, entity: Entity } {
  const entity = pool(3, 2)
  const poot = makeBlock({ parentHash: 'aa'.repeat(32), slot, rank: 0, timeMs, proposer: entity.id, signers: [{ member: revealer, key: keys[revealer] }], body: { proofs: [], sessions: [], evidence: [], voteEvidence: [] } })
  const evm = RLP.encode([[new Uint8Array(0)], [], [], []])
  return { envelope: encodeEnvelope({ evm, poot, seal: [{ member: revealer, sig: keys[revealer].sign(new Uint8Array(32)) }] }), entity }
}

describe('pool co-signing: the request and answer codec', () => {
  it('round-trips requests and answers', () => {
    const { envelope } = draft()
    const r = decodeCosignRequest(encodeCosignRequest(envelope))
    assert.deepEqual(r.raw, envelope)
    assert.equal(r.envelope.poot.signed.header.slot, 7)
    fc.assert(fc.property(fc.integer({ min: 0, max: 63 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.string({ maxLength: 300 }), (member, poot, seal, reason) => {
      assert.deepEqual(decodeCosignAnswer(encodeCosignAnswer({ ok: true, member, poot, seal })), { ok: true, member, poot, seal })
      assert.deepEqual(decodeCosignAnswer(encodeCosignAnswer({ ok: false, reason })), { ok: false, reason })
    }), { numRuns: runs })
  })

  it('refuses malformed requests and answers, naming what is wrong', () => {
    const { envelope } = draft()
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([0xc1, 0x02, 0x03]), /^cosign request: not RLP/],
      [RLP.encode([new Uint8Array([1])]), /^cosign request: request has 1 items, expected 2/],
      [RLP.encode([new Uint8Array([2]), envelope]), /^cosign request: version 2 is not 1/],
      [RLP.encode([new Uint8Array([1]), new Uint8Array([0xc0])]), /^cosign request: bad envelope: envelope has 0 items/],
      [RLP.encode([new Uint8Array([1]), [envelope]]), /^cosign request: envelope is not a byte string/],
      [new Uint8Array(5 * 1024 * 1024), /^cosign request: \d+ bytes, more than/]
    ]
    for (const [bytes, want] of cases) assert.throws(() => decodeCosignRequest(bytes), (e: Error) => e instanceof CosignCodecError && want.test(e.message), String(want))
    // a draft without its leader's signatures
    const unsigned = RLP.decode(envelope) as unknown[]
    unsigned[3] = []
    assert.throws(() => decodeCosignRequest(encodeCosignRequest(RLP.encode(unsigned as never))), /no PoOT signature of its leader/)
    const answers: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([0x01]), /^cosign answer: answer is not a list/],
      [RLP.encode([new Uint8Array([2]), new Uint8Array(1)]), /unknown status 2/],
      [RLP.encode([new Uint8Array(0), new Uint8Array([1]), new Uint8Array(63), new Uint8Array(64)]), /poot signature is 63 bytes, expected 64/],
      [RLP.encode([new Uint8Array(0), new Uint8Array([1])]), /signatures have 2 items, expected 4/],
      [new Uint8Array(600), /600 bytes, more than 512/]
    ]
    for (const [bytes, want] of answers) assert.throws(() => decodeCosignAnswer(bytes), (e: Error) => e instanceof CosignCodecError && want.test(e.message), String(want))
  })
})

describe('pool co-signing: a member\'s checks of a request', () => {
  const params = { ...DEFAULT_PARAMS, slotMs: 2000, slotTimeoutMs: 1000, maxFallbacks: 0 }
  const genesisMs = 1_000_000
  const start = genesisMs + 7 * 2000
  const check = (over: Partial<CosignView> = {}, d = draft()): string | null => {
    const env = decodeCosignRequest(encodeCosignRequest(d.envelope)).envelope
    return checkCosignRequest(env.poot.signed.header, env.poot.signed.signatures, { entity: d.entity, member: 2, requester: keys[1].id, nowMs: start + 50, genesisMs, params, ...over })
  }

  it('accepts the designated leader\'s draft in its turn', () => { assert.equal(check(), null) })

  it('refuses with a clear reason', () => {
    assert.match(check({ requester: keys[0].id }) ?? '', /^not-the-leader: the request does not come/)
    assert.match(check({ member: undefined }) ?? '', /^not-a-member/)
    assert.match(check({ entity: undefined }) ?? '', /^unknown-proposer/)
    assert.match(check({ entity: { ...pool(3, 2), threshold: 1 } }) ?? '', /^not-a-pool/)
    assert.match(check({ member: 1 }) ?? '', /^not-the-leader: the draft names this node/)
    assert.match(check({ nowMs: start + 1000 + 500 }) ?? '', /^turn-over/)
    // member 0 is third in slot 7's order: no position in a 1000 ms turn
    assert.match(check({ requester: keys[0].id }, draft(7, 0)) ?? '', /^not-a-leader-position/)
    // member 2 is second: it leads from start + 500, not before
    assert.match(check({ requester: keys[2].id, member: 1 }, draft(7, 2, start + 100)) ?? '', /^before-leader-turn/)
    assert.match(check({ requester: keys[2].id, member: 1, nowMs: start - 100 }, draft(7, 2, start + 600)) ?? '', /^leader-turn-not-come/)
    assert.equal(check({ requester: keys[2].id, member: 1, nowMs: start + 600 }, draft(7, 2, start + 600)), null)
  })

  it('counts only what an honest leader never sends against it', () => {
    for (const r of ['already-signed: x', 'conflicts-with-finalized: x', 'unknown-parent: 0x', 'leader-turn-not-come: x', 'turn-over: x', 'poot:future-block']) assert.equal(cosignVerdict(r), 'ignore', r)
    for (const r of ['not-the-leader: x', 'poot:header:bad-signature', 'execution: bad root', 'seal-bad-signature', 'before-leader-turn: x']) assert.equal(cosignVerdict(r), 'reject', r)
  })
})

describe('pool co-signing: gathering signatures', () => {
  const entity = pool(3, 2)
  const m = { entity, member: 0, key: keys[0] }
  const signs = { headerHash: 'ab'.repeat(32), blockHash: new Uint8Array(32).fill(7) }
  const sign = (member: number) => ({ ok: true as const, member, poot: keys[member].sign(Buffer.from(signs.headerHash, 'hex')), seal: keys[member].sign(signs.blockHash) })

  it('stops at the threshold, keeps only verified signatures, and gives up at the deadline', async () => {
    const outcomes: string[] = []
    const got = await gatherCosignatures(m, signs, 1000, async (member) => member === 1 ? { ...sign(1), seal: sign(2).seal } : sign(member), (member, o) => outcomes.push(`${member}:${o}`))
    assert.deepEqual(got.map((s) => s.member), [2])
    assert.deepEqual(outcomes.sort(), ['1:bad-signature', '2:signed'])
    const t0 = Date.now()
    const none = await gatherCosignatures(m, signs, 200, async (_member, signal) => await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))))
    assert.deepEqual(none, [])
    assert.ok(Date.now() - t0 < 1000)
    const refused = await gatherCosignatures(m, signs, 1000, async () => ({ ok: false, reason: 'already-signed: x' }))
    assert.deepEqual(refused, [])
    // a 3-of-5 leader needs two others: it waits for the second
    const big = { entity: pool(5, 3), member: 0, key: keys[0] }
    const two = await gatherCosignatures(big, signs, 1000, async (member) => { await new Promise((resolve) => setTimeout(resolve, member * 20)); return sign(member) })
    assert.deepEqual(two.map((s) => s.member), [1, 2])
  })
})

describe('pool co-signing: a pool needs a majority threshold', () => {
  it('lucid devnet --pool refuses thresholds at or below half the members, naming the least it takes', () => {
    assert.deepEqual(parseDevnetPool('3:2'), { members: 3, threshold: 2 })
    assert.deepEqual(parseDevnetPool('4:3'), { members: 4, threshold: 3 })
    assert.throws(() => parseDevnetPool('4:2'), /--pool 4:2: the threshold is from 3 \(more than half the members/)
    assert.throws(() => parseDevnetPool('3:1'), /--pool 3:1: the threshold is from 2/)
    assert.throws(() => parseDevnetPool('3:4'), /to 3$/)
    assert.throws(() => parseDevnetPool('three'), /expected <members>:<threshold>/)
  })
})
