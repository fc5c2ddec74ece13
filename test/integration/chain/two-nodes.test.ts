// Two in-process nodes of one chain, each holding the keys of some entities, exchanging envelopes as gossip will
// (virtual clock): the scheduled primary proposes; while one node is away, the Server's fallback block fills its
// slots after the leader timeout; the returning node catches up by importing every block and both agree again.
// Side blocks are stored: a restarted node still knows them and follows their branch when it grows.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { Chain as ChainClass, ChainNode, devNodeKeys, devServerKey, localProposer, signersFrom, type Chain, type Clock, type ProposeDecision } from '../../../node/src/chain/index.js'
import { makeBlock, makeVote, slotStartMs } from '../../../protocols/poot/index.js'
import { decodeEnvelope, encodeEnvelope } from '../../../node/src/chain/index.js'
import { devGenesis, openDevChain, produce, removeChainDirs, signedTx, slotTime, DEV_KEYS } from './support.js'

/**
 * On chain `x`: its next slot `s`, the instant a slot's first fallback turn has come (rank 1: the Server's, when the
 * primary is absent), and a proposer holding only the Server key.
 */
function serverFallback (x: Chain): { s: number, turn: (slot: number) => number, serverOnly: ProposeDecision } {
  const { params, genesisMs } = x.genesis.poot
  const turn = (slot: number): number => slotStartMs(genesisMs, params, slot) + params.slotTimeoutMs + 10
  return { s: x.headPoot.slot + 1, turn, serverOnly: localProposer(signersFrom(x, [devServerKey()])) }
}

/**
 * Three blocks of x's, imported by y, and a second envelope for x's head: its header with the time moved by 1 ms,
 * signed by the same proposer (an equivocation).
 */
async function twinOfHead (x: Chain, y: Chain): Promise<{ h: ReturnType<typeof decodeEnvelope>['poot']['signed']['header'], twin: Uint8Array }> {
  for (let i = 0; i < 3; i++) {
    const blk = await produce(x)
    assert.ok((await y.importEnvelope((await x.envelopeOf(blk))!, slotTime(100))).ok)
  }
  const env = decodeEnvelope((await x.envelopeOf(x.head))!)
  const h = env.poot.signed.header
  const key = devNodeKeys(9).find((k) => k.id === h.proposer)!
  const twin = makeBlock({ parentHash: h.parent, slot: h.slot, rank: h.rank, timeMs: h.timeMs + 1, proposer: h.proposer, signers: [{ member: 0, key }], body: env.poot.body })
  return { h, twin: encodeEnvelope({ ...env, poot: twin }) }
}

