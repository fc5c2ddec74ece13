// A pool entity (3 members, 2 signatures) whose members are three in-process chains, each holding only its own key:
// the member whose turn it is drafts the block and the others co-sign it (Chain.cosign, no network); a member signs
// at most one header per slot, also after a restart; a leader without enough signatures stores nothing and does not
// lead that slot again, and the Server's fallback takes it.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { poolEntity, type NodeKey, type TaskProof } from '../../../protocols/poot/index.js'
import { leaderOrder } from '../../../protocols/poot/pool-turns.js'
import { Chain, buildGenesis, checkGenesisSpec, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom, poolMembershipsFrom, decodeEnvelope, encodeEnvelope, type Cosigner, type Genesis, type PoolMembership } from '../../../node/src/chain/index.js'
import { nudged, reforge } from './reforge.js'
import { gatherCosignatures } from '../../../node/src/chainnet/cosign-gather.js'
import { GENESIS_MS, SLOT_MS, heartbeats, slotTime } from './support.js'

/**
 * A pool of `n` members needing `threshold` signatures as the genesis' only ranked entity, each member a chain in its
 * own directory holding only its own key (chain 0 also holds the Server's); members co-sign through each other's
 * Chain.cosign (no network) when `reachable` has them.
 */
function poolOfChains (n: number, threshold: number) {
  const members = devNodeKeys(n)
  const p = {
    members,
    entity: poolEntity(members.map((k) => k.id), threshold),
    genesis: undefined as unknown as Genesis,
    dirs: [] as string[],
    chains: [] as Chain[],
    /** the members each chain may ask (a member cut off is not asked) */
    reachable: new Set(members.map((_, i) => i)),
    now: 0,
    open: async (dir: string): Promise<Chain> => await Chain.open({ dir, genesis: p.genesis }),
    /** called as a member is asked to co-sign, before it answers */
    onAsk: undefined as ((member: number) => void) | undefined,
    cosigner: (m: PoolMembership, deadlineMs: number): Cosigner => async (partial, signs) => await gatherCosignatures(m, signs, deadlineMs, async (member) => {
      if (!p.reachable.has(member)) throw new Error('unreachable')
      p.onAsk?.(member)
      const r = await p.chains[member].cosign(partial, { member, key: members[member] }, p.now)
      return r.ok ? { ok: true, member, poot: r.poot, seal: r.seal } : r
    }),
    decide: (i: number): ReturnType<typeof localProposer> => localProposer(signersFrom(p.chains[i], i === 0 ? [members[0], devServerKey()] : [members[i]]), { members: poolMembershipsFrom(p.chains[i], [members[i]]), cosigner: p.cosigner }),
    /** Every chain imports `env` (the others of its producer). */
    publish: async (env: Uint8Array, from: number): Promise<void> => {
      for (let i = 0; i < p.chains.length; i++) {
        if (i === from) continue
        const r = await p.chains[i].importEnvelope(env, p.now)
        assert.ok(r.ok, r.ok ? '' : `chain ${i}: ${r.reason}`)
      }
    },
    /** The Server (held by chain 0) fills slots up to `last`, every chain importing; `proofs` for each block. */
    serverUpTo: async (last: number, proofs: (slot: number) => TaskProof[] = () => []): Promise<void> => {
      for (let s = p.chains[0].headPoot.slot + 1; s <= last; s++) {
        p.now = slotTime(s, 1010)
        const q = p.decide(0)(p.chains[0], s, p.now)
        assert.ok(q !== null && q.proposer === 'server', `slot ${s}: ${q?.proposer ?? 'nobody'} proposes`)
        const b = await p.chains[0].build({ ...q, proofs: proofs(s) })
        await p.publish((await p.chains[0].envelopeOf(b))!, 0)
      }
    },
    start: async (): Promise<void> => {
      const base = devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })
      p.genesis = await buildGenesis(checkGenesisSpec({ ...base, entities: [{ members: members.map((k) => k.id), threshold, rewardAddress: base.entities[0].rewardAddress }] }))
      for (let i = 0; i < n; i++) { p.dirs.push(mkdtempSync(join(tmpdir(), 'lucid-pool-'))); p.chains.push(await p.open(p.dirs[i])) }
      // as a node does at start: a co-signer re-executes the draft within the leader's deadline (300 ms at 1 s turns)
      await Promise.all(p.chains.map(async (c) => { await c.warmExecution() }))
    },
    stop: async (): Promise<void> => { for (const c of p.chains) await c.close(); for (const d of p.dirs) rmSync(d, { recursive: true, force: true }) }
  }
  return p
}

