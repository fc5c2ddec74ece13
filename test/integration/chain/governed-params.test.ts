// PoOT parameters governed through ParamRegistry, on a real in-process chain: nodes become eligible through the
// eligibility system write, governance (Governor → Timelock) raises `leader.timeoutMs` and sets the credit window and
// the heartbeat interval (and the payout minimum and epoch length) in one proposal, and from the next epoch's first block on every node checks fallback turns
// with the new timeout (a fallback block made at the old turn is refused) and numbers heartbeats on from the epoch's
// start (a heartbeat of the new numbering is included, one of the old is not). A follower re-executing every block
// agrees throughout.
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import { bytesToHex } from '@ethereumjs/util'
import { loadArtifact } from '../../../contracts/index.js'
import { beatOrigin, blockAtOrBefore, epochOf, makeHeartbeat, slotOfBeat, slotStartMs } from '../../../protocols/poot/index.js'
import { dueProofs, freshDuties } from '../../../node/src/chainnet/duties.js'
import { decodeEnvelope } from '../../../node/src/chain/envelope.js'
import { devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { readRegistryValues } from '../../../node/src/chain/registry-values.js'
import { payoutBatchesInterface } from '../../../node/src/chain/payout-system.js'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain } from '../../../node/src/chain/index.js'
import { DEV_KEYS, devGenesis, heartbeats, openDevChain, removeChainDirs, sessionAnchoring, slotTime } from './support.js'

const governorIface = new ethers.Interface(loadArtifact('LucidGovernor').abi as ethers.InterfaceAbi)
const registryIface = new ethers.Interface(loadArtifact('ParamRegistry').abi as ethers.InterfaceAbi)
const eligibilityIface = new ethers.Interface(loadArtifact('NodeEligibility').abi as ethers.InterfaceAbi)
const batchesIface = payoutBatchesInterface()

