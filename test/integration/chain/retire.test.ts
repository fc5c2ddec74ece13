// A chain retires the PoOT states deep below finality (protocols/poot retire.ts): after 200 voted blocks the old
// states hold only their place in the chain, a follower importing every block still reaches the same states and
// roots, a restarted node retires again after its replay, and a block built on a state below finality is refused
// before any work.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBlock, createBlockFromRLP } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom, decodeEnvelope, encodeEnvelope } from '../../../node/src/chain/index.js'
import { RETIRE_DEPTH, makeBlock, makeVote, type ChainState } from '../../../protocols/poot/index.js'
import { devGenesis, openDevChain, removeChainDirs, slotTime } from './support.js'

describe('chain: retiring PoOT states below finality', function () {
  this.timeout(120_000)
  after(removeChainDirs)

  it('keeps what the rules read, agrees with a follower, retires again after a restart, refuses blocks below finality', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucid-retire-'))
    const open = async (): Promise<Chain> => await Chain.open({ dir, genesis: await devGenesis() })
    let leader = await open()
    const follower = await openDevChain()
    try {
      const keys = devNodeKeys(9)
      const decide = localProposer(signersFrom(leader, [...keys, devServerKey()]))
      const blocks = RETIRE_DEPTH + 72
      for (let slot = 1; slot <= blocks; slot++) {
        const votes = slot > 1 ? keys.map((k) => makeVote(k, leader.headPoot, slot - 1)) : []
        const block = await leader.build({ ...decide(leader, slot, slotTime(slot))!, proofs: votes })
        const r = await follower.importEnvelope((await leader.envelopeOf(block))!, slotTime(slot, 500))
        assert.ok(r.ok, r.ok ? '' : r.reason)
      }
      const stateAt = async (c: Chain, n: number): Promise<ChainState> => c.pootState((await c.blockByNumber(BigInt(n)))!.hash())!
      assert.ok(leader.headPoot.finalizedHeight >= blocks - 2, `finalized at ${leader.headPoot.finalizedHeight}`)
      const retiredTop = leader.headPoot.finalizedHeight - RETIRE_DEPTH
      for (const c of [leader, follower]) {
        const old = await stateAt(c, retiredTop)
        assert.equal(old.proofKeys.size, 0, 'an old state keeps no proof keys')
        assert.equal(old.credits.size, 0)
        assert.ok((await stateAt(c, retiredTop + 1)).proofKeys.size > 0, 'a state above the depth keeps them')
        assert.equal(c.headPoot.hash, leader.headPoot.hash)
        assert.equal(bytesToHex(c.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
      }
      assert.deepEqual([...follower.headPoot.credits], [...leader.headPoot.credits])

      // a restart replays every block and retires again
      const head = leader.headPoot.hash
      await leader.close()
      leader = await open()
      assert.equal(leader.headPoot.hash, head)
      assert.equal((await stateAt(leader, retiredTop)).proofKeys.size, 0)

      // a block on a parent below the finalized one (block 3), for a slot nobody signed yet, is refused at once
      const env = decodeEnvelope((await leader.envelopeOf((await leader.blockByNumber(4n))!))!)
      const evm = createBlockFromRLP(env.evm, { common: leader.common })
      const other = createBlock({ header: { ...evm.header.toJSON(), extraData: '0x01' } }, { common: leader.common })
      const slot = blocks + 10
      const fork = makeBlock({ parentHash: (await stateAt(leader, 3)).hash, slot, rank: 0, timeMs: slotTime(slot), proposer: keys[0].id, signers: [{ member: 0, key: keys[0] }], body: { ...env.poot.body, proofs: [] } })
      const r = await follower.importEnvelope(encodeEnvelope({ ...env, evm: other.serialize(), poot: fork }), slotTime(slot))
      assert.deepEqual(r, { ok: false, reason: 'fork-choice: conflicts-with-finalized' })
    } finally {
      await leader.close()
      await follower.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
