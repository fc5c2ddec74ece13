/**
 * A consensus parameter changed by governance on a devnet of real `lucid start` processes (3 entities, 1.5 s slots),
 * through the nodes' JSON-RPC only: the nodes' own heartbeats and sessions put through their HTTP API (anchored in
 * LucidAnchors, then listed as the next blocks' sessions, which pays their proposers) make the entities' reward
 * addresses eligible in NodeEligibility; a LucidGovernor proposal raises `leader.timeoutMs` from 1000 to 1300 ms (and,
 * in the same proposal, `reward.baseMbPerSession` to 7, `reward.dMinPpm` to 300,000, `leader.cooldownSlots` to 9,
 * `credit.windowDays` to 4 and `heartbeat.intervalS` from 10 to 20 s (every node then beats at 20 s), which the rules read from
 * the same next epoch on every node, `lucid_chainInfo`), the
 * reward addresses vote, the proposal is queued and, after the Timelock's delay, executed. Every node then holds the
 * new value in ParamRegistry and spaces the turns of the next epoch's slots by it (`lucid_schedule`), the Server's
 * fallback for a stopped node waits for it, and the chain keeps producing and finalizing blocks on which all nodes agree.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { devAccountKeys } from '../../../node/src/chain/dev.js'
import { Devnet, type DevnetNode } from '../../../node/src/devnet/devnet.js'
import { tempDir } from '../swarm/support.js'
import { waitFor } from '../../support/wait-for.js'
import { envelopes, headNumber, rpc, type Finality } from './devnet-support.js'

const SLOT_MS = 1500
const NODES = 3
const OLD_TIMEOUT = 1000
const NEW_TIMEOUT = 1300
const EPOCH_SLOTS = 16
/** the devnet beats every 10 s (chain/dev.ts); the proposal makes it 20 s */
const NEW_BEAT_S = 20

const governorIface = new ethers.Interface(loadArtifact('LucidGovernor').abi as ethers.InterfaceAbi)
const registryIface = new ethers.Interface(loadArtifact('ParamRegistry').abi as ethers.InterfaceAbi)
const eligibilityIface = new ethers.Interface(loadArtifact('NodeEligibility').abi as ethers.InterfaceAbi)

interface Schedule { slot: number, slotStartMs: number, turns: Array<{ rank: number, entity: string, fromMs: number }> }
interface ChainInfo { slotTimeoutMs: number, params: Record<string, number>, contracts: Record<string, string> }
/** also changed by the proposal: ParamRegistry key, the PoOT parameter, the new registry value, as the rules read it */
const ALSO_GOVERNED: Array<[string, string, number, (v: number) => number]> = [
  ['reward.baseMbPerSession', 'baseMbPerSession', 7, (v) => v],
  ['reward.dMinPpm', 'dMinPermille', 300_000, (v) => v / 1000],
  ['leader.cooldownSlots', 'cooldownSlots', 9, (v) => v],
  ['credit.windowDays', 'creditWindowDays', 4, (v) => v],
  ['heartbeat.intervalS', 'heartbeatIntervalMs', NEW_BEAT_S, (v) => v * 1000]
]

