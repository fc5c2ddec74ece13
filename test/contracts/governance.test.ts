import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { as, eventsOf, mined, rejectsWith } from './support/contracts.js'
import { closeVoting, execute, fullCycle, openVoting, propose, queue, Support, systemFixture, vote, waitForEta, VOTING_DELAY, VOTING_PERIOD, type System } from './support/governance.js'

const key = (name: string): string => ethers.encodeBytes32String(name)

describe('contracts: deployment wiring', function () {
  it('wires everything to the Timelock and leaves the deployer without any role', async function () {
    const s = await systemFixture()
    const me = await s.deployer.getAddress()
    const timelock = await s.c.timelock.getAddress()
    const governor = await s.c.governor.getAddress()
    const tl = s.c.timelock
    assert.equal(await tl.hasRole(await tl.DEFAULT_ADMIN_ROLE(), me), false)
    assert.equal(await tl.hasRole(await tl.PROPOSER_ROLE(), me), false)
    assert.equal(await tl.hasRole(await tl.PROPOSER_ROLE(), governor), true)
    assert.equal(await tl.hasRole(await tl.CANCELLER_ROLE(), governor), true)
    assert.equal(await tl.hasRole(await tl.EXECUTOR_ROLE(), ethers.ZeroAddress), true, 'anyone may execute')
    assert.equal(await tl.hasRole(await tl.DEFAULT_ADMIN_ROLE(), timelock), true, 'only the Timelock administers itself')
    assert.equal(await tl.getMinDelay(), BigInt(s.timelockDelay))
    assert.equal(await s.c.governor.timelock(), timelock)
    assert.equal(await s.c.governor.eligibility(), await s.c.eligibility.getAddress())
    assert.equal(await s.c.registry.governance(), timelock)
    assert.equal(await s.c.eligibility.systemAddress(), await s.system.getAddress())
    for (const router of [s.c.routerV0, s.c.routerKYC]) {
      for (const role of [await router.DEFAULT_ADMIN_ROLE(), await router.GOVERNANCE_ROLE(), await router.PAUSER_ROLE()]) {
        assert.equal(await router.hasRole(role, me), false)
      }
      assert.equal(await router.hasRole(await router.GOVERNANCE_ROLE(), timelock), true)
      assert.equal(await router.hasRole(await router.PAUSER_ROLE(), await s.outsider.getAddress()), true)
    }
    assert.deepEqual([await s.c.governor.votingDelay(), await s.c.governor.votingPeriod(), await s.c.governor.quorumPercent(), await s.c.governor.proposalThreshold()], [BigInt(VOTING_DELAY), BigInt(VOTING_PERIOD), 60n, 1n])
    await rejectsWith(as(tl, s.deployer).schedule(ethers.ZeroAddress, 0n, '0x', ethers.ZeroHash, ethers.ZeroHash, 10_000n), tl, 'AccessControlUnauthorizedAccount')
    await rejectsWith(as(s.c.registry, s.deployer).setParameter(key('leader.timeoutMs'), 6000n), s.c.registry, 'NotGovernance')
  })
})