describe('chain: two in-process nodes, fallback and catch-up', function () {
  this.timeout(120_000)
  let a: Chain
  let b: Chain
  let now = 0
  const clock: Clock = { now: () => now, sleep: async () => {} }
  after(async () => { await a?.close(); await b?.close(); removeChainDirs() })

  it('produces, falls back to the Server while a node is away, and converges', async () => {
    a = await openDevChain()
    b = await openDevChain()
    const nodes = devNodeKeys(9)
    const outbox: Array<{ to: Chain, env: Uint8Array }> = []
    let bOnline = true
    const nodeA = new ChainNode(a, { clock, decide: localProposer(signersFrom(a, [...nodes.slice(0, 5), devServerKey()])), onBlock: (_blk, env) => { if (bOnline) outbox.push({ to: b, env }) } })
    const nodeB = new ChainNode(b, { clock, decide: localProposer(signersFrom(b, nodes.slice(5))), onBlock: (_blk, env) => outbox.push({ to: a, env }) })
    const deliver = async (): Promise<void> => {
      for (const { to, env } of outbox.splice(0)) {
        const r = await to.importEnvelope(env, now)
        assert.ok(r.ok, r.ok ? '' : r.reason)
      }
    }
    const { params, genesisMs } = a.genesis.poot
    const runSlot = async (slot: number): Promise<void> => {
      for (const offset of [10, params.slotTimeoutMs + 10]) {
        now = slotStartMs(genesisMs, params, slot) + offset
        await nodeA.tick()
        if (bOnline) await nodeB.tick()
        await deliver()
      }
    }
    await a.submitRaw(signedTx(a, { nonce: 0n }, DEV_KEYS[5]).serialize())
    for (let s = 1; s <= 12; s++) await runSlot(s)
    assert.equal(bytesToHex(a.head.hash()), bytesToHex(b.head.hash()))
    assert.equal(a.head.header.number, 12n)

    bOnline = false
    const awayFrom = a.head.header.number
    for (let s = 13; s <= 30; s++) await runSlot(s)
    const proposers: Array<{ proposer: string, rank: number }> = []
    for (let n = awayFrom + 1n; n <= a.head.header.number; n++) {
      const h = a.pootState((await a.blockByNumber(n))!.hash())!.header!
      proposers.push({ proposer: h.proposer, rank: h.rank })
    }
    const server = proposers.filter((p) => p.proposer === 'server')
    assert.ok(server.length > 0, 'some slots had an absent primary and got the Server\'s fallback block')
    assert.ok(server.every((p) => p.rank > 0))
    assert.equal(a.head.header.number, 30n, 'every slot got a block: the primary\'s or the fallback')

    // catch-up: B imports A's blocks from its own head on, each re-executed and checked
    for (let n = b.head.header.number + 1n; n <= a.head.header.number; n++) {
      const r = await b.importEnvelope((await a.envelopeOf((await a.blockByNumber(n))!))!, now)
      assert.ok(r.ok, r.ok ? '' : r.reason)
    }
    bOnline = true
    for (let s = 31; s <= 36; s++) await runSlot(s)
    assert.equal(bytesToHex(b.head.hash()), bytesToHex(a.head.hash()))
    assert.equal(bytesToHex(b.head.header.stateRoot), bytesToHex(a.head.header.stateRoot))
    assert.equal(b.headPoot.hash, a.headPoot.hash)
    assert.deepEqual([...b.headPoot.missed], [...a.headPoot.missed])
  })

  it('catches an equivocation: the second signed block becomes evidence, the next block jails the entity everywhere', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      const { h, twin } = await twinOfHead(x, y)
      const r = await y.importEnvelope(twin, slotTime(100))
      assert.equal(r.ok, false)
      assert.match((r as { reason: string }).reason, /^equivocation: /)
      assert.equal(y.pendingEvidence.length, 1)
      const withEvidence = await produce(y)
      assert.equal(decodeEnvelope((await y.envelopeOf(withEvidence))!).poot.body.evidence.length, 1)
      // kept until a block finds the offender jailed: had this block lost to another branch, the next would carry it
      assert.equal(y.pendingEvidence.length, 1)
      assert.ok((y.headPoot.jailedUntil.get(h.proposer) ?? 0) > y.headPoot.slot)
      const imported = await x.importEnvelope((await y.envelopeOf(withEvidence))!, slotTime(100))
      assert.ok(imported.ok, imported.ok ? '' : imported.reason)
      const after = await produce(y)
      assert.equal(decodeEnvelope((await y.envelopeOf(after))!).poot.body.evidence.length, 0, 'already jailed: not included twice')
      assert.equal(y.pendingEvidence.length, 0)
      assert.ok((await x.importEnvelope((await y.envelopeOf(after))!, slotTime(100))).ok)
      assert.ok((x.headPoot.jailedUntil.get(h.proposer) ?? 0) > x.headPoot.slot)
      assert.ok(!x.schedule(x.headPoot.slot + 1).includes(h.proposer), 'a jailed entity is not scheduled')

      // x caught the twin too but never proposes again: it forgets the evidence once the jailing block is final
      assert.match((await x.importEnvelope(twin, slotTime(100)) as { reason: string }).reason, /^equivocation: /)
      assert.equal(x.pendingEvidence.length, 1)
      const decide = localProposer(signersFrom(y, [...devNodeKeys(9), devServerKey()]))
      for (let t = y.headPoot.slot + 1; t < y.headPoot.slot + 30 && x.headPoot.finalizedHeight < Number(withEvidence.header.number); t++) {
        const voted = await y.build({ ...decide(y, t, slotTime(t))!, proofs: devNodeKeys(9).map((k) => makeVote(k, y.headPoot, t - 1)) })
        assert.ok((await x.importEnvelope((await y.envelopeOf(voted))!, slotTime(t, 100))).ok)
      }
      assert.ok(x.headPoot.finalizedHeight >= Number(withEvidence.header.number), `finalized only up to ${x.headPoot.finalizedHeight}`)
      assert.equal(x.pendingEvidence.length, 0)
    } finally { await x.close(); await y.close() }
  })

  it('reorgs to the primary\'s late block over the Server\'s fallback (lower rank wins), and keeps the loser as a side block', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      for (let i = 0; i < 2; i++) {
        const blk = await produce(x)
        assert.ok((await y.importEnvelope((await x.envelopeOf(blk))!, slotTime(100))).ok)
      }
      const slot = x.headPoot.slot + 1
      const { params, genesisMs } = x.genesis.poot
      const start = slotStartMs(genesisMs, params, slot)
      // x holds only the Server key: it publishes the fallback after the timeout; y holds everything: the primary
      const orphan = signedTx(x, { nonce: 0n }, DEV_KEYS[7])
      await x.submitRaw(orphan.serialize())
      const fallback = await x.build(localProposer(signersFrom(x, [devServerKey()]))(x, slot, start + params.slotTimeoutMs + 10)!)
      assert.equal(x.pootState(fallback.hash())!.header!.proposer, 'server')
      assert.equal(fallback.transactions.length, 1)
      assert.equal(x.mempool.size, 0)
      const primary = await y.build(localProposer(signersFrom(y, devNodeKeys(9)))(y, slot, start + 10)!)
      const late = await x.importEnvelope((await y.envelopeOf(primary))!, start + params.slotTimeoutMs + 500)
      assert.ok(late.ok && late.sideChain !== true, late.ok ? 'became a side block' : late.reason)
      assert.equal(bytesToHex(x.head.hash()), bytesToHex(primary.hash()))
      assert.equal(bytesToHex(x.head.header.stateRoot), bytesToHex(y.head.header.stateRoot))
      assert.equal(bytesToHex((await x.blockByNumber(x.head.header.number))!.hash()), bytesToHex(primary.hash()))
      assert.ok(x.mempool.get(bytesToHex(orphan.hash())) !== undefined, 'the abandoned block\'s transaction is pending again')
      const loser = await y.importEnvelope((await x.envelopeOf(fallback))!, start + params.slotTimeoutMs + 500)
      assert.ok(loser.ok && loser.sideChain === true)
      assert.equal(bytesToHex(y.head.hash()), bytesToHex(primary.hash()))
      // both continue on the same chain; the side block is still served by hash
      const next = await produce(y)
      assert.ok((await x.importEnvelope((await y.envelopeOf(next))!, slotTime(100))).ok)
      assert.equal(x.headPoot.hash, y.headPoot.hash)
      assert.ok(await y.blockByHash(fallback.hash()) !== undefined)
    } finally { await x.close(); await y.close() }
  })

  it('evidence carried by a block that loses to another branch is carried again by the next block on the winner', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      // x catches a twin of its head's header: evidence against that proposer, on x only
      const { h, twin } = await twinOfHead(x, y)
      assert.match((await x.importEnvelope(twin, slotTime(100)) as { reason: string }).reason, /^equivocation: /)
      // x's Server fallback for the next slot carries it; y's primary block for that slot wins (lower rank)
      const slot = x.headPoot.slot + 1
      const { params, genesisMs } = x.genesis.poot
      const start = slotStartMs(genesisMs, params, slot)
      const fallback = await x.build(localProposer(signersFrom(x, [devServerKey()]))(x, slot, start + params.slotTimeoutMs + 10)!)
      assert.equal(decodeEnvelope((await x.envelopeOf(fallback))!).poot.body.evidence.length, 1)
      const primary = await y.build(localProposer(signersFrom(y, devNodeKeys(9)))(y, slot, start + 10)!)
      const won = await x.importEnvelope((await y.envelopeOf(primary))!, start + params.slotTimeoutMs + 500)
      assert.ok(won.ok && won.sideChain !== true, won.ok ? 'became a side block' : won.reason)
      assert.equal(x.headPoot.jailedUntil.get(h.proposer), undefined, 'the winning branch has not jailed it')
      // the next block on the winner carries the evidence again, and jails the proposer there
      const next = await produce(x)
      assert.equal(decodeEnvelope((await x.envelopeOf(next))!).poot.body.evidence.length, 1)
      assert.ok((x.headPoot.jailedUntil.get(h.proposer) ?? 0) > x.headPoot.slot)
      assert.ok((await y.importEnvelope((await x.envelopeOf(next))!, slotTime(100))).ok)
      assert.ok((y.headPoot.jailedUntil.get(h.proposer) ?? 0) > y.headPoot.slot)
    } finally { await x.close(); await y.close() }
  })

  it('reorgs to a side block\'s child, and a proposer reorged below a slot it led does not sign that slot again', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      const blk = await produce(x)
      assert.ok((await y.importEnvelope((await x.envelopeOf(blk))!, slotTime(100))).ok)
      const { s, turn, serverOnly } = serverFallback(x)
      // y: the primary's blocks for s and s + 1; x (the Server only, cut off from y): fallbacks for s, s + 1, s + 2;
      // a transaction both had is in p1 and in f1
      const tx = signedTx(x, { nonce: 0n }, DEV_KEYS[8])
      for (const c of [x, y]) await c.submitRaw(tx.serialize())
      const located = async (): Promise<string> => bytesToHex((await y.store.txLocation(tx.hash()))!.blockHash)
      const p1 = await produce(y, s)
      await produce(y, s + 1)
      const f1 = await x.build(serverOnly(x, s, turn(s))!)
      const f2 = await x.build(serverOnly(x, s + 1, turn(s + 1))!)
      const f3 = await x.build(serverOnly(x, s + 2, turn(s + 2))!)
      // y keeps its primary's block over f1 (lower rank); f2 is f1's child at y's height (side too), f3 is higher:
      // y executes it on its side parent f2 (whose header is not in ethereumjs' Blockchain) and reorgs to it
      for (const [b, side] of [[f1, true], [f2, true], [f3, false]] as const) {
        const r = await y.importEnvelope((await x.envelopeOf(b))!, turn(s + 2) + 100)
        assert.ok(r.ok, r.ok ? '' : r.reason)
        assert.equal(r.sideChain === true, side)
        // the transaction's index entry stays with the canonical block that has it
        assert.equal(await located(), bytesToHex((side ? p1 : f1).hash()))
      }
      assert.equal(f1.transactions.length, 1)
      assert.equal(p1.transactions.length, 1)
      assert.equal(bytesToHex(y.head.hash()), bytesToHex(f3.hash()))
      assert.equal(bytesToHex(y.head.header.stateRoot), bytesToHex(x.head.header.stateRoot))
      assert.equal(bytesToHex((await y.blockByNumber(p1.header.number))!.hash()), bytesToHex(f1.hash()))

      // y's primary leads s + 3, x (not hearing it) its Server's fallback for s + 4; then y's block reaches x and wins
      // (same height, lower rank): x's head is back at s + 3 while s + 4, which its Server led, is still running
      const q = await produce(y, s + 3)
      const g = await x.build(serverOnly(x, s + 4, turn(s + 4))!)
      assert.equal(g.header.number, q.header.number)
      const r = await x.importEnvelope((await y.envelopeOf(q))!, turn(s + 4) + 100)
      assert.ok(r.ok && r.sideChain !== true, r.ok ? 'the primary\'s block stayed a side block' : r.reason)
      assert.equal(x.headPoot.slot, s + 3)
      assert.equal(x.hasSigned(s + 4, 'server'), true)
      assert.equal(serverOnly(x, s + 4, turn(s + 4) + 200), null, 'the Server would sign a second block for its slot')
      await assert.rejects(x.build({ slot: s + 4, rank: 1, timeMs: turn(s + 4) + 200, proposer: 'server', signers: [{ member: 0, key: devServerKey() }] }), /already signed a block for slot/)
    } finally { await x.close(); await y.close() }
  })

  it('executes a side block with BLOCKHASH reading its own branch, not the canonical block of that height', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      // runtime: storage[0] = blockhash(number - 1); the init code returns it
      const runtime = '43600190034060005500'
      const init = '0x600a600c600039600a6000f3' + runtime
      const from = new ethers.Wallet(DEV_KEYS[6]).address
      const contract = createAddressFromString(ethers.getCreateAddress({ from, nonce: 0 }))
      await x.submitRaw(signedTx(x, { nonce: 0n, to: undefined, value: 0n, gasLimit: 200_000n, data: hexToBytes(init as `0x${string}`) }, DEV_KEYS[6]).serialize())
      assert.ok((await y.importEnvelope((await x.envelopeOf(await produce(x)))!, slotTime(100))).ok)
      const { s, turn, serverOnly } = serverFallback(x)
      const p1 = await produce(y, s)
      await produce(y, s + 1)
      // x's side branch: f2 calls the contract, which stores f1's hash (on y, p1 is the canonical block of that height)
      const f1 = await x.build(serverOnly(x, s, turn(s))!)
      await x.submitRaw(signedTx(x, { nonce: 1n, to: contract.toString(), value: 0n, gasLimit: 100_000n }, DEV_KEYS[6]).serialize())
      const f2 = await x.build(serverOnly(x, s + 1, turn(s + 1))!)
      assert.equal(f2.transactions.length, 1)
      const f3 = await x.build(serverOnly(x, s + 2, turn(s + 2))!)
      const stored = async (c: Chain): Promise<string> => bytesToHex(await (await c.stateAt(c.head.header.stateRoot)).getStorage(contract, new Uint8Array(32)))
      assert.equal(await stored(x), bytesToHex(f1.hash()))
      assert.notEqual(bytesToHex(f1.hash()), bytesToHex(p1.hash()))
      for (const [b, side] of [[f1, true], [f2, true], [f3, false]] as const) {
        const r = await y.importEnvelope((await x.envelopeOf(b))!, turn(s + 2) + 100)
        assert.ok(r.ok, r.ok ? '' : r.reason)
        assert.equal(r.sideChain === true, side)
      }
      assert.equal(bytesToHex(y.head.hash()), bytesToHex(f3.hash()))
      assert.equal(await stored(y), bytesToHex(f1.hash()))
      // and a canonical child reads the canonical chain as before
      await y.submitRaw(signedTx(y, { nonce: 2n, to: contract.toString(), value: 0n, gasLimit: 100_000n }, DEV_KEYS[6]).serialize())
      const c = await produce(y)
      assert.ok((await x.importEnvelope((await y.envelopeOf(c))!, slotTime(100))).ok)
      assert.equal(await stored(y), bytesToHex(f3.hash()))
      assert.equal(await stored(x), bytesToHex(f3.hash()))
    } finally { await x.close(); await y.close() }
  })

  it('keeps its side blocks across a restart: their branch still imports and wins, the loser is kept in turn', async () => {
    const x = await openDevChain()
    const dir = mkdtempSync(join(tmpdir(), 'lucid-side-restart-'))
    const reopen = async (): Promise<Chain> => await ChainClass.open({ dir, genesis: await devGenesis() })
    let y = await reopen()
    try {
      assert.ok((await y.importEnvelope((await x.envelopeOf(await produce(x)))!, slotTime(100))).ok)
      const { s, turn, serverOnly } = serverFallback(x)
      const p1 = await produce(y, s)
      const p2 = await produce(y, s + 1)
      const f1 = await x.build(serverOnly(x, s, turn(s))!)
      const f2 = await x.build(serverOnly(x, s + 1, turn(s + 1))!)
      const f3 = await x.build(serverOnly(x, s + 2, turn(s + 2))!)
      for (const b of [f1, f2]) {
        const r = await y.importEnvelope((await x.envelopeOf(b))!, turn(s + 2) + 100)
        assert.ok(r.ok && r.sideChain === true, r.ok ? 'canonical' : r.reason)
      }
      const head = bytesToHex(y.head.hash())

      await y.close()
      y = await reopen()
      assert.equal(bytesToHex(y.head.hash()), head, 'the same head after the restart')
      assert.ok(await y.blockByHash(f2.hash()) !== undefined, 'the side block is known again')
      assert.equal(y.hasSigned(s, 'server'), true, 'and so is the Server\'s signed header for its slot')
      // f3 extends the side branch: executed on f2's state, and the branch wins
      const r = await y.importEnvelope((await x.envelopeOf(f3))!, turn(s + 2) + 100)
      assert.ok(r.ok && r.sideChain !== true, r.ok ? 'stayed a side block' : r.reason)
      assert.equal(bytesToHex(y.head.hash()), bytesToHex(f3.hash()))
      assert.equal(bytesToHex(y.head.header.stateRoot), bytesToHex(x.head.header.stateRoot))

      // the abandoned branch is a side branch now, and survives the next restart; the new canonical blocks are not marked
      await y.close()
      y = await reopen()
      assert.equal(bytesToHex(y.head.hash()), bytesToHex(f3.hash()))
      assert.ok(await y.blockByHash(p1.hash()) !== undefined)
      assert.equal(bytesToHex((await y.blockByNumber(p1.header.number))!.hash()), bytesToHex(f1.hash()))
      assert.deepEqual((await y.store.sideBlocks()).map((h) => bytesToHex(h)).sort(), [p1, p2].map((b) => bytesToHex(b.hash())).sort())
    } finally {
      await x.close()
      await y.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('forgets a side block once finality passes its height, and it stays forgotten after a restart', async () => {
    const x = await openDevChain()
    const dir = mkdtempSync(join(tmpdir(), 'lucid-side-final-'))
    const reopen = async (): Promise<Chain> => await ChainClass.open({ dir, genesis: await devGenesis() })
    let y = await reopen()
    try {
      assert.ok((await y.importEnvelope((await x.envelopeOf(await produce(x)))!, slotTime(100))).ok)
      const { s, turn, serverOnly } = serverFallback(x)
      await produce(y, s)
      const f1 = await x.build(serverOnly(x, s, turn(s))!)
      const r = await y.importEnvelope((await x.envelopeOf(f1))!, turn(s) + 100)
      assert.ok(r.ok && r.sideChain === true, r.ok ? 'canonical' : r.reason)
      assert.deepEqual((await y.store.sideBlocks()).map((h) => bytesToHex(h)), [bytesToHex(f1.hash())])
      // every entity votes for y's head each slot until the side block's height is final
      const decide = localProposer(signersFrom(y, [...devNodeKeys(9), devServerKey()]))
      for (let t = s + 1; t < s + 30 && y.headPoot.finalizedHeight < Number(f1.header.number); t++) {
        const votes = devNodeKeys(9).map((k) => makeVote(k, y.headPoot, t - 1))
        await y.build({ ...decide(y, t, slotTime(t))!, proofs: votes })
        assert.ok(await y.blockByHash(f1.hash()) !== undefined || y.headPoot.finalizedHeight >= Number(f1.header.number), 'forgotten before its height is final')
      }
      assert.ok(y.headPoot.finalizedHeight >= Number(f1.header.number), `finalized only up to ${y.headPoot.finalizedHeight}`)
      assert.equal(await y.blockByHash(f1.hash()), undefined)
      assert.deepEqual(await y.store.sideBlocks(), [])
      // its PoOT state is forgotten too: offered again, it is refused as below finality, not answered as known
      assert.equal(y.pootState(f1.hash()), undefined)
      const again = await y.importEnvelope((await x.envelopeOf(f1))!, slotTime(s + 40))
      assert.ok(!again.ok && /conflicts-with-finalized/.test(again.reason), JSON.stringify(again))
      await y.close()
      y = await reopen()
      assert.equal(await y.blockByHash(f1.hash()), undefined, 'not known again after a restart')
    } finally {
      await x.close()
      await y.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('forgets a side block above the finalized height once its branch left the finalized line below it', async () => {
    const x = await openDevChain()
    const y = await openDevChain()
    try {
      assert.ok((await y.importEnvelope((await x.envelopeOf(await produce(x)))!, slotTime(100))).ok)
      const { s, turn, serverOnly } = serverFallback(x)
      // y's blocks carry every node's votes for the slot before: its chain is justified, finality trails its head
      const decide = localProposer(signersFrom(y, [...devNodeKeys(9), devServerKey()]))
      const voted = async (t: number): Promise<void> => { await y.build({ ...decide(y, t, slotTime(t))!, proofs: devNodeKeys(9).map((k) => makeVote(k, y.headPoot, t - 1)) }) }
      await voted(s)
      await voted(s + 1)
      // a five-block branch on x from the Server's fallback block at slot s, without votes: longer than y's chain
      const branch = [await x.build(serverOnly(x, s, turn(s))!)]
      for (let t = s + 1; t <= s + 4; t++) branch.push(await produce(x, t))
      const [f1, tip] = [branch[0], branch[branch.length - 1]]
      assert.ok(y.headPoot.finalizedHeight < Number(f1.header.number))
      // y keeps its justified chain: the whole branch is side blocks
      for (const f of branch) {
        const r = await y.importEnvelope((await x.envelopeOf(f))!, slotTime(s + 4, 3000))
        assert.ok(r.ok && r.sideChain === true, r.ok ? 'canonical' : r.reason)
      }
      for (let t = s + 5; t < s + 40 && y.headPoot.finalizedHeight < Number(f1.header.number); t++) await voted(t)
      assert.ok(y.headPoot.finalizedHeight >= Number(f1.header.number) && y.headPoot.finalizedHeight < Number(tip.header.number),
        `finalized ${y.headPoot.finalizedHeight}: below the branch's tip at ${tip.header.number}, so only the branch rule forgets it`)
      for (const f of branch) {
        assert.equal(await y.blockByHash(f.hash()), undefined)
        assert.equal(y.pootState(f.hash()), undefined)
      }
      assert.deepEqual(await y.store.sideBlocks(), [])
    } finally {
      await x.close()
      await y.close()
    }
  })
})