describe('chain devnet: a consensus parameter governed through ParamRegistry on real node processes', function () {
  this.timeout(360_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let devnet: Devnet
  let contracts: Record<string, string>
  let putter: NodeJS.Timeout | undefined
  const url = (n: DevnetNode): string => n.rpc as string
  // each entity's reward address is dev account i (chain-genesis.ts); they vote
  const voters = devAccountKeys().slice(0, NODES).map((k) => new ethers.Wallet(k))

  async function view (n: DevnetNode, iface: ethers.Interface, to: string, fn: string, args: unknown[] = [], block = 'latest'): Promise<ethers.Result> {
    return iface.decodeFunctionResult(fn, await rpc<string>(url(n), 'eth_call', [{ to, data: iface.encodeFunctionData(fn, args) }, block]))
  }

  /**
   * Signs and sends a transaction to `n`'s JSON-RPC, waits for its receipt in a block `n` holds final (status 1): a
   * node a little behind may first include it in a block of its own on a stale head, where it can revert (a vote
   * before the voting opened), until that block loses to the others and the transaction is included again.
   */
  async function send (n: DevnetNode, wallet: ethers.Wallet, to: string, data: string): Promise<{ blockNumber: number }> {
    const provider = new ethers.JsonRpcProvider(url(n), undefined, { staticNetwork: true })
    try {
      const sentAt = await headNumber(url(n))
      const tx = await wallet.connect(provider).sendTransaction({ to, data, gasLimit: 1_000_000n })
      let receipt: { status: string, blockNumber: string } | null = null
      await waitFor(`the final receipt of ${tx.hash}`, async () => {
        // finality first: a receipt read after it in a block at or below it is the final one
        const finalized = Number((await rpc<Finality>(url(n), 'lucid_finality')).finalized.number)
        receipt = await rpc(url(n), 'eth_getTransactionReceipt', [tx.hash])
        return receipt !== null && Number(receipt.blockNumber) <= finalized
      }, 60_000, 250)
      const r = receipt as unknown as { status: string, blockNumber: string }
      assert.equal(r.status, '0x1', `${tx.hash} (sent through node ${n.index} at its block ${sentAt}) reverted in block ${Number(r.blockNumber)}`)
      return { blockNumber: Number(r.blockNumber) }
    } finally {
      provider.destroy()
    }
  }

  async function schedule (n: DevnetNode, slot?: number): Promise<Schedule> {
    return await rpc<Schedule>(url(n), 'lucid_schedule', slot === undefined ? [] : ['0x' + slot.toString(16)])
  }

  /** The first slot from `from` whose schedule on `n` has a fallback turn (the Server's after a ranked primary). */
  async function slotWithFallback (n: DevnetNode, from: number, before = Infinity): Promise<Schedule | undefined> {
    for (let slot = from; slot < Math.min(before, from + 2 * EPOCH_SLOTS); slot++) {
      const s = await schedule(n, slot)
      if (s.turns.length >= 2) return s
    }
    return undefined
  }

  before(async () => {
    tmp = await tempDir('lucid-governance-devnet-')
    // genesis a few seconds ahead: every node is up for its first heartbeats (uptime counts from genesis)
    const now = Date.now()
    devnet = await Devnet.create({ nodes: NODES, dir: join(tmp.dir, 'devnet'), chain: { slotMs: SLOT_MS, genesisMs: now - (now % 1000) + 12_000 }, logLevel: 'info' })
    await devnet.start()
    contracts = (await rpc<ChainInfo>(url(devnet.nodes[0]), 'lucid_chainInfo')).contracts
    // sessions put on the nodes in turn, anchored by each node's chain account: the next ranked block lists them
    let i = 0
    putter = setInterval(() => {
      const n = devnet.nodes[i++ % NODES]
      fetch(`${n.api}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${n.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(16_000), signal: AbortSignal.timeout(10_000) })
        .then(async (r) => { await r.body?.cancel() }, () => {})
    }, 1500)
  })

  after(async () => {
    if (putter !== undefined) clearInterval(putter)
    await devnet?.stop()
    await tmp?.cleanup()
  })

  it('the entities\' reward addresses become eligible through their nodes\' heartbeats and the blocks listing sessions', async () => {
    const eligibility = contracts.NodeEligibility
    const [n1] = devnet.nodes
    // before governance acts, every node spaces the turns by the genesis timeout
    for (const n of devnet.nodes) {
      const s = await slotWithFallback(n, (await rpc<Finality>(url(n), 'lucid_finality')).head.slot + 1)
      assert.ok(s !== undefined, `node ${n.index}: no slot with a fallback turn`)
      assert.equal(s.turns[1].fromMs - s.slotStartMs, OLD_TIMEOUT, `node ${n.index}: ${JSON.stringify(s)}`)
      assert.equal((await rpc<ChainInfo>(url(n), 'lucid_chainInfo')).slotTimeoutMs, OLD_TIMEOUT)
    }
    let stats: string[] = []
    await waitFor('every reward address eligible', async () => {
      const all = await Promise.all(voters.map(async (w) => {
        const [uptimeBps, earned] = await view(n1, eligibilityIface, eligibility, 'stats', [w.address])
        const [ok] = await view(n1, eligibilityIface, eligibility, 'isEligible', [w.address])
        return { ok: ok as boolean, text: `${w.address.slice(0, 8)}: ${Number(uptimeBps)} bps, ${ethers.formatEther(earned as bigint)} LUCID` }
      }))
      stats = all.map((s) => s.text)
      return all.every((s) => s.ok)
    }, 120_000, 1000).catch(() => assert.fail(`not all eligible: ${stats.join('; ')}`))
    const [count] = await view(n1, eligibilityIface, eligibility, 'eligibleCount')
    assert.equal(Number(count), NODES)
    // the sessions were listed by ranked entities' blocks (the Server's carry none), each entity's among them
    const listing = (await envelopes(url(n1), 1, await headNumber(url(n1)))).filter((b) => b.poot.body.sessions.length > 0)
    assert.ok(listing.every((b) => b.poot.signed.header.proposer !== 'server'))
    assert.equal(new Set(listing.map((b) => b.poot.signed.header.proposer)).size, NODES, 'not every entity listed sessions')
    if (putter !== undefined) clearInterval(putter)
  })

  let nextEpochStart = 0
  let executedAt = 0

  it('a Governor proposal raises leader.timeoutMs: voted, queued, executed after the Timelock delay', async () => {
    const { LucidGovernor: governor, ParamRegistry: registry } = contracts
    const [n1, n2, n3] = devnet.nodes
    const key = ethers.encodeBytes32String('leader.timeoutMs')
    // two reward parameters in the same proposal: every node must apply them at the same block, or they disagree
    const changes: Array<[string, number]> = [['leader.timeoutMs', NEW_TIMEOUT], ...ALSO_GOVERNED.map(([k, , v]): [string, number] => [k, v])]
    const calls = {
      targets: changes.map(() => registry),
      values: changes.map(() => 0n),
      calldatas: changes.map(([k, v]) => registryIface.encodeFunctionData('setParameter', [ethers.encodeBytes32String(k), v]))
    }
    const description = `leader timeout ${NEW_TIMEOUT} ms (devnet ${process.pid})`
    const args = [calls.targets, calls.values, calls.calldatas, ethers.id(description)]
    const id = (await view(n1, governorIface, governor, 'hashProposal', args))[0] as bigint
    // each call through another node: the transactions are gossiped to whoever proposes
    await send(n2, voters[0], governor, governorIface.encodeFunctionData('propose', [calls.targets, calls.values, calls.calldatas, description]))
    const snapshot = Number((await view(n1, governorIface, governor, 'proposalSnapshot', [id]))[0])
    await waitFor('the voting to open', async () => await headNumber(url(n1)) > snapshot, 30_000, 250)
    const deadline = Number((await view(n1, governorIface, governor, 'proposalDeadline', [id]))[0])
    await Promise.all(voters.map(async (w, i) => await send(devnet.nodes[i], w, governor, governorIface.encodeFunctionData('castVote', [id, 1])).catch((e: Error) => {
      throw new Error(`vote ${i} (voting from block ${snapshot + 1} to ${deadline}): ${e.message}`)
    })))
    const [against, forVotes] = await view(n1, governorIface, governor, 'proposalVotes', [id])
    assert.deepEqual([Number(against), Number(forVotes)], [0, NODES])
    await waitFor('the voting to close', async () => await headNumber(url(n1)) > deadline, 60_000, 250)
    assert.equal(Number((await view(n1, governorIface, governor, 'state', [id]))[0]), 4, 'the proposal did not succeed') // Succeeded
    await send(n3, voters[1], governor, governorIface.encodeFunctionData('queue', args))
    const eta = Number((await view(n1, governorIface, governor, 'proposalEta', [id]))[0])
    await waitFor('the Timelock delay', async () => Number((await rpc<{ timestamp: string }>(url(n1), 'eth_getBlockByNumber', ['latest', false])).timestamp) >= eta, 90_000, 500)
    executedAt = (await send(n1, voters[2], governor, governorIface.encodeFunctionData('execute', args))).blockNumber
    assert.equal(Number((await view(n1, governorIface, governor, 'state', [id]))[0]), 7, 'the proposal was not executed') // Executed
    // every node holds the new value, from the executing block on
    for (const n of devnet.nodes) {
      await waitFor(`node ${n.index} at the executing block`, async () => await headNumber(url(n)) >= executedAt, 30_000, 250)
      const at = '0x' + executedAt.toString(16)
      assert.equal((await view(n, registryIface, registry, 'get', [key], at))[0], BigInt(NEW_TIMEOUT), `node ${n.index}`)
      assert.equal((await view(n, registryIface, registry, 'get', [key], '0x' + (executedAt - 1).toString(16)))[0], 5000n, `node ${n.index}: the registry before`)
      for (const [k, , v] of ALSO_GOVERNED) assert.equal((await view(n, registryIface, registry, 'get', [ethers.encodeBytes32String(k)], at))[0], BigInt(v), `node ${n.index}: ${k}`)
    }
    const slot = (await envelopes(url(n1), executedAt, 1))[0].poot.signed.header.slot
    nextEpochStart = (Math.floor(slot / EPOCH_SLOTS) + 1) * EPOCH_SLOTS
    // every node already knows the next epoch's timeout; the rest of this epoch keeps the old one
    for (const n of devnet.nodes) {
      const head = (await rpc<Finality>(url(n), 'lucid_finality')).head.slot
      const next = await slotWithFallback(n, Math.max(head + 1, nextEpochStart))
      assert.ok(next !== undefined)
      assert.equal(next.turns[1].fromMs - next.slotStartMs, next.slot >= nextEpochStart ? NEW_TIMEOUT : OLD_TIMEOUT, `node ${n.index}: ${JSON.stringify(next)}`)
      const now = await slotWithFallback(n, head + 1, nextEpochStart)
      if (now !== undefined) assert.equal(now.turns[1].fromMs - now.slotStartMs, OLD_TIMEOUT, `node ${n.index} before the epoch's end: ${JSON.stringify(now)}`)
    }
  })

  it('from the next epoch\'s first block every node spaces the turns by the new timeout', async () => {
    for (const n of devnet.nodes) {
      await waitFor(`node ${n.index} in the next epoch`, async () => (await rpc<Finality>(url(n), 'lucid_finality')).head.slot >= nextEpochStart, 60_000, 250)
      const head = (await rpc<Finality>(url(n), 'lucid_finality')).head.slot
      const s = await slotWithFallback(n, head + 1)
      assert.ok(s !== undefined)
      assert.deepEqual(s.turns.map((t) => t.fromMs - s.slotStartMs), s.turns.map((t) => t.rank * NEW_TIMEOUT), `node ${n.index}: ${JSON.stringify(s)}`)
      const info = await rpc<ChainInfo>(url(n), 'lucid_chainInfo')
      assert.equal(info.slotTimeoutMs, NEW_TIMEOUT, `node ${n.index}`)
      for (const [k, param, v, toPoot] of ALSO_GOVERNED) assert.equal(info.params[param], toPoot(v), `node ${n.index}: ${k}`)
    }
  })

  it('from the next epoch on every node beats at the new interval, and the others include its beats', async () => {
    const n1 = devnet.nodes[0]
    const beats = new Map<string, Array<{ beat: number, slot: number }>>()
    await waitFor('two beats of every node due after the epoch start, in blocks', async () => {
      beats.clear()
      const head = await headNumber(url(n1))
      for (const b of await envelopes(url(n1), executedAt, head - executedAt + 1)) {
        for (const p of b.poot.body.proofs) {
          if (p.kind !== 'heartbeat' || p.slot < nextEpochStart) continue
          beats.set(p.node, [...(beats.get(p.node) ?? []), { beat: p.beat, slot: p.slot }])
        }
      }
      return beats.size === NODES && [...beats.values()].every((x) => x.length >= 2)
    }, 90_000, 1000)
    // a beat is due in its proof's slot: consecutive beats are 20 s apart (13 or 14 slots of 1.5 s), not 10 s (6 or 7)
    for (const [node, list] of beats) {
      list.sort((a, b) => a.beat - b.beat)
      for (let i = 1; i < list.length; i++) {
        const gap = (list[i].slot - list[i - 1].slot) / (list[i].beat - list[i - 1].beat)
        assert.ok(gap >= Math.floor(NEW_BEAT_S * 1000 / SLOT_MS) && gap <= Math.ceil(NEW_BEAT_S * 1000 / SLOT_MS), `${node}: beats ${JSON.stringify(list)}`)
      }
    }
  })

  it('the chain keeps producing and finalizing blocks, every node agreeing; a stopped node\'s slots are the Server\'s at the new turn', async () => {
    const [n1, n2, n3] = devnet.nodes
    const boundary = await waitForBlockAtSlot(n1, nextEpochStart)
    await waitFor('finality past the epoch boundary on every node', async () => {
      const f = await Promise.all(devnet.nodes.map(async (n) => await rpc<Finality>(url(n), 'lucid_finality')))
      return f.every((x) => Number(x.finalized.number) >= boundary)
    }, 90_000, 500)
    let top = 0
    await waitFor('four blocks past the boundary on every node', async () => {
      top = Math.min(...await Promise.all(devnet.nodes.map(async (n) => await headNumber(url(n)))))
      return top >= boundary + 4
    }, 30_000, 250)
    for (let b = executedAt - 2; b <= top; b++) {
      const at = '0x' + b.toString(16)
      const hashes = await Promise.all(devnet.nodes.map(async (n) => (await rpc<{ hash: string }>(url(n), 'eth_getBlockByNumber', [at, false])).hash))
      assert.equal(new Set(hashes).size, 1, `nodes disagree at block ${b}: ${hashes.join(' ')}`)
    }
    // node 3 stopped: its entity's slots fall to the Server (node 1) at rank 1, not before 1300 ms into the slot
    await devnet.stopNode(n3)
    const from = await headNumber(url(n1))
    let fallbacks: Array<{ slot: number, rank: number, intoSlotMs: number }> = []
    const { genesisMs } = await rpc<{ genesisMs: number }>(url(n1), 'lucid_chainInfo')
    await waitFor('two fallback blocks', async () => {
      const blocks = await envelopes(url(n1), from + 1, await headNumber(url(n1)) - from)
      fallbacks = blocks.filter((b) => b.poot.signed.header.rank > 0).map((b) => {
        const h = b.poot.signed.header
        return { slot: h.slot, rank: h.rank, intoSlotMs: h.timeMs - (genesisMs + h.slot * SLOT_MS) }
      })
      return fallbacks.length >= 2
    }, 60_000, 500)
    for (const f of fallbacks) assert.ok(f.intoSlotMs >= f.rank * NEW_TIMEOUT && f.intoSlotMs < SLOT_MS, `a fallback made at the old turn: ${JSON.stringify(f)}`)
    const at = '0x' + (await headNumber(url(n1)) - 1).toString(16)
    await waitFor('node 2 at the same block', async () => await headNumber(url(n2)) >= Number(at), 10_000, 250)
    const [h1, h2] = await Promise.all([n1, n2].map(async (n) => (await rpc<{ hash: string }>(url(n), 'eth_getBlockByNumber', [at, false])).hash))
    assert.equal(h1, h2)
  })

  async function waitForBlockAtSlot (n: DevnetNode, slot: number): Promise<number> {
    let found = -1
    await waitFor(`a block at slot ${slot} or later`, async () => {
      const head = await headNumber(url(n))
      const blocks = await envelopes(url(n), Math.max(1, executedAt), head - executedAt + 1)
      const i = blocks.findIndex((b) => b.poot.signed.header.slot >= slot)
      if (i >= 0) found = executedAt + i
      return i >= 0
    }, 60_000, 500)
    return found
  }
})