describe('contracts: NodeEligibility', function () {
  let s: System
  beforeEach(async function () { s = await systemFixture({ eligibleNodes: 0 }) })

  it('only the system address reports', async function () {
    await rejectsWith(as(s.c.eligibility, s.outsider).report([await s.outsider.getAddress()], [10000], [ethers.parseEther('5')]), s.c.eligibility, 'NotSystem', [await s.outsider.getAddress()])
    assert.equal(await s.c.eligibility.isEligible(await s.outsider.getAddress()), false)
  })

  it('applies >= 80% uptime and >= 1 LUCID earned, and counts eligible nodes', async function () {
    const a = ethers.Wallet.createRandom().address
    const b = ethers.Wallet.createRandom().address
    const c = ethers.Wallet.createRandom().address
    const d = ethers.Wallet.createRandom().address
    const one = ethers.parseEther('1')
    const r = await mined(as(s.c.eligibility, s.system).report([a, b, c, d], [8000, 7999, 10000, 8000], [one, one, one - 1n, one * 100n]))
    const evs = eventsOf(r, s.c.eligibility, 'NodeStatsReported')
    assert.deepEqual(evs.map((e) => [e[0], e[1], e[2], e[3]]), [[a, 8000n, one, true], [b, 7999n, one, false], [c, 10000n, one - 1n, false], [d, 8000n, one * 100n, true]])
    assert.deepEqual(await Promise.all([a, b, c, d].map(async (x) => await s.c.eligibility.isEligible(x))), [true, false, false, true])
    assert.equal(await s.c.eligibility.eligibleCount(), 2n)
    const second = await mined(as(s.c.eligibility, s.system).report([a, a], [7000, 7000], [one, one])) // reported twice: counted once
    assert.equal(await s.c.eligibility.eligibleCount(), 1n)
    assert.deepEqual([...await s.c.eligibility.stats(a)], [7000n, one])
    await s.chain.mine(1)
    // checkpoints keep the past: a snapshot cannot be changed afterwards (the blocks are the receipts', not a block
    // number read in between: on a chain that makes blocks by the clock, empty blocks may come between the two)
    const before = second.blockNumber - 1
    assert.ok(before >= r.blockNumber)
    assert.equal(await s.c.eligibility.getPastEligible(a, before), true)
    assert.equal(await s.c.eligibility.getPastEligibleCount(before), 2n)
    assert.equal(await s.c.eligibility.getPastEligible(a, second.blockNumber), false)
    const now = await s.chain.provider.getBlockNumber()
    await rejectsWith(s.c.eligibility.getPastEligible(a, now + 5), s.c.eligibility, 'FutureLookup')
  })

  it('refuses uptime above 100% and mismatched arrays', async function () {
    const a = ethers.Wallet.createRandom().address
    await rejectsWith(as(s.c.eligibility, s.system).report([a], [10001], [1n]), s.c.eligibility, 'UptimeOutOfRange', [10001n])
    await rejectsWith(as(s.c.eligibility, s.system).report([a], [9000, 9000], [1n]), s.c.eligibility, 'LengthMismatch')
  })
})

