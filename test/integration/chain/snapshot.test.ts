// A restart resumes the PoOT states from the snapshot stored at the finalized block (node/src/chain poot-snapshot.ts)
// and replays only the blocks above it: with hour-long slots (a 72-block credit window) and a snapshot every 50
// finalized blocks, after 150 voted blocks a snapshot is stored while running and at close; the reopened chain
// replays 2 blocks, not 150, and holds the same states as a copy of its store whose snapshot is unreadable (that one
// replays everything, as a store without a snapshot does): the same head state, the same old states, pruned blocks
// served alike; both then build on, a follower imports the blocks, and every state root and PoOT state agrees.
import { strict as assert } from 'node:assert'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { bytesToHex, utf8ToBytes } from '@ethereumjs/util'
import { Chain, buildGenesis, checkGenesisSpec, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { decodePootSnapshot } from '../../../node/src/chain/poot-snapshot.js'
import { makeVote, type ChainState } from '../../../protocols/poot/index.js'
import { GENESIS_MS } from './support.js'

const SLOT_MS = 3_600_000
const slotTime = (slot: number): number => GENESIS_MS + slot * SLOT_MS + 10

/** What a state answers as a parent or a head. */
function view (s: ChainState): unknown {
  return {
    hash: s.hash, height: s.height, credits: [...s.credits], delta: [...s.delta], windowStart: s.windowStart, finalized: s.finalized, justified: s.justified,
    links: [...s.links], missed: [...s.missed], earned: [...s.earned], totalMinted: s.totalMinted, epochBeats: s.epochBeats, mix: s.mix,
    uptime: [...s.uptime], openChallenges: s.openChallenges, catalog: s.catalog, jailedUntil: [...s.jailedUntil], proofKeys: [...s.proofKeys], sessionsFrom: s.sessionsFrom
  }
}

describe('chain: restarting from a PoOT snapshot at the finalized block', function () {
  this.timeout(240_000)

  it('replays only the blocks above it and reaches the states a full replay reaches', async () => {
    const genesis = await buildGenesis(checkGenesisSpec(devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })))
    const dirs = [0, 1, 2].map((i) => mkdtempSync(join(tmpdir(), `lucid-snapshot-${i}-`)))
    const [leaderDir, copyDir, followerDir] = dirs
    const open = async (dir: string): Promise<Chain> => await Chain.open({ dir, genesis, snapshotEvery: 50 })
    let leader = await open(leaderDir)
    const follower = await open(followerDir)
    let copy: Chain | undefined
    const keys = devNodeKeys(9)
    const build = async (slot: number, importers: Chain[]): Promise<void> => {
      const votes = slot > 1 ? keys.map((k) => makeVote(k, leader.headPoot, slot - 1)) : []
      const block = await leader.build({ ...localProposer(signersFrom(leader, [...keys, devServerKey()]))(leader, slot, slotTime(slot))!, proofs: votes })
      for (const c of importers) {
        const r = await c.importEnvelope((await leader.envelopeOf(block))!, slotTime(slot) + 500)
        assert.ok(r.ok, `slot ${slot}: ${r.ok ? '' : r.reason}`)
        assert.equal(bytesToHex(c.head.header.stateRoot), bytesToHex(block.header.stateRoot))
        assert.equal(c.headPoot.hash, leader.headPoot.hash)
      }
    }
    try {
      assert.deepEqual(leader.opened, { fromSnapshot: null, replayed: 0 })
      for (let slot = 1; slot <= 150; slot++) await build(slot, [follower])
      // stored while running, each time finality passed 50 more blocks
      const running = decodePootSnapshot((await leader.store.snapshot())!)
      assert.ok(running.ok && running.snapshot.height > leader.headPoot.finalizedHeight - 50, 'a snapshot is stored as finality advances')
      const head = leader.headPoot
      const finalized = head.finalizedHeight
      await leader.close() // stores one at the finalized block

      // a copy of the store whose snapshot is unreadable replays every block
      cpSync(leaderDir, copyDir, { recursive: true })
      const level = new ClassicLevel<Uint8Array, Uint8Array>(copyDir, { keyEncoding: 'view', valueEncoding: 'view' })
      await level.sublevel<Uint8Array, Uint8Array>('meta', { keyEncoding: 'view', valueEncoding: 'view' }).put(utf8ToBytes('poot-snapshot'), new Uint8Array([1, 2, 3]))
      await level.close()

      leader = await open(leaderDir)
      copy = await open(copyDir)
      assert.deepEqual(leader.opened, { fromSnapshot: finalized, replayed: 150 - finalized })
      assert.deepEqual(copy.opened, { fromSnapshot: null, replayed: 150 })
      for (const c of [leader, copy]) assert.equal(c.headPoot.hash, head.hash)
      assert.deepEqual(view(leader.headPoot), view(copy.headPoot))
      assert.equal(leader.statesKept, copy.statesKept)
      for (const n of [3, 60, 100, finalized - 1, finalized]) {
        const block = (await leader.blockByNumber(BigInt(n)))!
        assert.equal(bytesToHex((await leader.blockByHash(block.hash()))!.hash()), bytesToHex(block.hash()), `block ${n} served`)
        const [a, b]: Array<ChainState | undefined> = [leader.pootState(block.hash()), copy.pootState(block.hash())]
        assert.deepEqual(a === undefined ? undefined : view(a), b === undefined ? undefined : view(b), `block ${n}'s state`)
      }

      // both build on alike: the copy and the follower import the resumed leader's blocks
      for (let slot = 151; slot <= 170; slot++) await build(slot, [copy, follower])
      assert.deepEqual(view(leader.headPoot), view(copy.headPoot))
    } finally {
      for (const c of [leader, follower, copy]) await c?.close()
      for (const d of dirs) rmSync(d, { recursive: true, force: true })
    }
  })
})