describe('chain: a pool entity co-signed by members in separate chains', function () {
  this.timeout(120_000)
  const pool = poolOfChains(3, 2)
  const { members, entity, chains, dirs, publish, serverUpTo, decide } = pool
  let genesis: Genesis
  const open = async (dir: string): Promise<Chain> => await pool.open(dir)

  before(async () => { await pool.start(); genesis = pool.genesis })
  after(async () => { await pool.stop() })

  it('the member whose turn it is drafts the block, another signs it, every member imports it', async () => {
    assert.equal(chains[0].schedule(1)[0], entity.id, 'the pool is slot 1\'s primary')
    const leader = leaderOrder(entity, 1)[0]
    pool.now = slotTime(1)
    for (let i = 0; i < 3; i++) if (i !== leader) assert.equal(decide(i)(chains[i], 1, pool.now), null, `member ${i} does not lead at the turn's start`)
    const p = decide(leader)(chains[leader], 1, pool.now)
    assert.ok(p !== null && p.proposer === entity.id && p.cosign !== undefined)
    const block = await chains[leader].build(p)
    const env = decodeEnvelope((await chains[leader].envelopeOf(block))!)
    assert.equal(env.poot.signed.header.proposer, entity.id)
    assert.equal(env.poot.signed.header.revealer, leader)
    assert.equal(env.poot.signed.signatures.length, 2)
    assert.ok(env.poot.signed.signatures.some((s) => s.member === leader))
    assert.deepEqual(env.seal.map((s) => s.member), env.poot.signed.signatures.map((s) => s.member))
    const reusedBefore = chains.map((c) => c.draftsReused)
    await publish((await chains[leader].envelopeOf(block))!, leader)
    for (const c of chains) assert.equal(bytesToHex(c.head.hash()), bytesToHex(block.hash()))
    // the co-signer imports the published block with the results of the draft it executed, not a second execution
    const cosigner = env.poot.signed.signatures.find((s) => s.member !== leader)!.member
    assert.equal(chains[cosigner].draftsReused, reusedBefore[cosigner] + 1)
    assert.equal(bytesToHex(chains[cosigner].head.header.stateRoot), bytesToHex(block.header.stateRoot))
    // nobody leads the slot again: the block is known, and the co-signers recorded what they signed
    pool.now = slotTime(1, 600)
    for (let i = 0; i < 3; i++) assert.equal(decide(i)(chains[i], 1, pool.now), null)
  })

  it('a member refuses to sign a second, different header for a slot it signed, also after a restart', async () => {
    // the pool's next slot, with member 1 leading and only member 2 reachable
    await serverUpTo(9)
    const slot = 10
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    const leader = leaderOrder(entity, slot)[0]
    const other = [0, 1, 2].find((i) => i !== leader && i !== 0) as number
    pool.reachable = new Set([other])
    pool.now = slotTime(slot)
    const p = decide(leader)(chains[leader], slot, pool.now)
    assert.ok(p !== null)
    const block = await chains[leader].build(p)
    const raw = (await chains[leader].envelopeOf(block))!
    const x = decodeEnvelope(raw)
    assert.deepEqual(x.poot.signed.signatures.map((s) => s.member).sort(), [leader, other].sort())
    // a second draft for the slot: the same leader's header with another time, its EVM block rebuilt around it
    const y = redraft(genesis, x, members[leader], leader)
    const refused = await chains[other].cosign(y, { member: other, key: members[other] }, pool.now)
    assert.deepEqual(refused.ok ? 'signed' : refused.reason.split(':')[0], 'already-signed')
    // member 0 signed neither: it signs the first it sees (x's draft) and then refuses y
    const draftX = encodeEnvelope({ ...x, poot: { ...x.poot, signed: { ...x.poot.signed, signatures: x.poot.signed.signatures.filter((s) => s.member === leader) } }, seal: x.seal.filter((s) => s.member === leader) })
    assert.ok((await chains[0].cosign(draftX, { member: 0, key: members[0] }, pool.now)).ok)
    const second = await chains[0].cosign(y, { member: 0, key: members[0] }, pool.now)
    assert.ok(!second.ok && second.reason.startsWith('already-signed: this member signed another header'), second.ok ? 'signed' : second.reason)
    // after a restart: the record is durable
    await chains[other].close()
    chains[other] = await open(dirs[other])
    await chains[other].warmExecution()
    const again = await chains[other].cosign(y, { member: other, key: members[other] }, pool.now)
    assert.ok(!again.ok && again.reason.startsWith('already-signed'), again.ok ? 'signed after a restart' : again.reason)
    assert.ok((await chains[other].cosign(draftX, { member: other, key: members[other] }, pool.now)).ok, 'the same header may be signed again')
    await publish(raw, leader)
  })

  it('a leader without enough signatures stores nothing and does not lead the slot again; the next member takes over', async () => {
    await serverUpTo(18)
    const slot = 19
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    const [leader, next] = leaderOrder(entity, slot)
    assert.deepEqual([leader, next], [1, 2])
    pool.reachable = new Set()
    pool.now = slotTime(slot)
    const head = bytesToHex(chains[leader].head.hash())
    const p = decide(leader)(chains[leader], slot, pool.now)
    assert.ok(p !== null)
    await assert.rejects(chains[leader].build(p), /1 of 2 signatures/)
    assert.equal(bytesToHex(chains[leader].head.hash()), head)
    assert.equal(decide(leader)(chains[leader], slot, slotTime(slot, 100)), null, 'it signed a header for the slot: no second one')
    // the designated member is away: the next in order takes over half a turn later, with member 0's signature
    assert.equal(decide(next)(chains[next], slot, slotTime(slot, 100)), null, 'not before its turn')
    pool.reachable = new Set([0])
    pool.now = slotTime(slot, 510)
    const q = decide(next)(chains[next], slot, pool.now)
    assert.ok(q !== null)
    const taken = await chains[next].build(q)
    const env = decodeEnvelope((await chains[next].envelopeOf(taken))!)
    assert.equal(env.poot.signed.header.revealer, next)
    assert.deepEqual(env.poot.signed.signatures.map((s) => s.member), [0, next])
    await publish((await chains[next].envelopeOf(taken))!, next)
  })

  it('with one member left, the pool\'s slot falls to the Server\'s fallback', async () => {
    await serverUpTo(27)
    const slot = 28
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    pool.reachable = new Set()
    for (const offset of [10, 510]) {
      pool.now = slotTime(slot, offset)
      for (let i = 1; i < 3; i++) {
        const p = decide(i)(chains[i], slot, pool.now)
        if (p !== null) await assert.rejects(chains[i].build(p), /below-threshold/)
      }
    }
    await serverUpTo(slot)
    const h = chains[0].headPoot.header!
    assert.deepEqual([h.slot, h.proposer, h.rank], [slot, 'server', 1])
  })

  it('a co-signer a little behind its leader waits for the draft\'s parent and signs', async () => {
    await serverUpTo(35)
    const slot = 37
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    const [leader, other] = leaderOrder(entity, slot)
    // the Server's block of slot 36 reaches the leader now and the co-signer just after it is asked to co-sign (the
    // import queued behind the co-signer's check, had it not waited)
    pool.now = slotTime(36, 1010)
    const b36 = await chains[0].build(decide(0)(chains[0], 36, pool.now)!)
    const env36 = (await chains[0].envelopeOf(b36))!
    for (const i of [0, 1, 2].filter((i) => i !== 0 && i !== other)) assert.ok((await chains[i].importEnvelope(env36, pool.now)).ok)
    assert.notEqual(bytesToHex(chains[other].head.hash()), bytesToHex(b36.hash()))
    pool.reachable = new Set([other])
    pool.now = slotTime(slot)
    let late: Promise<unknown> | undefined
    pool.onAsk = (member) => {
      if (member === other) late ??= new Promise((resolve) => setImmediate(() => { resolve(chains[other].importEnvelope(env36, pool.now)) }))
    }
    const p = decide(leader)(chains[leader], slot, pool.now)
    assert.ok(p !== null)
    const block = await chains[leader].build(p)
    pool.onAsk = undefined
    assert.ok(late !== undefined && ((await late) as { ok: boolean }).ok, 'the parent arrived while the co-signer was asked')
    const env = decodeEnvelope((await chains[leader].envelopeOf(block))!)
    assert.deepEqual(env.poot.signed.signatures.map((x) => x.member).sort(), [leader, other].sort())
    await publish((await chains[leader].envelopeOf(block))!, leader)
  })

  it('a co-signer whose head is a block its leader has not seen judges the draft on the draft\'s parent and signs', async () => {
    // a slot the pool leads through member 1 or 2, so member 0 (which also holds the Server key) can be the co-signer
    let slot = chains[0].headPoot.slot + 3
    while (leaderOrder(entity, slot)[0] === 0 || chains[0].schedule(slot)[0] !== entity.id) slot++
    await serverUpTo(slot - 2)
    const leader = leaderOrder(entity, slot)[0]
    // the Server's block of the slot before reaches member 0 only: its head is that block, the leader's is its parent
    pool.now = slotTime(slot - 1, 1010)
    const side = await chains[0].build(decide(0)(chains[0], slot - 1, pool.now)!)
    const parent = chains[leader].head
    assert.equal(bytesToHex(side.header.parentHash), bytesToHex(parent.hash()))
    pool.reachable = new Set([0])
    pool.now = slotTime(slot)
    const p = decide(leader)(chains[leader], slot, pool.now)
    assert.ok(p !== null)
    const reused = chains[0].draftsReused
    const block = await chains[leader].build(p)
    const raw = (await chains[leader].envelopeOf(block))!
    assert.deepEqual(decodeEnvelope(raw).poot.signed.signatures.map((x) => x.member).sort(), [0, leader].sort())
    // member 0 imports the pool's block beside its own head, with the results of the draft it executed on that parent
    const r = await chains[0].importEnvelope(raw, pool.now)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(chains[0].draftsReused, reused + 1)
    assert.ok(chains[0].pootState(block.hash()) !== undefined)
    // the others get both blocks; every chain ends on the same head
    for (const env of [(await chains[0].envelopeOf(side))!, raw]) {
      for (const i of [1, 2]) if (!(i === leader && env === raw)) assert.ok((await chains[i].importEnvelope(env, pool.now)).ok)
    }
    assert.equal(new Set(chains.map((c) => bytesToHex(c.head.hash()))).size, 1)
  })
})

