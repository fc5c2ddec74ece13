// A long-running chain prunes the PoOT states below finality and below the finalized credit window (protocols/poot
// retire.ts): with hour-long slots the 3-day window is 72 blocks, so after 200 voted blocks the chain holds about
// 200 states, not one a block, before and after a restart. What needs the old blocks still works: they are served
// from the store, and a payout epoch longer than what is kept (240 slots) is written with the holders of all of its
// blocks (each recorded by the block after the one that made it) by a node that restarted inside it, agreeing with a
// follower that imported every block; the entitlements are read back from the record kept with the block.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { bytesToHex, createAddressFromString } from '@ethereumjs/util'
import { Chain, buildGenesis, checkGenesisSpec, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { payoutBatchesInterface } from '../../../node/src/chain/payout-system.js'
import { RETIRE_DEPTH, makeVote, windowSlots } from '../../../protocols/poot/index.js'
import { DEV_KEYS, GENESIS_MS, signedTx } from './support.js'

const SLOT_MS = 3_600_000
const EPOCH_SLOTS = 240
const slotTime = (slot: number): number => GENESIS_MS + slot * SLOT_MS + 10

describe('chain: pruning PoOT states below the finalized credit window', function () {
  this.timeout(240_000)

  it('keeps memory to the window, serves pruned blocks, and writes a payout epoch longer than what is kept after a restart', async () => {
    const spec = devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })
    const genesis = await buildGenesis(checkGenesisSpec({ ...spec, payout: { ...spec.payout, epochSlots: EPOCH_SLOTS } }))
    assert.equal(windowSlots(genesis.poot.params), 72)
    const leaderDir = mkdtempSync(join(tmpdir(), 'lucid-prune-leader-'))
    const followerDir = mkdtempSync(join(tmpdir(), 'lucid-prune-follower-'))
    let leader = await Chain.open({ dir: leaderDir, genesis })
    const follower = await Chain.open({ dir: followerDir, genesis })
    const keys = devNodeKeys(9)
    const holder = '0x' + 'c7'.repeat(20) // paid once, in block 3, long pruned when the epoch is written
    const step = async (slot: number): Promise<void> => {
      const votes = slot > 1 ? keys.map((k) => makeVote(k, leader.headPoot, slot - 1)) : []
      const decide = localProposer(signersFrom(leader, [...keys, devServerKey()]))
      const block = await leader.build({ ...decide(leader, slot, slotTime(slot))!, proofs: votes })
      const r = await follower.importEnvelope((await leader.envelopeOf(block))!, slotTime(slot) + 500)
      assert.ok(r.ok, `slot ${slot}: ${r.ok ? '' : r.reason}`)
      assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot), `slot ${slot}: the follower's state root`)
    }
    try {
      for (let slot = 1; slot <= 200; slot++) {
        if (slot === 3) await leader.submitRaw(signedTx(leader, { nonce: 0n, to: createAddressFromString(holder), value: ethers.parseEther('1000') }, DEV_KEYS[4]).serialize())
        await step(slot)
      }
      const old = (await leader.blockByNumber(3n))!
      assert.equal(old.transactions.length, 1)
      // genesis and the blocks from RETIRE_DEPTH below the finalized one (above the finalized window's start, 72 below it)
      const kept = (): number => 200 - (leader.headPoot.finalizedHeight - RETIRE_DEPTH) + 1
      for (const c of [leader, follower]) {
        assert.ok(c.headPoot.finalizedHeight >= 198, `finalized at ${c.headPoot.finalizedHeight}`)
        assert.ok(c.statesKept <= kept(), `${c.statesKept} states kept after 200 blocks`)
        assert.equal(c.pootState(old.hash()), undefined, 'block 3\'s state is pruned')
        // a pruned block is still served, by hash and by number
        assert.equal(bytesToHex((await c.blockByHash(old.hash()))!.hash()), bytesToHex(old.hash()))
      }
      assert.equal(await leader.blockByHash(new Uint8Array(32).fill(9)), undefined)

      // a restart replays every block and prunes as it goes; inside payout epoch 0, so it has no epoch accounts yet
      const head = leader.headPoot.hash
      await leader.close()
      leader = await Chain.open({ dir: leaderDir, genesis })
      assert.equal(leader.headPoot.hash, head)
      assert.ok(leader.statesKept <= kept(), `${leader.statesKept} states kept after a restart`)

      // the first block of payout epoch 1 writes epoch 0 on the restarted leader: 239 blocks, most pruned
      for (let slot = 201; slot <= EPOCH_SLOTS + 1; slot++) await step(slot)
      const view = async (c: Chain, fn: string, args: unknown[]): Promise<ethers.Result> => {
        const r = await c.call({ to: createAddressFromString(c.genesis.contracts.PayoutBatches), data: ethers.getBytes(payoutBatchesInterface().encodeFunctionData(fn, args)) }, c.head)
        assert.ok(r.ok, `${fn} failed`)
        return payoutBatchesInterface().decodeFunctionResult(fn, r.returnValue)
      }
      const [written, , blockNumber] = await view(leader, 'entitlementsOf', [0])
      assert.deepEqual([written, blockNumber], [true, BigInt(EPOCH_SLOTS)])
      const holders = [...await view(leader, 'payoutHolders', [])].flat().map((a: string) => a.toLowerCase())
      assert.ok(holders.includes(holder), 'the account paid in pruned block 3 is a holder')
      // the entitlements, read back from the record kept with the block, on both
      const [a, b] = [await leader.payoutEntitlements(0), await follower.payoutEntitlements(0)]
      assert.ok(a !== null && b !== null)
      assert.deepEqual(a, b)
      assert.equal(a.blockNumber, BigInt(EPOCH_SLOTS))
    } finally {
      await leader.close()
      await follower.close()
      rmSync(leaderDir, { recursive: true, force: true })
      rmSync(followerDir, { recursive: true, force: true })
    }
  })
})
