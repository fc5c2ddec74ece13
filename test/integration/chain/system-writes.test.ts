// The eligibility system write: the first block of each epoch calls NodeEligibility.report from the keyless system
// address with every entity's uptime (bps: heartbeats counted over heartbeats due) and LUCID earned; a follower
// re-executing the blocks makes the same call and reaches the same state root; the figures in the contract are the
// PoOT state's. A node that sent no heartbeat has no uptime; slots skipped by their primaries cost none.
import { strict as assert } from 'node:assert'
import { bytesToHex } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { epochOf, eligibilityReport } from '../../../protocols/poot/index.js'
import type { Chain } from '../../../node/src/chain/index.js'
import { devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { heartbeats, openDevChain, removeChainDirs, sessionAnchoring, slotTime } from './support.js'

const iface = new ethers.Interface(loadArtifact('NodeEligibility').abi as ethers.InterfaceAbi)

async function stats (chain: Chain, who: string): Promise<{ uptimeBps: number, earned: bigint }> {
  const r = await chain.call({ to: ethers.getAddress(chain.genesis.contracts.NodeEligibility) as never, data: ethers.getBytes(iface.encodeFunctionData('stats', [who])) }, chain.head)
  const [uptimeBps, earned] = iface.decodeFunctionResult('stats', r.returnValue)
  return { uptimeBps: Number(uptimeBps), earned: BigInt(earned) }
}

describe('chain: system writes (NodeEligibility at each epoch)', function () {
  this.timeout(120_000)
  after(removeChainDirs)

  it('reports every entity at the epoch boundary; a follower agrees on the state root', async () => {
    const leader = await openDevChain()
    const follower = await openDevChain()
    try {
      const { params } = leader.genesis.poot
      const decide = localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))
      const [silent, ...beating] = devNodeKeys(9)
      const beats = heartbeats(beating)
      const anchoring = sessionAnchoring(leader)
      // produce past the first epoch boundary, skipping two slots so someone has misses
      let reportedAt = -1
      for (let slot = 1; slot <= params.epochSlots + 2; slot++) {
        if (slot === 5 || slot === 6) continue
        const parent = leader.headPoot
        const due = eligibilityReport(parent, slot, leader.genesis.poot)
        if (due !== null) reportedAt = slot
        // blocks that list sessions pay their proposer (empty slots pay the Server): each block registers one, the next lists it
        const p = decide(leader, slot, slotTime(slot))!
        const sessions = await anchoring.listed(p.proposer)
        await anchoring.register()
        const block = await leader.build({ ...p, sessions, proofs: beats(leader, slot) })
        const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
        assert.ok(r.ok, r.ok ? '' : r.reason)
        assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
      }
      assert.equal(reportedAt, params.epochSlots, 'the first block of epoch 1 carries the report')
      // the contract holds the figures of the PoOT state the report block was built on
      let n = leader.head.header.number
      while (leader.pootState((await leader.blockByNumber(n))!.hash())!.slot !== reportedAt) n--
      const state = leader.pootState((await leader.blockByNumber(n - 1n))!.hash())!
      assert.equal(epochOf(params, state.slot), 0)
      const report = eligibilityReport(state, reportedAt, leader.genesis.poot)!
      assert.ok([...state.missed.values()].some((n) => n > 0), 'the skipped slots were missed by someone')
      assert.deepEqual(report.uptimeBps, report.entities.map((e) => e === silent.id ? 0 : 10_000), 'uptime is the heartbeats sent, whatever the misses')
      for (let i = 0; i < report.entities.length; i++) {
        const who = leader.genesis.rewardAddresses.get(report.entities[i])!
        const got = await stats(leader, who)
        assert.equal(got.uptimeBps, report.uptimeBps[i])
        assert.equal(got.earned, report.earned[i])
        assert.deepEqual(await stats(follower, who), got)
      }
      assert.ok(report.earned.some((e) => e > 0n), 'nobody earned anything')
    } finally {
      await leader.close()
      await follower.close()
    }
  })
})