describe('chain: a 3-of-5 pool whose first two members in a slot\'s order are down', function () {
  this.timeout(120_000)
  const pool = poolOfChains(5, 3)
  before(async () => { await pool.start() })
  after(async () => { await pool.stop() })

  it('the first live member leads at the turn\'s start, with the other live members\' signatures', async () => {
    const { chains, entity, members } = pool
    // members 0 and 1 are down: no heartbeats of theirs reach a block, they sign and propose nothing
    const beats = heartbeats(members.slice(2))
    pool.reachable = new Set([2, 3, 4])
    await pool.serverUpTo(9, (s) => beats(chains[0], s))
    const slot = 10
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    assert.deepEqual(leaderOrder(entity, slot).slice(0, 2), [0, 1], 'the rotation puts the two members that are down first')
    pool.now = slotTime(slot)
    for (const i of [3, 4]) assert.equal(pool.decide(i)(chains[i], slot, pool.now), null, `member ${i} waits for member 2`)
    const p = pool.decide(2)(chains[2], slot, pool.now)
    assert.ok(p !== null && p.proposer === entity.id, 'member 2 leads at the turn\'s start')
    const block = await chains[2].build(p)
    const env = decodeEnvelope((await chains[2].envelopeOf(block))!)
    assert.equal(env.poot.signed.header.revealer, 2)
    assert.deepEqual(env.poot.signed.signatures.map((x) => x.member), [2, 3, 4])
    await pool.publish((await chains[2].envelopeOf(block))!, 2)
    for (const c of chains) assert.equal(c.headPoot.header!.proposer, entity.id)
  })
})

/** Another header of `leader` for the same slot (time moved by 1 ms), its EVM block rebuilt around it, leader-signed. */
function redraft (genesis: Genesis, x: ReturnType<typeof decodeEnvelope>, key: NodeKey, member: number): Uint8Array {
  return reforge(genesis.common, x, { timeMs: nudged(x.poot.signed.header.timeMs), signers: [{ member, key }] })
}
