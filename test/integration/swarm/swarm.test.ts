/**
 * Five real libp2p nodes (in this process, over TCP on 127.0.0.1): announcement to all, exactly R holders, fetch from
 * a non-holder, repair after a holder leaves, and a restarted node serving its sessions from its own store.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { openHome } from '../../../node/src/home/home.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, makeHome, PASSPHRASE, readAll, startNode, tempDir, testConfig, waitFor } from './support.js'

const R = 3

describe('swarm: 5 nodes on 127.0.0.1', function () {
  this.timeout(240_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: Array<LucidNode | undefined> = []
  const live = (): LucidNode[] => nodes.filter((n): n is LucidNode => n !== undefined)
  const holders = (id: string): LucidNode[] => live().filter((n) => n.index.get(id)?.held === true)
  let sessionId = ''
  let sessionKey: Uint8Array = new Uint8Array()
  const data = randomBytes(3 * 1024 * 1024 + 12345)

  before(async () => {
    tmp = await tempDir()
    for (let i = 0; i < 5; i++) {
      const home = await makeHome(join(tmp.dir, `n${i + 1}`))
      const boot = live().map(bootstrapAddr)
      nodes.push(await startNode(home, testConfig({ replication: R, bootstrap: boot })))
    }
    await waitFor('every node to see the 4 others as members', () => live().every((n) => n.membership.members().length === 4))
  })

  after(async () => {
    await Promise.allSettled(live().map(async (n) => { await n.stop() }))
    await tmp?.cleanup()
  })

  it('announces a session put on node 1 to all, keeps it on exactly R nodes, and node 5 fetches it byte-identical', async () => {
    const put = await live()[0].putSession((async function * () { yield data })(), { chunkSize: 256 * 1024 })
    sessionId = put.sessionId
    sessionKey = put.sessionKey
    assert.equal(put.chunkCount, 13)
    await waitFor('all 5 nodes to know the session', () => live().every((n) => n.index.get(sessionId) !== undefined))
    const desired = live()[0].replicator.decisions().find((d) => d.sessionId === sessionId)?.desired ?? []
    assert.equal(desired.length, R)
    await waitFor('exactly the R desired nodes to hold it', () => {
      const h = holders(sessionId).map((n) => n.peerId).sort()
      return h.length === R && JSON.stringify(h) === JSON.stringify([...desired].sort()) && live().every((n) => n.replicator.inFlight.size === 0)
    })
    // Every node agrees on who holds it (from the heartbeats).
    await waitFor('every node to see R holders', () => live().every((n) => n.view(n.index.get(sessionId)!).holders.length === R))
    const reader = nodes[4] as LucidNode
    const { manifest, stream } = await reader.openContent(sessionId, sessionKey)
    assert.equal(manifest.plaintextSize, data.length)
    assert.ok((await readAll(stream)).equals(data), 'node 5 got different bytes')
  })

  let killedIndex = -1
  let killedHome = ''

  it('repairs: when a holder leaves for longer than the grace period, the remaining nodes restore R', async () => {
    const victim = holders(sessionId)[0]
    killedIndex = nodes.indexOf(victim)
    killedHome = victim.home.paths.root
    await victim.stop()
    nodes[killedIndex] = undefined
    await waitFor('R live holders again', () => {
      const h = holders(sessionId)
      return h.length === R && live().every((n) => n.replicator.inFlight.size === 0)
    }, 90_000)
    await waitFor('no replication deficit on any node', () => live().every((n) => { n.replicator.decisions(); return n.view(n.index.get(sessionId)!).holders.length === R }))
  })

  it('a restarted node still holds and serves its sessions from its own store', async () => {
    const home = await openHome(killedHome, PASSPHRASE)
    const boot = live().map(bootstrapAddr)
    const node = await startNode(home, testConfig({ replication: R, bootstrap: boot }))
    nodes[killedIndex] = node
    const rec = node.index.get(sessionId)
    assert.ok(rec?.held === true, 'the restarted node lost its record')
    const encoded = await node.blocks.get(CID.parse(rec.manifest), { offline: true })
    assert.ok(encoded.length > 0)
    const { stream } = await node.openContent(sessionId, sessionKey)
    assert.ok((await readAll(stream)).equals(data))
    // It rejoins, is desired again (rendezvous is stable), and the stand-in hands its copy back: exactly R again.
    await waitFor('exactly R holders after the rejoin', () => holders(sessionId).length === R && holders(sessionId).includes(node) && live().every((n) => n.replicator.inFlight.size === 0), 90_000)
  })
})
