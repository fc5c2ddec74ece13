/**
 * The session state inside the real node runtime (LucidNode: Helia, gossip, replication): a put on node 1 creates
 * the entry, replication adds the holders, every node's state converges byte for byte and the API view shows it;
 * a node restarted from its data directory restores the state and catches up.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { openHome } from '../../../node/src/home/home.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, makeHome, PASSPHRASE, startNode, tempDir, testConfig, waitFor } from '../swarm/support.js'

const R = 2

describe('state: in the node runtime', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: LucidNode[] = []

  before(async () => {
    tmp = await tempDir('lucid-state-rt-')
    for (let i = 0; i < 3; i++) {
      const home = await makeHome(join(tmp.dir, `n${i + 1}`))
      nodes.push(await startNode(home, testConfig({ replication: R, bootstrap: nodes.map(bootstrapAddr) })))
    }
    await waitFor('every node to see the 2 others as members', () => nodes.every((n) => n.membership.members().length === 2))
  })
  after(async () => {
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
    await tmp?.cleanup()
  })

  const hashes = (): Set<string> => new Set(nodes.map((n) => n.sessionState.state.stateHash()))

  it('a put creates the entry, replication adds holders, all nodes converge and the API view shows it', async () => {
    const put = await nodes[0].putSession((async function * () { yield randomBytes(300_000) })(), { chunkSize: 128 * 1024, owner: 'alice', participants: ['bob'] })
    const id = put.sessionId
    await waitFor('R holders in every node\'s session state, status replicated, same bytes everywhere', () =>
      nodes.every((n) => n.sessionState.session(id)?.holders.length === R && n.sessionState.session(id)?.status === 'replicated') && hashes().size === 1)
    const s = nodes[2].sessionState.session(id)
    assert.equal(s?.recorder, nodes[0].peerId)
    assert.equal(s?.record?.owner, 'alice')
    assert.deepEqual(s?.record?.participants, ['bob'])
    assert.equal(s?.sealed?.manifest, put.manifestCid)
    assert.equal(s?.chunks.length, put.chunkCount)
    const holders = nodes.filter((n) => n.index.get(id)?.held === true).map((n) => n.peerId).sort()
    assert.deepEqual(s?.holders, holders, 'the CRDT holders are the nodes that hold it')
    const view = nodes[1].view(nodes[1].index.get(id)!)
    assert.equal(view.crdt?.status, 'replicated')
    assert.deepEqual(view.crdt?.holders, holders)
  })

  it('a restarted node restores its state and catches up with what it missed', async () => {
    const stopped = nodes.splice(2, 1)[0]
    const dir = stopped.home.paths.root
    const seqBefore = stopped.sessionState.state.log(nodes[0].peerId)?.seq ?? 0
    assert.ok(seqBefore > 0)
    await stopped.stop()
    const put = await nodes[0].putSession((async function * () { yield randomBytes(50_000) })(), { chunkSize: 64 * 1024 })
    const home = await openHome(dir, PASSPHRASE)
    const again = await startNode(home, testConfig({ replication: R, bootstrap: nodes.map(bootstrapAddr) }))
    nodes.push(again)
    assert.ok((again.sessionState.state.log(nodes[0].peerId)?.seq ?? 0) >= seqBefore, 'restored what it had from its datastore')
    await waitFor('the restarted node catches up and all converge', () => again.sessionState.session(put.sessionId)?.status !== undefined && hashes().size === 1, 60_000)
  })
})
