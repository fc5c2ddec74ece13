/**
 * Handing a session over to its desired holders, on a real node's store: the session is marked not held at once (so
 * the node's chain duties release its holding claim), but its blocks stay pinned, and survive gc, as long as the
 * chain still owes them (the catalog lists the node as a holder or a challenge to it is open); once nothing is owed
 * they are unpinned and gc deletes them. A restart between the two finds the pinned, not-held session again.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { CID } from 'multiformats/cid'
import { selectHolders } from '../../../protocols/swarm/replicas.js'
import { Replicator } from '../../../node/src/swarm/replicator.js'
import { Membership } from '../../../node/src/swarm/membership.js'
import { SWARM_VERSION } from '../../../protocols/swarm/constants.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { makeHome, startNode, tempDir, testConfig } from './support.js'

describe('swarm: handing a session over keeps its blocks while the chain owes them', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let node: LucidNode

  before(async () => { tmp = await tempDir() })
  after(async () => {
    await node?.stop().catch(() => {})
    await tmp?.cleanup()
  })

  it('drops to not-held at once, unpins only once nothing is owed on chain, and finds a retained session after a restart', async () => {
    node = await startNode(await makeHome(join(tmp.dir, 'a')), testConfig({ replication: 1 }))
    node.replicator.stop() // its own plan (no other member) would fetch the session back
    const put = await node.putSession(Readable.from([randomBytes(3 * 1024 * 1024)]))
    const sessionId = put.sessionId
    const manifest = CID.parse(node.index.get(sessionId)!.manifest)
    const self = node.libp2p.peerId.toString()
    // another member that rendezvous hashing prefers for this session, and already holds it: this node may hand over
    const other = Array.from({ length: 64 }, (_, i) => `peer-${i}`).find((p) => selectHolders(sessionId, [self, p], 1)[0] === p)!
    // the node's view of the swarm: that member's heartbeat says it holds the session
    const membership = new Membership(self, 60_000, () => Date.now())
    membership.see(other, { v: SWARM_VERSION, at: Date.now(), addrs: [], held: [sessionId] })
    let owed = true
    const logs: string[] = []
    const replicator = (): Replicator => new Replicator({
      self,
      index: node.index,
      blocks: node.blocks,
      membership,
      replication: 1,
      dial: async () => {},
      log: { info: (_o, m) => logs.push(m), warn: (_o, m) => logs.push(m) },
      onHeldChanged: () => {},
      owed: () => owed
    })

    const first = replicator()
    await first.tick()
    assert.equal(node.index.get(sessionId)?.held, false, 'not held once handed over')
    assert.equal(await node.blocks.isPinned(manifest), true, 'unpinned while the chain still owes it')
    assert.equal(await node.gc(), 0)
    assert.equal(first.retainedCount, 1)

    // a restart while still owed: a new replicator finds the pinned, not-held session and keeps it
    const second = replicator()
    await second.tick()
    assert.equal(await node.blocks.isPinned(manifest), true)
    assert.equal(second.retainedCount, 1)

    owed = false
    await second.tick()
    assert.equal(await node.blocks.isPinned(manifest), false)
    assert.equal(second.retainedCount, 0)
    assert.ok(await node.gc() >= put.chunkCount + 1, 'gc deleted the session\'s chunks and manifest')
    assert.ok(logs.some((m) => m.startsWith('unpinned a handed-over session')), logs.join('\n'))
  })
})
