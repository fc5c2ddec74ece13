/**
 * The chain on a devnet of real `lucid start` processes (5 block-producing entities, 2 s slots, and a sixth node
 * that only follows): blocks every slot from the scheduled proposer, a fresh node syncing from genesis to the same
 * state root, the fallback proposing when the primary is stopped, a node killed with SIGKILL rejoining, an
 * equivocating proposer caught and jailed, and finality advancing without ever reverting.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { ethers } from 'ethers'
import { devAccountKeys, DEV_FUNDED_ACCOUNTS } from '../../../node/src/chain/dev.js'
import { join } from 'node:path'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { makeAttestation, makeHeartbeat, makeRelayReceipt, nodeKeyFromSeed, type NodeKey } from '../../../protocols/poot/index.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { decodeEnvelope, encodeEnvelope } from '../../../node/src/chain/envelope.js'
import { encodeProof } from '../../../node/src/chain/proof-codec.js'
import { Devnet, type DevnetNode } from '../../../node/src/devnet/devnet.js'
import { openHome } from '../../../node/src/home/home.js'
import { buildGenesis } from '../../../node/src/chain/genesis.js'
import { chainPaths, readGenesisFile } from '../../../node/src/chain/open.js'
import { RELAY_PROTOCOL, SYNC_PROTOCOL, TOPIC_BLOCKS, TOPIC_PROOFS } from '../../../node/src/chainnet/constants.js'
import { makeHome, startNode, testConfig, tempDir } from '../swarm/support.js'
import { waitFor } from '../../support/wait-for.js'
import { runLucid } from '../../support/run-lucid.js'
import { assertConforms } from '../../support/openapi.js'
import { envelopes, equivocate, headNumber, rpc, type Finality } from './devnet-support.js'

const SLOT_MS = 2000

/** Deletes every file under `dir` larger than `bytes`; returns how many. */
async function removeBigFiles (dir: string, bytes: number): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name)
    if (e.isFile() && (await stat(path)).size > bytes) { await rm(path); n++ }
  }
  return n
}
const ENTITIES = 5