describe('contracts: LucidGovernor + LucidTimelock', function () {
  this.timeout(180_000)
  let s: System
  beforeEach(async function () { s = await systemFixture() })

  it('runs a full cycle: propose, vote, queue, execute sets a parameter within bounds', async function () {
    const k = key('leader.timeoutMs')
    const { proposal, receipts } = await fullCycle(s, [{ target: s.c.registry, fn: 'setParameter', args: [k, 6000n] }], 'leader timeout 6 s')
    assert.equal(await s.c.registry.get(k), 6000n)
    assert.equal(await s.c.governor.state(proposal.id), 7n) // Executed
    assert.equal(eventsOf(receipts.propose, s.c.governor, 'ProposalCreated')[0][0], proposal.id)
    assert.deepEqual([...eventsOf(receipts.vote, s.c.governor, 'VoteCast')[0]].slice(0, 4), [await s.nodes[0].getAddress(), proposal.id, 1n, 1n])
    assert.equal(eventsOf(receipts.queue, s.c.governor, 'ProposalQueued')[0][0], proposal.id)
    assert.deepEqual([...eventsOf(receipts.execute, s.c.registry, 'ParameterSet')[0]], [k, 5000n, 6000n])
  })

  it('refuses to execute before the Timelock delay has passed', async function () {
    const p = await propose(s, s.nodes[0], [{ target: s.c.registry, fn: 'setParameter', args: [key('net.maxPeers'), 60n] }], 'max peers 60')
    await openVoting(s, p)
    await vote(s, p, s.nodes)
    await closeVoting(s, p)
    await queue(s, p)
    assert.equal(await s.c.governor.state(p.id), 5n) // Queued
    await rejectsWith(execute(s, p), s.c.timelock, 'TimelockUnexpectedOperationState')
    assert.equal(await s.c.registry.get(key('net.maxPeers')), 50n)
    await waitForEta(s, p)
    await mined(execute(s, p))
    assert.equal(await s.c.registry.get(key('net.maxPeers')), 60n)
  })

  it('even governance cannot set a value outside its bounds', async function () {
    const k = key('leader.timeoutMs')
    let failed = false
    try { await fullCycle(s, [{ target: s.c.registry, fn: 'setParameter', args: [k, 10_001n] }], 'too long') } catch (e) {
      failed = true
      await rejectsWith(Promise.reject(e), s.c.registry, 'OutOfBounds')
    }
    assert.ok(failed)
    assert.equal(await s.c.registry.get(k), 5000n)
  })

  it('only eligible nodes propose; an ineligible vote weighs nothing; nobody votes twice', async function () {
    const calls = [{ target: s.c.registry, fn: 'setParameter', args: [key('net.maxPeers'), 70n] }]
    await rejectsWith(propose(s, s.outsider, calls, 'from outside'), s.c.governor, 'GovernorInsufficientProposerVotes')
    const p = await propose(s, s.nodes[0], calls, 'max peers 70')
    await openVoting(s, p)
    const r = await mined(as(s.c.governor, s.outsider).castVote(p.id, Support.For))
    assert.equal(eventsOf(r, s.c.governor, 'VoteCast')[0][3], 0n)
    await vote(s, p, [s.nodes[0]])
    await rejectsWith(as(s.c.governor, s.nodes[0]).castVote(p.id, Support.For), s.c.governor, 'GovernorAlreadyCastVote')
    const [against, forVotes, abstain] = await s.c.governor.proposalVotes(p.id)
    assert.deepEqual([against, forVotes, abstain], [0n, 1n, 0n])
  })

  it('votes weigh what eligibility was at the snapshot, whatever it became afterwards', async function () {
    const p = await propose(s, s.nodes[0], [{ target: s.c.registry, fn: 'setParameter', args: [key('net.maxPeers'), 80n] }], 'max peers 80')
    await openVoting(s, p)
    await mined(as(s.c.eligibility, s.system).report([await s.nodes[1].getAddress(), await s.outsider.getAddress()], [0, 9000], [0n, ethers.parseEther('3')]))
    assert.equal(await s.c.eligibility.isEligible(await s.nodes[1].getAddress()), false)
    assert.equal(await s.c.eligibility.isEligible(await s.outsider.getAddress()), true)
    const r1 = await mined(as(s.c.governor, s.nodes[1]).castVote(p.id, Support.For))
    assert.equal(eventsOf(r1, s.c.governor, 'VoteCast')[0][3], 1n)
    const r2 = await mined(as(s.c.governor, s.outsider).castVote(p.id, Support.For))
    assert.equal(eventsOf(r2, s.c.governor, 'VoteCast')[0][3], 0n)
  })

  it('needs the quorum: 60% of 5 eligible nodes is 3 votes', async function () {
    const calls = [{ target: s.c.registry, fn: 'setParameter', args: [key('net.maxPeers'), 90n] }]
    const p = await propose(s, s.nodes[0], calls, 'max peers 90')
    await openVoting(s, p)
    await vote(s, p, s.nodes.slice(0, 2))
    assert.equal(await s.c.governor.quorum(await s.c.governor.proposalSnapshot(p.id)), 3n)
    await vote(s, p, s.nodes.slice(2, 3), Support.Against)
    await closeVoting(s, p)
    assert.equal(await s.c.governor.state(p.id), 3n) // Defeated: 2 for + 0 abstain < quorum 3
    await rejectsWith(queue(s, p), s.c.governor, 'GovernorUnexpectedProposalState')
    const p2 = await propose(s, s.nodes[0], calls, 'max peers 90, again')
    await openVoting(s, p2)
    await vote(s, p2, s.nodes.slice(0, 2))
    await vote(s, p2, s.nodes.slice(2, 3), Support.Abstain)
    await closeVoting(s, p2)
    assert.equal(await s.c.governor.state(p2.id), 4n) // Succeeded: quorum counts abstentions, majority For
  })

  it('quorum and voting period change only through governance', async function () {
    await rejectsWith(as(s.c.governor, s.outsider).setQuorumPercent(10n), s.c.governor, 'GovernorOnlyExecutor')
    await rejectsWith(as(s.c.governor, s.outsider).setVotingPeriod(20n), s.c.governor, 'GovernorOnlyExecutor')
    await fullCycle(s, [
      { target: s.c.governor, fn: 'setQuorumPercent', args: [40n] },
      { target: s.c.governor, fn: 'setVotingPeriod', args: [20n] }
    ], 'quorum 40%, period 20 blocks')
    assert.equal(await s.c.governor.quorumPercent(), 40n)
    assert.equal(await s.c.governor.votingPeriod(), 20n)
  })

  it('governance rotates the disbursers and a router\'s signers', async function () {
    const next = [ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address, ethers.Wallet.createRandom().address]
    await fullCycle(s, [
      { target: s.c.registry, fn: 'setDisbursers', args: [next] },
      { target: s.c.routerV0, fn: 'setSigners', args: [next] }
    ], 'rotate disbursers')
    assert.deepEqual([...await s.c.registry.disbursers()], next)
    assert.deepEqual([...await s.c.routerV0.signers()], next)
  })
})
