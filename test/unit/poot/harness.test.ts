import { strict as assert } from 'node:assert'
import { Harness } from '../../../protocols/poot/harness/harness.js'
import { genesisState, isAncestor, type ChainState } from '../../../protocols/poot/state.js'
import { computeSchedule, scheduleFor } from '../../../protocols/poot/schedule.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { liveScore } from '../../../protocols/poot/live-score.js'
import { SERVER_ENTITY } from '../../../protocols/poot/entities.js'

function nodesOf (h: Harness, entity: string): number[] {
  return h.nodes.filter((n) => n.entity === entity).map((n) => n.index)
}

/** Every pair of finalized blocks lies on one chain. */
function assertFinalityConsistent (h: Harness, nodes: number[]): void {
  for (const i of nodes) {
    for (const j of nodes) {
      const a = h.finalized(i)
      const b = h.finalized(j)
      assert.ok(a.height <= b.height ? isAncestor(a, b) : isAncestor(b, a), `finality of nodes ${i} and ${j} conflicts`)
    }
  }
}

describe('poot harness (virtual time, many nodes)', function () {
  this.timeout(120_000)

  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const h = new Harness({ seed, nodes: 15, sessionsPerSlot: 4, relaysPerSlot: 4, network: { dropRate: 0.05 } })
      h.runUntilSlot(25)
      return h.nodes.map((n) => n.fc.head.hash).join()
    }
    assert.equal(run(3), run(3))
    assert.notEqual(run(3), run(4))
  })

  describe('a healthy swarm with delays, pools and traffic', () => {
    const h = new Harness({ seed: 11, nodes: 40, pools: [{ size: 3, threshold: 2 }], sessionsPerSlot: 6, relaysPerSlot: 10, network: { minDelayMs: 10, maxDelayMs: 1_500 } })
    h.runUntilSlot(80)
    const head = h.head(0)
    const chain = Harness.chainOf(head)

    it('fills every slot, all nodes agree on the head, and the pool leads with its multisig', () => {
      assert.equal(chain.length, 79)
      assert.equal(new Set(h.nodes.map((n) => n.fc.head.hash)).size, 1)
      assert.ok(chain.some((s) => s.header!.proposer.startsWith('pool:')))
      assert.ok(chain.some((s) => s.proofKeys.size > 0 && [...s.proofKeys].some((k) => k.startsWith('s/'))), 'storage answers included')
      assert.ok(chain.some((s) => [...s.proofKeys].some((k) => k.startsWith('r/'))), 'relay receipts included')
    })

    it('every node computes the same schedule from the same chain (independent replay from genesis)', () => {
      // Replaying the blocks from a fresh genesis gives new state objects, so nothing is shared with the harness.
      let replay: ChainState = genesisState(h.config)
      for (const s of chain) {
        const block = h.blockOf(s.hash)
        assert.deepEqual(computeSchedule(replay, s.slot, h.config), scheduleFor(s.parent!, s.slot, h.config))
        const r = applyBlock(replay, block, h.config, h.anchorsFor(replay, s.slot))
        assert.ok(r.ok, r.ok ? '' : r.reason)
        replay = r.value
        assert.equal(replay.hash, s.hash)
        assert.deepEqual([...replay.credits].sort(), [...s.credits].sort())
      }
    })

    it('never violates the cooldown', () => {
      for (let i = 0; i < chain.length; i++) {
        for (let j = i + 1; j < chain.length && chain[j].slot - chain[i].slot < h.params.cooldownSlots; j++) {
          if (chain[i].header!.proposer !== SERVER_ENTITY) assert.notEqual(chain[i].header!.proposer, chain[j].header!.proposer, `slots ${chain[i].slot} and ${chain[j].slot}`)
        }
      }
    })

    it('finalizes a block one or two slots behind the head, and no node ever reverted finality', () => {
      assert.ok(head.height - h.finalized(0).height <= 2, `head ${head.height}, finalized ${h.finalized(0).height}`)
      assert.equal(h.stats.finalityReverts, 0)
      assertFinalityConsistent(h, h.nodes.map((n) => n.index))
      assert.equal(h.stats.rejectedBlocks.size, 0)
    })
  })

  it('with the primary down, the first fallback proposes after the timeout and the primary\'s liveScore drops', () => {
    const h = new Harness({ seed: 5, nodes: 20 })
    h.runUntilSlot(12)
    const slot = 12
    const schedule = scheduleFor(h.head(0), slot, h.config)
    for (const i of nodesOf(h, schedule[0])) h.crash(i)
    h.runUntilSlot(slot + 1)
    const block = h.head(1)
    assert.equal(block.slot, slot)
    assert.equal(block.header!.rank, 1)
    assert.equal(block.header!.proposer, schedule[1])
    assert.ok(block.header!.timeMs >= h.slotStart(slot) + h.params.slotTimeoutMs)
    assert.equal(block.missed.get(schedule[0]), 1)
    assert.ok(liveScore(block, schedule[0], slot + 1, h.params) < 1000)
  })

  it('with k leaders down the chain still advances, down to the Server when every ranked leader is down', () => {
    const h = new Harness({ seed: 6, nodes: 30 })
    h.runUntilSlot(10)
    const s3 = scheduleFor(h.head(0), 10, h.config)
    for (const e of s3.slice(0, 3)) for (const i of nodesOf(h, e)) h.crash(i)
    h.runUntilSlot(11)
    assert.equal(h.head(h.serverIndex).slot, 10)
    assert.equal(h.head(h.serverIndex).header!.rank, 3)
    const all = scheduleFor(h.head(h.serverIndex), 11, h.config)
    for (const e of all.slice(0, -1)) for (const i of nodesOf(h, e)) h.crash(i)
    h.runUntilSlot(12)
    const served = h.head(h.serverIndex)
    assert.equal(served.slot, 11)
    assert.equal(served.header!.proposer, SERVER_ENTITY)
    assert.equal(served.rewardTo, SERVER_ENTITY)
    assert.equal(served.reward, 2n * 10n ** 18n)
  })

  it('a 2-of-3 pool proposes with one member down and is skipped with two down', () => {
    const h = new Harness({ seed: 16, nodes: 12, pools: [{ size: 3, threshold: 2 }] })
    const pool = h.nodes[0].entity
    h.crash(2)
    h.runUntilSlot(40)
    const led = Harness.chainOf(h.head(5)).filter((s) => s.header!.proposer === pool)
    assert.ok(led.length > 0, 'the pool led with two of three members')
    assert.ok(led.every((s) => h.blockOf(s.hash).signed.signatures.length === 2))
    h.crash(1)
    const from = h.head(5).slot
    h.runUntilSlot(80)
    const after = Harness.chainOf(h.head(5)).filter((s) => s.slot > from)
    assert.ok(!after.some((s) => s.header!.proposer === pool), 'no block from a pool below its threshold')
    assert.ok(after.some((s) => (s.missed.get(pool) ?? 0) > 0), 'its turns show as misses')
    assert.equal(after.length, 80 - 1 - from)
  })

  it('keeps producing a block per slot with a third of the nodes crashed at random times', () => {
    const crashes = Array.from({ length: 10 }, (_, i) => ({ node: i * 3, fromSlot: 5 + i * 3 }))
    const h = new Harness({ seed: 8, nodes: 30, crashes, sessionsPerSlot: 3 })
    h.runUntilSlot(60)
    assert.equal(Harness.chainOf(h.head(1)).length, 59)
  })

  it('detects and evidences block equivocation; the chain jails the equivocator', () => {
    const h = new Harness({ seed: 9, nodes: 12, behaviours: { 4: 'equivocate' } })
    h.runUntilSlot(60)
    const offender = h.nodes[4].entity
    assert.ok([...h.stats.equivocations].some((k) => k.endsWith('/' + offender)), 'evidence produced')
    const chain = Harness.chainOf(h.head(0))
    const withEvidence = chain.find((s) => h.blockOf(s.hash).body.evidence.length > 0)
    assert.ok(withEvidence !== undefined, 'evidence included')
    assert.ok((h.head(0).jailedUntil.get(offender) ?? 0) > h.head(0).slot)
    assert.ok(!chain.some((s) => s.slot > withEvidence.slot && s.header!.proposer === offender))
    assert.equal(h.stats.finalityReverts, 0)
  })

  it('detects and evidences double votes; the chain jails the double voter', () => {
    const h = new Harness({ seed: 10, nodes: 12, behaviours: { 6: 'double-vote' } })
    h.runUntilSlot(20)
    const offender = h.nodes[6].entity
    assert.ok([...h.stats.doubleVotes].some((k) => k.startsWith(h.nodes[6].key.id + '/')), 'evidence produced')
    assert.ok(Harness.chainOf(h.head(0)).some((s) => h.blockOf(s.hash).body.voteEvidence.length > 0), 'evidence included')
    assert.ok((h.head(0).jailedUntil.get(offender) ?? 0) > h.head(0).slot)
    assert.ok(h.finalized(0).height >= 15)
  })

  it('finality advances with ≥ 2/3 honest (silent, forging and equivocating nodes below 1/3) and never reverts', () => {
    const behaviours = { 0: 'silent', 1: 'silent', 2: 'silent', 3: 'forge', 4: 'equivocate', 5: 'silent' } as const
    const h = new Harness({ seed: 12, nodes: 20, behaviours, network: { maxDelayMs: 1_500, dropRate: 0.05 }, sessionsPerSlot: 2 })
    const seen: number[] = []
    for (let slot = 10; slot <= 60; slot += 10) { h.runUntilSlot(slot); seen.push(h.finalized(10).height) }
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `finality stalled: ${seen}`)
    assert.equal(h.stats.finalityReverts, 0)
    assertFinalityConsistent(h, h.nodes.filter((n) => n.behaviour === 'honest').map((n) => n.index))
  })

  it('with more than 1/3 silent, finality stops but blocks continue', () => {
    const crashes = Array.from({ length: 7 }, (_, i) => ({ node: i, fromSlot: 15 }))
    const h = new Harness({ seed: 13, nodes: 20, crashes })
    h.runUntilSlot(15)
    const before = h.finalized(10).height
    assert.ok(before >= 12)
    h.runUntilSlot(45)
    assert.ok(h.finalized(10).height <= 15, `finalized ${h.finalized(10).height}`)
    assert.ok(h.head(10).height >= 40, `head ${h.head(10).height}`)
  })

  it('rejects every forged proof with a reason and never includes one', () => {
    const h = new Harness({ seed: 14, nodes: 10, behaviours: { 2: 'forge' } })
    h.runUntilSlot(20)
    assert.equal(h.stats.forgedProofsAccepted, 0)
    for (const reason of ['bad-signature', 'future-slot', 'duplicate', 'beat-not-in-slot', 'self-relay', 'bad-receiver-signature', 'unknown-target', 'unknown-challenge', 'unknown-ref']) {
      assert.ok((h.stats.rejectedForgedProofs.get(reason) ?? 0) > 0, reason)
    }
  })

  it('with drops, a replayed copy that reaches a proposer instead of its original counts once, as the original: no forgery accepted', () => {
    // seed 1, 5 % drops: one proposer misses the forger's real heartbeat of slot 19 and gets its replay only
    const h = new Harness({ seed: 1, nodes: 50, behaviours: { 47: 'forge' }, network: { dropRate: 0.05 }, sessionsPerSlot: 5, relaysPerSlot: 20 })
    h.runUntilSlot(21)
    assert.equal(h.stats.forgedProofsAccepted, 0)
    assert.ok(h.stats.replaysCountedAsOriginal >= 1, 'the case this checks happened')
    assert.ok((h.stats.rejectedForgedProofs.get('duplicate') ?? 0) > 0, 'other replays are refused as duplicates')
  })

  it('a node that crashed catches up on recovery and agrees with the others', () => {
    const h = new Harness({ seed: 15, nodes: 12, crashes: [{ node: 3, fromSlot: 5, toSlot: 20 }], network: { dropRate: 0.1 } })
    h.runUntilSlot(30)
    assert.equal(h.head(3).hash, h.head(0).hash)
    assert.equal(h.finalized(3).hash, h.finalized(0).hash)
  })
})

describe('poot harness safety under adversity', function () {
  this.timeout(120_000)
  it('property: with < 1/3 Byzantine, 15 % drops and delays near the timeout, honest nodes never finalize conflicting blocks', () => {
    const behaviours = { 0: 'silent', 1: 'equivocate', 2: 'double-vote', 3: 'forge', 4: 'equivocate', 5: 'silent' } as const
    for (let seed = 100; seed < 106; seed++) {
      const h = new Harness({ seed, nodes: 20, behaviours, network: { maxDelayMs: 1_900, dropRate: 0.15 }, sessionsPerSlot: 2 })
      h.runUntilSlot(40)
      const honest = h.nodes.filter((n) => n.behaviour === 'honest').map((n) => n.index)
      assertFinalityConsistent(h, honest)
      assert.equal(h.stats.finalityReverts, 0)
      assert.ok(h.finalized(10).height >= 20, `seed ${seed}: finalized ${h.finalized(10).height}`)
    }
  })
})
