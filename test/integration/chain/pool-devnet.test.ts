/**
 * A pool entity across real processes: `lucid devnet --pool 3:2` style, three `lucid start` processes each holding
 * only its own member key of one 2-of-3 pool (node 1 also holds the development Server key, the fallback). The pool
 * gets its scheduled slots with blocks signed by two members (co-signed over /lucid/1/chain/cosign/1.0.0); with one
 * member stopped it still proposes with the other two; with two stopped its slots fall to the Server's fallback.
 */
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { poolEntity } from '../../../protocols/poot/index.js'
import { Devnet, type DevnetNode } from '../../../node/src/devnet/devnet.js'
import type { Envelope } from '../../../node/src/chain/envelope.js'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { COSIGN_PROTOCOL } from '../../../node/src/chainnet/constants.js'
import { encodeCosignRequest, decodeCosignAnswer } from '../../../node/src/chainnet/cosign-codec.js'
import { encodeEnvelope } from '../../../node/src/chain/envelope.js'
import { makeHome, startNode, tempDir, testConfig } from '../swarm/support.js'
import { waitFor } from '../../support/wait-for.js'
import { envelopes, headNumber, rpc } from './devnet-support.js'

const SLOT_MS = 1001

describe('chain devnet: a 2-of-3 pool entity whose members are separate processes', function () {
  this.timeout(300_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let devnet: Devnet
  let pool: string
  const url = (n: DevnetNode): string => n.rpc as string

  /** The canonical blocks after number `after` on `n`, up to its head. */
  async function since (n: DevnetNode, after: number): Promise<Envelope[]> {
    return await envelopes(url(n), after + 1, await headNumber(url(n)) - after)
  }
  const byPool = (blocks: Envelope[]): Envelope[] => blocks.filter((b) => b.poot.signed.header.proposer === pool)
  const members = (b: Envelope): number[] => b.poot.signed.signatures.map((s) => s.member)
  const describeBlocks = (blocks: Envelope[]): string => blocks.map((b) => `${b.poot.signed.header.slot}:${b.poot.signed.header.proposer.slice(0, 9)}/r${b.poot.signed.header.rank}/[${members(b).join(',')}]`).join(' ')

  before(async () => {
    tmp = await tempDir('lucid-pool-devnet-')
    devnet = await Devnet.create({ nodes: 3, dir: join(tmp.dir, 'devnet'), chain: { slotMs: SLOT_MS }, pools: [{ members: 3, threshold: 2 }], logLevel: 'info' })
    pool = poolEntity(devnet.nodes.map((n) => n.nodeId), 2).id
    await devnet.start()
  })

  after(async () => {
    await devnet?.stop()
    await tmp?.cleanup()
  })

  it('the pool proposes its slots with two member signatures; every node agrees', async () => {
    const [n1] = devnet.nodes
    const start = await headNumber(url(n1))
    let blocks: Envelope[] = []
    await waitFor('two pool blocks', async () => { blocks = await since(n1, start); return byPool(blocks).length >= 2 }, 90_000, 500)
      .catch(() => assert.fail(`pool blocks: ${describeBlocks(blocks)}`))
    for (const b of byPool(blocks)) {
      assert.equal(b.poot.signed.header.rank, 0)
      assert.equal(members(b).length, 2, `slot ${b.poot.signed.header.slot}: ${members(b).join(',')}`)
      assert.deepEqual(b.seal.map((s) => s.member), members(b))
      assert.ok(members(b).includes(b.poot.signed.header.revealer), 'the leader signed its block')
    }
    // the pool missed none of its slots from its first block on (a missed one is the Server's at rank 1)
    const first = blocks.findIndex((b) => b.poot.signed.header.proposer === pool)
    const missed = blocks.slice(first).filter((b) => b.poot.signed.header.rank > 0)
    assert.ok(missed.length <= 1, `the pool missed slots: ${describeBlocks(blocks)}`)
    const last = blocks[blocks.length - 1]
    const at = '0x' + (start + blocks.length).toString(16)
    const hashes = await Promise.all(devnet.nodes.map(async (n) => (await rpc<{ hash: string }>(url(n), 'eth_getBlockByNumber', [at, false])).hash))
    assert.equal(new Set(hashes).size, 1, `nodes disagree at ${at} (slot ${last.poot.signed.header.slot}): ${hashes.join(' ')}`)
    // co-signers imported the published blocks with their drafts' execution
    const gauge = async (n: DevnetNode, name: string): Promise<number> => {
      const line = (await (await fetch(`${n.api}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name} `))
      return Number(line?.split(' ').pop() ?? NaN)
    }
    const reused = await Promise.all(devnet.nodes.map(async (n) => await gauge(n, 'lucid_chain_cosigned_drafts_reused')))
    assert.ok(reused.every((x) => Number.isInteger(x)) && reused.reduce((a, b) => a + b, 0) >= 1, `drafts reused: ${reused.join(',')}`)
    // every state since genesis is still in the dev chain's 3-day window: each node holds one a block, at least
    for (const n of devnet.nodes) {
      const kept = await gauge(n, 'lucid_chain_pootstates_kept')
      assert.ok(kept >= start + blocks.length, `node ${n.index} keeps ${kept} PoOT states at block ${start + blocks.length}`)
    }
  })

  it('a garbage co-sign request and one in a member\'s name from another peer are refused and counted', async () => {
    const [n1] = devnet.nodes
    const head = await headNumber(url(n1))
    const poolBlock = byPool(await envelopes(url(n1), Math.max(1, head - 20), 21))[0]
    assert.ok(poolBlock !== undefined, 'a pool block to replay')
    const peer = await startNode(await makeHome(join(tmp.dir, 'stranger')), testConfig({ bootstrap: [n1.multiaddrs[0]] }))
    try {
      const target = multiaddr(n1.multiaddrs[0])
      const garbage = await peer.libp2p.dialProtocol(target, COSIGN_PROTOCOL)
      await lpStream(garbage).write(new Uint8Array([0xc1, 0x09]))
      // a real draft of the pool, sent by a peer that is not its revealing member
      const forged = await peer.libp2p.dialProtocol(target, COSIGN_PROTOCOL)
      const lp = lpStream(forged)
      await lp.write(encodeCosignRequest(encodeEnvelope(poolBlock)))
      const answer = decodeCosignAnswer((await lp.read()).subarray())
      assert.ok(!answer.ok && answer.reason.startsWith('not-the-leader'), JSON.stringify(answer))
      let count = 0
      await waitFor('both counted', async () => {
        const text = await (await fetch(`${n1.api}/metrics`)).text()
        count = text.split('\n').filter((l) => l.startsWith('lucid_gossip_messages_rejected_total') && l.includes(`topic="${COSIGN_PROTOCOL}"`)).reduce((n, l) => n + Number(l.split(' ').pop()), 0)
        return count >= 2
      }, 15_000, 300).catch(() => assert.fail(`counted: ${count}`))
    } finally {
      await peer.stop()
    }
  })

  it('with one member stopped the other two still propose the pool\'s slots', async () => {
    const [n1, , n3] = devnet.nodes
    await devnet.stopNode(n3)
    const start = await headNumber(url(n1))
    let blocks: Envelope[] = []
    await waitFor('two pool blocks without member 3', async () => { blocks = await since(n1, start); return byPool(blocks).length >= 2 }, 90_000, 500)
      .catch(() => assert.fail(`blocks: ${describeBlocks(blocks)}`))
    for (const b of byPool(blocks)) assert.deepEqual(members(b), [0, 1], `slot ${b.poot.signed.header.slot} signed by ${members(b).join(',')}`)
  })

  it('with two members stopped the pool\'s slots fall to the Server\'s fallback', async () => {
    const [n1, n2] = devnet.nodes
    await devnet.stopNode(n2)
    const start = await headNumber(url(n1))
    let blocks: Envelope[] = []
    await waitFor('three fallback blocks', async () => {
      blocks = await since(n1, start)
      return blocks.filter((b) => b.poot.signed.header.rank === 1).length >= 3
    }, 60_000, 500).catch(() => assert.fail(`blocks: ${describeBlocks(blocks)}`))
    // (a block the two members made just before the stop may still land first)
    const stoppedAt = blocks[0].poot.signed.header.slot
    assert.deepEqual(byPool(blocks).filter((b) => b.poot.signed.header.slot > stoppedAt + 1).map((b) => b.poot.signed.header.slot), [], describeBlocks(blocks))
    for (const b of blocks.slice(2)) assert.equal(b.poot.signed.header.proposer, 'server')
  })
})