describe('chain devnet: 5 real node processes and a follower', function () {
  this.timeout(600_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let devnet: Devnet
  let producers: DevnetNode[]
  let follower: DevnetNode
  const running = new Set<DevnetNode>()
  // finality monitor: per node the finalized numbers seen, and the one hash each finalized number ever had
  const finalizedSeen = new Map<number, number[]>()
  const finalHashes = new Map<number, string>()
  const violations: string[] = []
  let monitor: NodeJS.Timeout | undefined

  const url = (n: DevnetNode): string => n.rpc as string
  const live = (): DevnetNode[] => [...running]

  async function start (n: DevnetNode): Promise<void> { await devnet.startNode(n); running.add(n) }

  before(async () => {
    tmp = await tempDir('lucid-chain-devnet-')
    devnet = await Devnet.create({ nodes: ENTITIES + 1, chainEntities: ENTITIES, dir: join(tmp.dir, 'devnet'), chain: { slotMs: SLOT_MS }, logLevel: 'info' })
    producers = devnet.nodes.slice(0, ENTITIES)
    follower = devnet.nodes[ENTITIES]
    await Promise.all(producers.map(start))
    monitor = setInterval(() => {
      for (const n of live()) {
        rpc<Finality>(url(n), 'lucid_finality').then((f) => {
          const num = Number(f.finalized.number)
          const seen = finalizedSeen.get(n.index) ?? []
          if (seen.length > 0 && num < seen[seen.length - 1]) violations.push(`node ${n.index}: finalized went back from ${seen[seen.length - 1]} to ${num}`)
          seen.push(num)
          finalizedSeen.set(n.index, seen)
          const known = finalHashes.get(num)
          if (known !== undefined && known !== f.finalized.hash) violations.push(`block ${num} finalized as ${known} and as ${f.finalized.hash}`)
          finalHashes.set(num, f.finalized.hash)
        }).catch(() => {})
      }
    }, 1000)
  })

  /** the error with the last lines of the nodes' logs that match `pattern`: what a failure on a loaded machine needs */
  async function withLogs (e: Error, nodes: DevnetNode[], pattern: RegExp): Promise<Error> {
    const logs = await Promise.all(nodes.map(async (n) => `node ${n.index}:\n` + (await readFile(n.log, 'utf8').catch(() => '')).split('\n').filter((l) => pattern.test(l)).slice(-10).join('\n')))
    return new Error(`${e.message}\n${logs.join('\n----\n')}`)
  }

  after(async () => {
    if (monitor !== undefined) clearInterval(monitor)
    await devnet?.stop()
    await tmp?.cleanup()
  })

  it('every slot gets a block from its scheduled proposer, and all nodes agree on it', async () => {
    const first = await headNumber(url(producers[0])) + 2
    await waitFor('ten more blocks', async () => await headNumber(url(producers[0])) >= first + 10, 90_000, 500)
    const blocks = await envelopes(url(producers[0]), first, 10)
    assert.equal(blocks.length, 10)
    const slots = blocks.map((b) => b.poot.signed.header.slot)
    for (let i = 1; i < slots.length; i++) assert.equal(slots[i], slots[i - 1] + 1, `slots ${slots.join(',')} have a gap`)
    for (const b of blocks) assert.equal(b.poot.signed.header.rank, 0, `slot ${b.poot.signed.header.slot} was not proposed by its primary`)
    const proposers = new Set(blocks.map((b) => b.poot.signed.header.proposer))
    assert.ok(proposers.size >= 3, `only ${proposers.size} proposers in 10 slots`)
    // the same block at that height on every node
    const hashes = await Promise.all(producers.map(async (n) => (await rpc<{ hash: string }>(url(n), 'eth_getBlockByNumber', ['0x' + (first + 9).toString(16), false])).hash))
    assert.equal(new Set(hashes).size, 1, `nodes disagree: ${hashes.join(' ')}`)
  })

  it('task proofs are included: votes finalize blocks and every entity earns credits', async () => {
    await waitFor('a finalized block past 5', async () => Number((await rpc<Finality>(url(producers[0]), 'lucid_finality')).finalized.number) > 5, 60_000, 500)
    const credits = await rpc<{ credits: Record<string, number> }>(url(producers[1]), 'lucid_credits')
    for (const n of producers) assert.ok((credits.credits[n.nodeId] ?? 0) > 0, `entity of node ${n.index} has no credits: ${JSON.stringify(credits.credits)}`)
  })

  it('a session put on a node is anchored in LucidAnchors, recorded in its state, and the anchor becomes final', async () => {
    const n = producers[0]
    const res = await fetch(`${n.api}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${n.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(300_000) })
    assert.equal(res.status, 201)
    const put = await res.json() as { sessionId: string, anchor: { tx: string, submitMs: number } | null, anchorQueued: boolean }
    assert.ok(put.anchor !== null, 'the put was not anchored')
    assert.equal(put.anchorQueued, false)
    interface Anchor { tx: string, block: number, final: { block: number, blockHash: string } | null }
    const anchorOf = async (): Promise<Anchor | undefined> => {
      const s = await (await fetch(`${n.api}/api/v1/sessions/${put.sessionId}`, { headers: { authorization: `Bearer ${n.adminToken}` } })).json() as { crdt: { anchors: Anchor[] } | null }
      return s.crdt?.anchors[0]
    }
    let anchored: Anchor | undefined
    await waitFor('the anchor in the session state', async () => (anchored = await anchorOf()) !== undefined, 60_000, 500)
    assert.equal(anchored?.tx, put.anchor.tx)
    // the node records the final block itself, once its chain finalized it
    await waitFor('the anchor recorded final', async () => (anchored = await anchorOf())?.final != null, 60_000, 500)
    const final = anchored?.final as { block: number, blockHash: string }
    const receipt = await rpc<{ status: string, blockNumber: string, blockHash: string, logs: unknown[] }>(url(producers[1]), 'eth_getTransactionReceipt', [put.anchor.tx])
    assert.equal(receipt.status, '0x1')
    assert.equal(Number(receipt.blockNumber), final.block)
    assert.equal(receipt.blockHash, final.blockHash, 'the recorded final block is the one the other nodes have the transaction in')
    assert.equal(receipt.logs.length, 1, 'registerSession emits SessionRegistered')
    await waitFor('another node final past the anchor', async () => Number((await rpc<Finality>(url(producers[2]), 'lucid_finality')).finalized.number) >= final.block, 60_000, 500)
    const show = await runLucid(['session', 'show', put.sessionId, '--home', n.home])
    assert.equal(show.code, 0, show.stderr)
    assert.match(show.stdout, new RegExp(`anchored in ${put.anchor.tx} \\(block ${final.block}, final`))
    const status = await runLucid(['status', '--home', n.home])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`^chain       id \\d+, head \\d+ \\(slot \\d+\\), finalized \\d+; JSON-RPC ${url(n)}$`, 'm'))
    assert.match(status.stdout, /^anchoring   as 0x[0-9a-fA-F]{40}: \d+ not final yet$/m)
    assertConforms('Status', JSON.parse((await runLucid(['status', '--home', n.home, '--json'])).stdout))
    const metrics = await (await fetch(`${n.api}/metrics`)).text()
    assert.match(metrics, /^lucid_chain_anchors_final_total [1-9]\d*$/m)
    assert.match(metrics, /^lucid_chain_anchors_unsent 0$/m)
    assert.match(metrics, /^lucid_chain_anchors_given_up 0$/m)
  })

  it('holders claim the session, answer its challenges with their chunks; a holder that deleted its chunks misses and loses credits', async () => {
    interface Storage { catalog: Array<{ sessionId: string, holders: string[] }>, openChallenges: Array<{ holder: string, slot: number }> }
    let catalog: Storage['catalog'] = []
    await waitFor('two holders in the chain\'s catalog', async () => {
      catalog = (await rpc<Storage>(url(producers[0]), 'lucid_storage')).catalog
      return catalog.some((c) => c.holders.length >= 2)
    }, 90_000, 500)
    const entry = catalog.find((c) => c.holders.length >= 2)!
    // answered challenges: storage proofs in blocks
    await waitFor('a storage proof in a block', async () => {
      const head = await headNumber(url(producers[0]))
      return (await envelopes(url(producers[0]), Math.max(1, head - 20), 21)).some((e) => e.poot.body.proofs.some((p) => p.kind === 'storage'))
    }, 120_000, 1000)
    // a node that handed the session over to its desired holders (the origin may) releases its claim: the catalog
    // ends up listing only nodes that hold the session
    const holds = async (n: DevnetNode): Promise<boolean> => ((await (await fetch(`${n.api}/api/v1/sessions/${entry.sessionId}`, { headers: { authorization: `Bearer ${n.adminToken}` } })).json()) as { held?: boolean }).held === true
    await waitFor('the catalog to list only nodes that hold the session', async () => {
      const listed = (await rpc<Storage>(url(producers[0]), 'lucid_storage')).catalog.find((c) => c.sessionId === entry.sessionId)?.holders ?? []
      const nodes = producers.filter((n) => listed.includes(n.nodeId))
      return nodes.length >= 1 && (await Promise.all(nodes.map(holds))).every(Boolean)
    }, 90_000, 1000)
    // not vacuous: an origin the catalog listed that no longer holds the session got out of it through a release in
    // a block (one whose claim was never included owes nothing and leaves without one)
    const origin = producers[0]
    if (entry.holders.includes(origin.nodeId) && !(await holds(origin))) {
      const head = await headNumber(url(origin))
      const released = (await envelopes(url(origin), 1, head)).some((e) => e.poot.body.proofs.some((p) => p.kind === 'release' && p.node === origin.nodeId && p.sessionId === entry.sessionId))
      assert.ok(released, 'the origin let the session go without a release in any block')
    }
    // a holder that keeps the session (not the origin, which may hand it over) loses its chunk blobs (every block
    // file bigger than the manifest) behind the node's back
    const listed = (await rpc<Storage>(url(producers[0]), 'lucid_storage')).catalog.find((c) => c.sessionId === entry.sessionId)?.holders ?? []
    const victim = producers.slice(1).find((n) => listed.includes(n.nodeId))!
    assert.ok(victim !== undefined, 'no holder other than the origin')
    const removed = await removeBigFiles(join(victim.home, 'blocks'), 100_000)
    assert.ok(removed > 0, 'no chunk blob found to delete')
    const credits = async (): Promise<number> => (await rpc<{ credits: Record<string, number> }>(url(producers[0]), 'lucid_credits')).credits[victim.nodeId] ?? 0
    let last = await credits()
    let dropped = false
    await waitFor('the victim\'s credits to drop after a missed challenge', async () => {
      const now = await credits()
      dropped ||= now < last
      last = now
      return dropped
    }, 180_000, 300)
    assert.match(await readFile(victim.log, 'utf8'), /storage challenge cannot be answered/)
  })

  it('chunk transfers earn relay receipts: the receiver signs what a peer delivered, the relayer countersigns, a block includes it', async () => {
    const origin = producers[1]
    const res = await fetch(`${origin.api}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${origin.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(3 * 1024 * 1024) })
    assert.equal(res.status, 201)
    const ids = new Set(producers.map((n) => n.nodeId))
    let receipt: { node: string, receiver: string, bytes: number } | undefined
    await waitFor('a relay receipt between two producers in a block', async () => {
      const head = await headNumber(url(producers[0]))
      for (const e of await envelopes(url(producers[0]), Math.max(1, head - 10), 11)) {
        const r = e.poot.body.proofs.find((p) => p.kind === 'relay' && ids.has(p.node) && ids.has(p.receiver))
        if (r?.kind === 'relay') receipt = r
      }
      return receipt !== undefined
    }, 90_000, 1000)
    assert.notEqual(receipt!.node, receipt!.receiver)
    assert.ok(receipt!.bytes >= 1024 * 1024, `a receipt for ${receipt!.bytes} bytes earns no credit`)
    const relayer = producers.find((n) => n.nodeId === receipt!.node)!
    const metrics = await (await fetch(`${relayer.api}/metrics`)).text()
    assert.match(metrics, /lucid_chain_relay_receipts_total\{role="relayer",outcome="countersigned"\} [1-9]/)
  })

  it('a fresh node syncs from genesis over libp2p to the same state root', async () => {
    await start(follower)
    const target = await headNumber(url(producers[0]))
    await waitFor('the follower at the producers\' head', async () => await headNumber(url(follower)) >= target, 120_000, 500)
    const at = '0x' + target.toString(16)
    const [a, b] = await Promise.all([producers[0], follower].map(async (n) => await rpc<{ hash: string, stateRoot: string }>(url(n), 'eth_getBlockByNumber', [at, false])))
    assert.equal(b.hash, a.hash)
    assert.equal(b.stateRoot, a.stateRoot)
    // its JSON-RPC says what an Ethereum client would: peers, and no catch-up running once it is there
    assert.ok(Number(await rpc<string>(url(follower), 'net_peerCount')) >= 1)
    await waitFor('eth_syncing false on the follower', async () => await rpc<unknown>(url(follower), 'eth_syncing') === false, 30_000, 250)
  })

  it('a transaction sent to the follower (which never proposes) is gossiped to the proposers and included', async () => {
    const provider = new ethers.JsonRpcProvider(url(follower), undefined, { staticNetwork: true, pollingInterval: 250 })
    const wallet = new ethers.Wallet(devAccountKeys(DEV_FUNDED_ACCOUNTS)[60], provider)
    const tx = await wallet.sendTransaction({ to: '0x' + '42'.repeat(20), value: 12345n })
    const receipt = await tx.wait(1, 60_000).catch(async (e: Error) => { throw await withLogs(e, [follower, producers[0]], /txs|transaction|rejected|sync/) })
    assert.equal(receipt?.status, 1)
    assert.equal(await new ethers.JsonRpcProvider(url(producers[0]), undefined, { staticNetwork: true }).getBalance('0x' + '42'.repeat(20)), 12345n)
    provider.destroy()
  })

  it('with the primary stopped, the fallback proposes after the timeout', async () => {
    const victim = producers[2]
    const before = await headNumber(url(producers[0]))
    await devnet.stopNode(victim)
    running.delete(victim)
    // wait for a slot whose primary was the stopped entity: its block comes from rank 1 (the Server fallback)
    let fallback: { slot: number, rank: number } | undefined
    await waitFor('a block proposed by a fallback', async () => {
      const head = await headNumber(url(producers[0]))
      const got = await envelopes(url(producers[0]), before + 1, Math.max(1, head - before))
      const f = got.find((e) => e.poot.signed.header.rank > 0)
      if (f !== undefined) fallback = { slot: f.poot.signed.header.slot, rank: f.poot.signed.header.rank }
      return fallback !== undefined
    }, 120_000, 1000)
    assert.ok(fallback !== undefined && fallback.rank >= 1)
    await start(victim)
  })

  it('a node killed with SIGKILL restarts, catches up and proposes again; an anchor it had just sent still lands final in its state', async () => {
    const victim = producers[3]
    // a put whose anchor transaction is accepted but not yet in a block, then the kill
    const res = await fetch(`${victim.api}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${victim.adminToken}`, 'content-type': 'application/octet-stream' }, body: randomBytes(100_000) })
    assert.equal(res.status, 201)
    const put = await res.json() as { sessionId: string, anchor: { tx: string } | null }
    assert.ok(put.anchor !== null, 'the put was not anchored')
    await devnet.killNode(victim)
    running.delete(victim)
    await start(victim)
    // the restarted node follows the anchor again (from its datastore, or from its state if the inclusion was recorded)
    const started = (await readFile(victim.log, 'utf8')).split('\n').filter((l) => l.includes('"chain started"')).pop() as string
    assert.ok((JSON.parse(started) as { anchorsFollowed: number }).anchorsFollowed >= 1, started)
    await waitFor('the anchor sent before the kill final in the restarted node\'s state', async () => {
      const s = await (await fetch(`${victim.api}/api/v1/sessions/${put.sessionId}`, { headers: { authorization: `Bearer ${victim.adminToken}` } })).json() as { crdt: { anchors: Array<{ by: string, final: object | null }> } | null }
      return s.crdt?.anchors.some((a) => a.by === victim.peerId && a.final !== null) === true
    }, 90_000, 500)
    const target = await headNumber(url(producers[0]))
    await waitFor('the restarted node at the head', async () => await headNumber(url(victim)) >= target, 90_000, 500)
    const from = await headNumber(url(producers[0]))
    await waitFor('a block proposed by the restarted node', async () => {
      const head = await headNumber(url(producers[0]))
      const got = await envelopes(url(producers[0]), from, Math.max(1, head - from + 1))
      return got.some((e) => e.poot.signed.header.proposer === victim.nodeId)
    }, 120_000, 1000)
  })

  it('an equivocating proposer and a double voter are caught and jailed; garbage blocks, proofs, sync requests and relay receipts are rejected and cost the sender score', async () => {
    const culprit = producers[1]
    const genesis = await buildGenesis(await readGenesisFile(chainPaths(culprit.home).genesis))
    const key: NodeKey = nodeKeyFromSeed((await openHome(culprit.home, culprit.passphrase)).identity.secretKey)
    // a block of the culprit's that everyone has
    let original: Awaited<ReturnType<typeof envelopes>>[number] | undefined
    await waitFor('a block by the culprit', async () => {
      const head = await headNumber(url(producers[0]))
      original = (await envelopes(url(producers[0]), Math.max(1, head - 8), 9)).find((e) => e.poot.signed.header.proposer === key.id)
      return original !== undefined
    }, 120_000, 1000)
    const forged = equivocate(genesis, original!, key)
    // a plain peer (no chain) joins and gossips the forged block
    const peer = await startNode(await makeHome(join(tmp.dir, 'forger')), testConfig({ bootstrap: producers.map((n) => n.multiaddrs[0]) }))
    try {
      // the forger knows every running producer follows both chain topics before it sends anything (it asks node 1's
      // score below; any of them may include the evidence)
      const ids = producers.filter((n) => running.has(n)).map((n) => n.peerId)
      await waitFor('the forger sees the producers on the chain topics', async () => [TOPIC_BLOCKS, TOPIC_PROOFS].every((t) => {
        const subscribers = new Set(peer.libp2p.services.pubsub.getSubscribers(t).map((p) => p.toString()))
        return ids.every((id) => subscribers.has(id))
      }), 30_000, 200)
      await peer.libp2p.services.pubsub.publish(TOPIC_BLOCKS, forged)
      await waitFor('the culprit jailed', async () => {
        const c = await rpc<{ jailedUntil: Record<string, number> }>(url(producers[0]), 'lucid_credits')
        return c.jailedUntil[key.id] !== undefined
      }, 60_000, 500).catch(async (e: Error) => { throw await withLogs(e, producers, /equivocation|evidence|block proposed|not proposed/) })

      // garbage from the same peer: an undecodable envelope, one whose EVM block is not a block, a forged relay
      // receipt, a heartbeat of a node no entity has, a malformed sync request
      const badEvm = encodeEnvelope({ ...decodeEnvelope(forged), evm: new Uint8Array([0xc0]) })
      const stranger = nodeKeyFromSeed(new Uint8Array(32).fill(42)) // in no entity
      const slot = (await rpc<Finality>(url(producers[0]), 'lucid_finality')).head.slot
      // a relay receipt whose receiver was changed after signing: the relayer's signature no longer verifies
      const forgedReceipt = { ...makeRelayReceipt(key, stranger, slot, 1 << 20), receiver: producers[2].nodeId }
      const pubsub = peer.libp2p.services.pubsub
      await pubsub.publish(TOPIC_BLOCKS, new Uint8Array([0xc1, 0x02, 0x03]))
      await pubsub.publish(TOPIC_BLOCKS, badEvm)
      await pubsub.publish(TOPIC_PROOFS, encodeProof(forgedReceipt))
      await pubsub.publish(TOPIC_PROOFS, encodeProof(makeHeartbeat(stranger, 5, 5, { slot: 0, hash: 'ab'.repeat(32) })))
      const stream = await peer.libp2p.dialProtocol(peerIdFromString(producers[0].peerId), SYNC_PROTOCOL)
      await lpStream(stream).write(new Uint8Array([0xc1, 0x09]))
      const relayStream = await peer.libp2p.dialProtocol(peerIdFromString(producers[0].peerId), RELAY_PROTOCOL)
      await lpStream(relayStream).write(new Uint8Array([0xc1, 0x09]))
      const metricsOf = async (n: DevnetNode): Promise<string> => await (await fetch(`${n.api}/metrics`)).text()
      const rejected = (text: string, topic: string): number => text.split('\n').filter((l) => l.startsWith('lucid_gossip_messages_rejected_total') && l.includes(`topic="${topic}"`)).reduce((s, l) => s + Number(l.split(' ').pop()), 0)
      let counts: number[] = []
      await waitFor('the garbage rejected', async () => {
        const m = await metricsOf(producers[0])
        counts = [rejected(m, TOPIC_BLOCKS), rejected(m, TOPIC_PROOFS), rejected(m, SYNC_PROTOCOL), rejected(m, RELAY_PROTOCOL)]
        return counts[0] >= 2 && counts[1] >= 2 && counts[2] >= 1 && counts[3] >= 1
      }, 30_000, 500).catch(() => assert.fail(`rejected by node 1 (blocks, proofs, sync requests, relay receipts): ${counts.join(', ')}`))
      // gossipsub caches scores for a moment: poll until the invalid deliveries show
      let score: number | undefined
      await waitFor('the sender\'s score below zero', async () => {
        const { peers } = await (await fetch(`${producers[0].api}/api/v1/peers`, { headers: { authorization: `Bearer ${producers[0].adminToken}` } })).json() as { peers: Array<{ peerId: string, score: number }> }
        score = peers.find((p) => p.peerId === peer.peerId)?.score
        return score !== undefined && score < 0
      }, 15_000, 500).catch(() => assert.fail(`the sender's score is ${score}`))
      // a double vote of another producer, gossiped by the forger: caught, included as evidence, its entity jailed
      const voter = producers[2]
      const voterKey = nodeKeyFromSeed((await openHome(voter.home, voter.passphrase)).identity.secretKey)
      const fin = await rpc<Finality>(url(producers[0]), 'lucid_finality')
      const source = { epoch: fin.justified[fin.justified.length - 1].epoch, hash: fin.justified[fin.justified.length - 1].pootHash }
      const voteSlot = fin.head.slot
      assert.equal((await rpc<{ jailedUntil: Record<string, number> }>(url(producers[0]), 'lucid_credits')).jailedUntil[voterKey.id], undefined, 'the voter was jailed before it double-voted')
      await pubsub.publish(TOPIC_PROOFS, encodeProof(makeAttestation(voterKey, voteSlot, fin.head.pootHash, source)))
      await pubsub.publish(TOPIC_PROOFS, encodeProof(makeAttestation(voterKey, voteSlot, 'ee'.repeat(32), source)))
      await waitFor('the double voter jailed', async () => {
        const c = await rpc<{ jailedUntil: Record<string, number> }>(url(producers[0]), 'lucid_credits')
        return c.jailedUntil[voterKey.id] !== undefined
      }, 60_000, 500)
      const head = await headNumber(url(producers[0]))
      assert.ok((await envelopes(url(producers[0]), Math.max(1, head - 20), 21)).some((e) => e.poot.body.voteEvidence.some((v) => v.a.node === voterKey.id)), 'no block carries the vote evidence')
      // the chain goes on
      const h = await headNumber(url(producers[0]))
      await waitFor('more blocks', async () => await headNumber(url(producers[0])) > h + 1, 30_000, 500)
    } finally {
      await peer.stop()
    }
  })

  it('finality advanced on every node and never reverted', async () => {
    assert.deepEqual(violations, [])
    for (const n of producers) {
      const seen = finalizedSeen.get(n.index) ?? []
      assert.ok(seen.length > 10, `node ${n.index}: ${seen.length} samples`)
      assert.ok(seen[seen.length - 1] > seen[0], `node ${n.index}: finalized stayed at ${seen[0]}`)
    }
  })
})