describe('chain: consensus parameters governed through ParamRegistry', function () {
  this.timeout(180_000)
  after(removeChainDirs)

  let leader: Chain
  let follower: Chain
  const nonces = new Map<string, number>()

  async function view (iface: ethers.Interface, to: string, fn: string, args: unknown[] = []): Promise<ethers.Result> {
    const r = await leader.call({ to: ethers.getAddress(to) as never, data: ethers.getBytes(iface.encodeFunctionData(fn, args)) }, leader.head)
    return iface.decodeFunctionResult(fn, r.returnValue)
  }

  async function send (key: string, to: string, data: string): Promise<void> {
    const wallet = new ethers.Wallet(key)
    const nonce = nonces.get(wallet.address) ?? 0
    nonces.set(wallet.address, nonce + 1)
    const raw = await wallet.signTransaction({ type: 2, chainId: leader.chainId, nonce, to, data, gasLimit: 1_000_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n })
    await leader.submitRaw(ethers.getBytes(raw))
  }

  // every node sends its heartbeats: uptime makes the nodes eligible to vote
  const beats = heartbeats(devNodeKeys(9))
  let anchoring: ReturnType<typeof sessionAnchoring>
  const everyone = (): ReturnType<typeof localProposer> => localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))

  /** The next block on the leader (at `slot`, default the next one), anchoring a session, imported by the follower. */
  async function step (slot = leader.headPoot.slot + 1): Promise<void> {
    const p = everyone()(leader, slot, slotTime(slot))
    assert.ok(p !== null, `no proposal for slot ${slot}`)
    // blocks that list sessions pay their proposer (empty ones pay the Server): each block registers one, the next lists it
    const sessions = await anchoring.listed(p.proposer)
    await anchoring.register()
    const block = await leader.build({ ...p, sessions, proofs: beats(leader, slot) })
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
  }

  it('reads the governed values from state as the contract reports them', async () => {
    leader = await openDevChain()
    anchoring = sessionAnchoring(leader)
    follower = await openDevChain()
    const registry = leader.genesis.contracts.ParamRegistry
    const values = await readRegistryValues(await leader.stateAt(leader.head.header.stateRoot), registry)
    for (const key of Object.keys(values)) {
      const [value] = await view(registryIface, registry, 'get', [ethers.encodeBytes32String(key)])
      assert.equal(values[key], value, key)
    }
    assert.equal(values['leader.timeoutMs'], 5000n)
    // the genesis file's parameters rule while governance has changed nothing
    assert.equal(leader.configAt(1).params.slotTimeoutMs, leader.genesis.poot.params.slotTimeoutMs)
  })

  it('a governance change applies from the next epoch on, on every node', async () => {
    const { params } = leader.genesis.poot
    const registry = leader.genesis.contracts.ParamRegistry
    const governor = leader.genesis.contracts.LucidGovernor
    const old = params.slotTimeoutMs
    const raised = old + 300
    assert.ok((params.maxFallbacks + 1) * raised < params.slotMs, 'the test value must keep PoOT\'s relations')
    // epoch 0: blocks anchoring sessions earn their proposers LUCID; the report at epoch 1 makes them eligible
    while (leader.headPoot.slot < params.epochSlots) await step()
    const voters = DEV_KEYS.slice(1, 4)
    for (const k of voters) {
      const [eligible] = await view(eligibilityIface, leader.genesis.contracts.NodeEligibility, 'isEligible', [new ethers.Wallet(k).address])
      assert.equal(eligible, true, `dev account ${new ethers.Wallet(k).address} is not eligible`)
    }
    await step()
    // propose, vote, queue, wait out the Timelock's delay, execute
    // one proposal sets five parameters: the leader timeout, the credit window (days), the heartbeat interval (s),
    // the minimum payout (USD, 6 decimals) and the payout epoch (s: 60 s = 40 slots of 1.5 s instead of 32)
    const set = (key: string, v: number): string => registryIface.encodeFunctionData('setParameter', [ethers.encodeBytes32String(key), v])
    const minimum = 25_000_000n
    assert.equal((await leader.payoutParamsAt(leader.head)).minPayoutUsd, leader.genesis.payout.minPayoutUsd, 'the genesis minimum before governance acts')
    assert.notEqual(minimum, leader.genesis.payout.minPayoutUsd)
    const payoutSlots = leader.genesis.payout.epochSlots
    assert.equal(payoutSlots, 32)
    const calls = { targets: Array(5).fill(registry), values: Array(5).fill(0n), calldatas: [set('leader.timeoutMs', raised), set('credit.windowDays', 5), set('heartbeat.intervalS', 20), set('payout.minimumUsd6', Number(minimum)), set('payout.epochS', 60)] }
    const description = `leader timeout ${raised} ms`
    const id = (await view(governorIface, governor, 'hashProposal', [calls.targets, calls.values, calls.calldatas, ethers.id(description)]))[0] as bigint
    await send(voters[0], governor, governorIface.encodeFunctionData('propose', [calls.targets, calls.values, calls.calldatas, description]))
    const [delay] = await view(governorIface, governor, 'votingDelay')
    for (let i = 0; i <= Number(delay) + 1; i++) await step()
    for (const k of voters) await send(k, governor, governorIface.encodeFunctionData('castVote', [id, 1]))
    await step()
    const [period] = await view(governorIface, governor, 'votingPeriod')
    for (let i = 0; i <= Number(period); i++) await step()
    assert.equal(Number((await view(governorIface, governor, 'state', [id]))[0]), 4, 'the proposal did not succeed') // Succeeded
    await send(voters[0], governor, governorIface.encodeFunctionData('queue', [calls.targets, calls.values, calls.calldatas, ethers.id(description)]))
    await step()
    const eta = Number((await view(governorIface, governor, 'proposalEta', [id]))[0])
    // jump past the eta: slots may be empty
    await step(Math.ceil((eta * 1000 - leader.genesis.poot.genesisMs) / params.slotMs) + 1)
    await send(voters[0], governor, governorIface.encodeFunctionData('execute', [calls.targets, calls.values, calls.calldatas, ethers.id(description)]))
    await step()
    assert.equal(Number((await view(governorIface, governor, 'state', [id]))[0]), 7, 'the proposal was not executed') // Executed
    assert.equal((await view(registryIface, registry, 'get', [ethers.encodeBytes32String('leader.timeoutMs')]))[0], BigInt(raised))
    const executedIn = leader.payoutEpochAt(leader.headPoot.slot)
    // the payout minimum applies to the next payout write made on this state, on every node
    assert.equal((await leader.payoutParamsAt(leader.head)).minPayoutUsd, minimum)
    assert.equal((await follower.payoutParamsAt(follower.head)).minPayoutUsd, minimum)

    // the rest of this epoch keeps the old timeout; the next epoch's blocks use the new one
    const head = leader.headPoot.slot
    const nextEpochStart = (epochOf(params, head) + 1) * params.epochSlots
    assert.equal(leader.configAt(head + 1 < nextEpochStart ? head + 1 : head).params.slotTimeoutMs, old)
    assert.equal(leader.configAt(nextEpochStart).params.slotTimeoutMs, raised)
    // the Server (last in every schedule) may propose from rank × timeout: with the old timeout it could at
    // `old` ms into the slot, now not before `raised`
    const server = localProposer(signersFrom(leader, [devServerKey()]))
    const slot = nextEpochStart + 1
    await step(nextEpochStart)
    assert.equal(leader.configAt(slot).params.slotTimeoutMs, raised)
    assert.equal(follower.configAt(slot).params.slotTimeoutMs, raised, 'the follower governs the same way')
    // the window and the heartbeat interval too; beats are numbered on from the epoch's first slot
    const epochStartMs = slotStartMs(leader.genesis.poot.genesisMs, params, nextEpochStart)
    const origin = beatOrigin(leader.configAt(slot))
    assert.deepEqual([leader.configAt(slot).params.creditWindowDays, leader.configAt(slot).params.heartbeatIntervalMs], [5, 20_000])
    assert.deepEqual(origin, { beat: Math.ceil((epochStartMs - leader.genesis.poot.genesisMs) / params.heartbeatIntervalMs), ms: epochStartMs })
    assert.deepEqual(beatOrigin(follower.configAt(slot)), origin)
    const rank = leader.schedule(slot).length - 1
    const start = slotStartMs(leader.genesis.poot.genesisMs, params, slot)
    assert.equal(server(leader, slot, start + rank * old + 10), null, 'the Server proposed at the old turn')
    const p = server(leader, slot, start + rank * raised + 10)
    assert.ok(p !== null && p.rank === rank)
    // a block at the old turn is refused by PoOT's header rule itself
    await assert.rejects(leader.build({ ...p, timeMs: start + rank * old + 10 }), /too-early-for-rank/)
    // a node's heartbeat of the new numbering is included; one of the old numbering (due before the change) is not
    const key = devNodeKeys(9)[0]
    const fresh = dueProofs(key, leader.headPoot, leader.configAt(slot), epochStartMs + 1, freshDuties()).proofs.filter((x) => x.kind === 'heartbeat')
    assert.deepEqual(fresh.map((x) => x.kind === 'heartbeat' && x.beat), [origin.beat])
    const stale = makeHeartbeat(key, slotOfBeat(params, origin.beat - 1), origin.beat - 1, blockAtOrBefore(leader.headPoot, slotOfBeat(params, origin.beat - 1)))
    const block = await leader.build({ ...p, proofs: [stale, ...fresh] })
    const included = decodeEnvelope((await leader.envelopeOf(block))!).poot.body.proofs.filter((x) => x.kind === 'heartbeat')
    assert.deepEqual(included.map((x) => x.kind === 'heartbeat' && x.beat), [origin.beat])
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(leader.headPoot.hash, follower.headPoot.hash)
    // the payout epoch length: the first block of the payout epoch after the executing block's sees the change, and
    // the epoch after that one is 40 slots long; it is written when the chain reaches its end, not at the old boundary
    const seenAt = (executedIn + 1) * payoutSlots
    if (leader.headPoot.slot < seenAt) await step(seenAt)
    const c = executedIn + 2
    const cStart = c * payoutSlots // where epoch c + 1 - 1 ends at its old length
    for (const x of [leader, follower]) {
      assert.deepEqual([cStart - 1, cStart, cStart + 39, cStart + 40].map((slot) => x.payoutEpochAt(slot)), [c - 1, c, c, c + 1])
    }
    await step(cStart + payoutSlots + 1) // where epoch c + 1 would have started
    assert.equal((await view(batchesIface, leader.genesis.contracts.PayoutBatches, 'entitlementsOf', [c]))[0], false, 'epoch c is 40 slots long')
    await step(cStart + 40)
    const [written, , writtenAt] = await view(batchesIface, leader.genesis.contracts.PayoutBatches, 'entitlementsOf', [c]) as unknown as [boolean, string, bigint]
    assert.deepEqual([written, writtenAt], [true, leader.head.header.number])
    // a node restarted from its store replays every block with the parameters it was checked with
    const dir = join(tmpdir(), `lucid-governed-${process.pid}`)
    const copy = await Chain.open({ dir, genesis: await devGenesis() })
    try {
      for (let n = 1n; n <= leader.head.header.number; n++) {
        const r = await copy.importEnvelope((await leader.envelopeOf((await leader.blockByNumber(n))!))!, Number.MAX_SAFE_INTEGER)
        assert.ok(r.ok, r.ok ? '' : r.reason)
      }
      await copy.close()
      const reopened = await Chain.open({ dir, genesis: await devGenesis() })
      assert.equal(reopened.headPoot.hash, leader.headPoot.hash)
      assert.equal(reopened.configAt(reopened.headPoot.slot + 1).params.slotTimeoutMs, raised)
      assert.equal(reopened.payoutEpochAt(cStart + 40), c + 1, 'the payout epochs replayed')
      await reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
