// A pool entity (3 members, 2 signatures) whose members are three in-process chains, each holding only its own key:
// the member whose turn it is drafts the block and the others co-sign it (Chain.cosign, no network); a member signs
// at most one header per slot, also after a restart; a leader without enough signatures stores nothing and does not
// lead that slot again, and the Server's fallback takes it.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { poolEntity, type NodeKey } from '../../../protocols/poot/index.js'
import { leaderOrder } from '../../../protocols/poot/pool-turns.js'
import { Chain, buildGenesis, checkGenesisSpec, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom, poolMembershipsFrom, decodeEnvelope, encodeEnvelope, type Cosigner, type Genesis, type PoolMembership } from '../../../node/src/chain/index.js'
import { nudged, reforge } from './reforge.js'
import { gatherCosignatures } from '../../../node/src/chainnet/cosign-gather.js'
import { GENESIS_MS, SLOT_MS, slotTime } from './support.js'

const members = devNodeKeys(3)
const entity = poolEntity(members.map((k) => k.id), 2)

describe('chain: a pool entity co-signed by members in separate chains', function () {
  this.timeout(120_000)
  let genesis: Genesis
  const dirs: string[] = []
  const chains: Chain[] = []
  /** the members each chain may ask (a member cut off is not asked) */
  let reachable = new Set([0, 1, 2])

  const open = async (dir: string): Promise<Chain> => await Chain.open({ dir, genesis })
  const cosigner = (m: PoolMembership, deadlineMs: number): Cosigner => async (partial, signs) => await gatherCosignatures(m, signs, deadlineMs, async (member) => {
    if (!reachable.has(member)) throw new Error('unreachable')
    const r = await chains[member].cosign(partial, { member, key: members[member] }, now)
    return r.ok ? { ok: true, member, poot: r.poot, seal: r.seal } : r
  })
  const decide = (i: number): ReturnType<typeof localProposer> => localProposer(signersFrom(chains[i], i === 0 ? [members[0], devServerKey()] : [members[i]]), { members: poolMembershipsFrom(chains[i], [members[i]]), cosigner })
  let now = 0

  /** Every chain imports `env` (the others of its producer). */
  const publish = async (env: Uint8Array, from: number): Promise<void> => {
    for (let i = 0; i < chains.length; i++) {
      if (i === from) continue
      const r = await chains[i].importEnvelope(env, now)
      assert.ok(r.ok, r.ok ? '' : `chain ${i}: ${r.reason}`)
    }
  }
  /** The Server (held by chain 0) fills slots up to `last`, every chain importing. */
  const serverUpTo = async (last: number): Promise<void> => {
    for (let s = chains[0].headPoot.slot + 1; s <= last; s++) {
      now = slotTime(s, 1010)
      const p = decide(0)(chains[0], s, now)
      assert.ok(p !== null && p.proposer === 'server', `slot ${s}: ${p?.proposer ?? 'nobody'} proposes`)
      const b = await chains[0].build(p)
      await publish((await chains[0].envelopeOf(b))!, 0)
    }
  }

  before(async () => {
    const base = devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })
    genesis = await buildGenesis(checkGenesisSpec({ ...base, entities: [{ members: members.map((k) => k.id), threshold: 2, rewardAddress: base.entities[0].rewardAddress }] }))
    for (let i = 0; i < 3; i++) { dirs.push(mkdtempSync(join(tmpdir(), 'lucid-pool-'))); chains.push(await open(dirs[i])) }
    // as a node does at start: a co-signer re-executes the draft within the leader's deadline (300 ms at 1 s turns)
    await Promise.all(chains.map(async (c) => { await c.warmExecution() }))
  })
  after(async () => { for (const c of chains) await c.close(); for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

  it('the member whose turn it is drafts the block, another signs it, every member imports it', async () => {
    assert.equal(chains[0].schedule(1)[0], entity.id, 'the pool is slot 1\'s primary')
    const leader = leaderOrder(entity, 1)[0]
    now = slotTime(1)
    for (let i = 0; i < 3; i++) if (i !== leader) assert.equal(decide(i)(chains[i], 1, now), null, `member ${i} does not lead at the turn's start`)
    const p = decide(leader)(chains[leader], 1, now)
    assert.ok(p !== null && p.proposer === entity.id && p.cosign !== undefined)
    const block = await chains[leader].build(p)
    const env = decodeEnvelope((await chains[leader].envelopeOf(block))!)
    assert.equal(env.poot.signed.header.proposer, entity.id)
    assert.equal(env.poot.signed.header.revealer, leader)
    assert.equal(env.poot.signed.signatures.length, 2)
    assert.ok(env.poot.signed.signatures.some((s) => s.member === leader))
    assert.deepEqual(env.seal.map((s) => s.member), env.poot.signed.signatures.map((s) => s.member))
    await publish((await chains[leader].envelopeOf(block))!, leader)
    for (const c of chains) assert.equal(bytesToHex(c.head.hash()), bytesToHex(block.hash()))
    // nobody leads the slot again: the block is known, and the co-signers recorded what they signed
    now = slotTime(1, 600)
    for (let i = 0; i < 3; i++) assert.equal(decide(i)(chains[i], 1, now), null)
  })

  it('a member refuses to sign a second, different header for a slot it signed, also after a restart', async () => {
    // the pool's next slot, with member 1 leading and only member 2 reachable
    await serverUpTo(9)
    const slot = 10
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    const leader = leaderOrder(entity, slot)[0]
    const other = [0, 1, 2].find((i) => i !== leader && i !== 0) as number
    reachable = new Set([other])
    now = slotTime(slot)
    const p = decide(leader)(chains[leader], slot, now)
    assert.ok(p !== null)
    const block = await chains[leader].build(p)
    const raw = (await chains[leader].envelopeOf(block))!
    const x = decodeEnvelope(raw)
    assert.deepEqual(x.poot.signed.signatures.map((s) => s.member).sort(), [leader, other].sort())
    // a second draft for the slot: the same leader's header with another time, its EVM block rebuilt around it
    const y = redraft(genesis, x, members[leader], leader)
    const refused = await chains[other].cosign(y, { member: other, key: members[other] }, now)
    assert.deepEqual(refused.ok ? 'signed' : refused.reason.split(':')[0], 'already-signed')
    // member 0 signed neither: it signs the first it sees (x's draft) and then refuses y
    const draftX = encodeEnvelope({ ...x, poot: { ...x.poot, signed: { ...x.poot.signed, signatures: x.poot.signed.signatures.filter((s) => s.member === leader) } }, seal: x.seal.filter((s) => s.member === leader) })
    assert.ok((await chains[0].cosign(draftX, { member: 0, key: members[0] }, now)).ok)
    const second = await chains[0].cosign(y, { member: 0, key: members[0] }, now)
    assert.ok(!second.ok && second.reason.startsWith('already-signed: this member signed another header'), second.ok ? 'signed' : second.reason)
    // after a restart: the record is durable
    await chains[other].close()
    chains[other] = await open(dirs[other])
    await chains[other].warmExecution()
    const again = await chains[other].cosign(y, { member: other, key: members[other] }, now)
    assert.ok(!again.ok && again.reason.startsWith('already-signed'), again.ok ? 'signed after a restart' : again.reason)
    assert.ok((await chains[other].cosign(draftX, { member: other, key: members[other] }, now)).ok, 'the same header may be signed again')
    await publish(raw, leader)
  })

  it('a leader without enough signatures stores nothing and does not lead the slot again; the next member takes over', async () => {
    await serverUpTo(18)
    const slot = 19
    assert.equal(chains[0].schedule(slot)[0], entity.id)
    const [leader, next] = leaderOrder(entity, slot)
    assert.deepEqual([leader, next], [1, 2])
    reachable = new Set()
    now = slotTime(slot)
    const head = bytesToHex(chains[leader].head.hash())
    const p = decide(leader)(chains[leader], slot, now)
    assert.ok(p !== null)
    await assert.rejects(chains[leader].build(p), /1 of 2 signatures/)
    assert.equal(bytesToHex(chains[leader].head.hash()), head)
    assert.equal(decide(leader)(chains[leader], slot, slotTime(slot, 100)), null, 'it signed a header for the slot: no second one')
    // the designated member is away: the next in order takes over half a turn later, with member 0's signature
    assert.equal(decide(next)(chains[next], slot, slotTime(slot, 100)), null, 'not before its turn')
    reachable = new Set([0])
    now = slotTime(slot, 510)
    const q = decide(next)(chains[next], slot, now)
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
    reachable = new Set()
    for (const offset of [10, 510]) {
      now = slotTime(slot, offset)
      for (let i = 1; i < 3; i++) {
        const p = decide(i)(chains[i], slot, now)
        if (p !== null) await assert.rejects(chains[i].build(p), /below-threshold/)
      }
    }
    await serverUpTo(slot)
    const h = chains[0].headPoot.header!
    assert.deepEqual([h.slot, h.proposer, h.rank], [slot, 'server', 1])
  })
})

/** Another header of `leader` for the same slot (time moved by 1 ms), its EVM block rebuilt around it, leader-signed. */
function redraft (genesis: Genesis, x: ReturnType<typeof decodeEnvelope>, key: NodeKey, member: number): Uint8Array {
  return reforge(genesis.common, x, { timeMs: nudged(x.poot.signed.header.timeMs), signers: [{ member, key }] })
}
