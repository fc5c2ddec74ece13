/**
 * A node that joins after a session was put, and never sees its announcement (it leaves the announce topic before it
 * connects), takes the sealed session from the session state (CRDT): as one of the desired holders (R = 3, three
 * nodes once it joined) it fetches, verifies and pins the replica, the session reaches R, and it serves the content
 * byte-identical through GET /api/v1/sessions/:id/content. A state entry that does not match the manifest it names is
 * refused (an incident) and never pinned.
 */
import { strict as assert } from 'node:assert'
import { randomBytes, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { multiaddr } from '@multiformats/multiaddr'
import { readAdminToken } from '../../../node/src/home/home.js'
import { startApi, type RunningApi } from '../../../node/src/api/server.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { TOPIC_ANNOUNCE } from '../../../protocols/swarm/constants.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig, waitFor } from './support.js'

const R = 3

describe('swarm: a node that joins late replicates and serves sessions it knows only from the session state', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: LucidNode[] = []
  let api: RunningApi | undefined
  let sessionId: string | undefined

  before(async () => { tmp = await tempDir('lucid-swarm-late-') })
  after(async () => {
    await api?.close()
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
    await tmp?.cleanup()
  })

  it('fetches, verifies and pins the replica, reaches R, serves it byte-identical, and refuses an inconsistent entry', async () => {
    for (let i = 0; i < 2; i++) {
      nodes.push(await startNode(await makeHome(join(tmp.dir, `n${i + 1}`)), testConfig({ replication: R, bootstrap: nodes.map(bootstrapAddr) })))
    }
    await waitFor('the two nodes see each other', () => nodes.every((n) => n.membership.members().length === 1))
    const data = randomBytes(700_000)
    const put = await nodes[0].putSession((async function * () { yield data })(), { chunkSize: 64 * 1024 })
    const id = put.sessionId
    await waitFor('both nodes hold it', () => nodes.every((n) => n.index.get(id)?.held === true))

    const late = await startNode(await makeHome(join(tmp.dir, 'late')), testConfig({ replication: R }))
    nodes.push(late)
    late.libp2p.services.pubsub.topicValidators.delete(TOPIC_ANNOUNCE)
    late.libp2p.services.pubsub.unsubscribe(TOPIC_ANNOUNCE)
    await late.libp2p.dial(multiaddr(bootstrapAddr(nodes[0])))

    // (1) with three members and R = 3 the late node is a desired holder: it replicates from the state's seal
    await waitFor('the late node to hold a verified replica', () => late.index.get(id)?.held === true, 60_000)
    const rec = late.index.get(id)!
    assert.equal(rec.announcement, '', 'the late node must not have received the announcement')
    assert.equal(rec.manifest, put.manifestCid)
    assert.equal(await late.blocks.isPinned(CID.parse(put.manifestCid)), true)
    assert.equal(rec.storedBytes, nodes[0].index.get(id)!.storedBytes, 'the replica measured the stored size')
    await waitFor('every node to see R holders', () => nodes.every((n) => n.view(n.index.get(id)!).holders.length === R))
    await waitFor('the state to list R holders', () => late.sessionState.session(id)?.holders.length === R)

    // (2) its API serves the content byte-identical
    api = await startApi(late, { host: '127.0.0.1', port: 0, token: await readAdminToken(late.home.paths.root), maxUploadBytes: 1 << 20 })
    const res = await fetch(`${api.url}/api/v1/sessions/${id}/content`, {
      headers: { authorization: `Bearer ${await readAdminToken(late.home.paths.root)}`, 'x-lucid-session-key': Buffer.from(put.sessionKey).toString('base64') }
    })
    assert.equal(res.status, 200)
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data), 'the late node served different bytes')
    const view = await (await fetch(`${api.url}/api/v1/sessions/${id}`)).json() as { source: string, held: boolean }
    assert.equal(view.source, 'state')
    assert.equal(view.held, true)

    // an announcement that arrives after all completes the record and keeps the replica
    late.gossip.start()
    await waitFor('the announcement to reach the late node', async () => {
      await nodes[0].reannounce(id)
      await new Promise((resolve) => setTimeout(resolve, 300))
      return late.index.get(id)?.announcement !== ''
    }, 30_000)
    assert.equal(late.index.get(id)?.held, true)
    assert.deepEqual(late.index.get(id)?.addrs, nodes[0].index.get(id)?.addrs)

    // (3) an entry whose seal names another session's manifest (a wrong root too) is refused by every node
    const forged = randomUUID()
    const seal = { manifest: put.manifestCid, merkleRoot: 'ab'.repeat(32), chunkCount: put.chunkCount, plaintextSize: 1, sealedAt: Date.now() }
    await nodes[1].sessionState.sessionStarted(forged, { owner: 'mallory', participants: [], policyHash: '00'.repeat(32), createdAt: Date.now() })
    await nodes[1].sessionState.sessionSealed(forged, Array.from({ length: put.chunkCount }, () => put.manifestCid), seal)
    await waitFor('every node to refuse the forged entry', () => nodes.every((n) => n.replicator.refused.has(forged)), 30_000)
    await waitFor('the late node to record a tamper-detected incident', () =>
      late.sessionState.incidents().some((i) => i.kind === 'tamper-detected' && i.sessionId === forged && i.by === late.peerId))
    for (const n of nodes) assert.notEqual(n.index.get(forged)?.held, true)
    assert.equal(late.replicator.inFlight.has(forged), false)
    sessionId = id
  })

  it('takes a state session in as soon as the state arrives, not at its next heartbeat', async () => {
    assert.ok(sessionId !== undefined, 'needs the session of the test before')
    // a node whose own heartbeat comes only every 60 s: its first beat runs before it is connected
    const slow = await startNode(await makeHome(join(tmp.dir, 'slow')), testConfig({ replication: R, heartbeatMs: 60_000 }))
    nodes.push(slow)
    slow.libp2p.services.pubsub.topicValidators.delete(TOPIC_ANNOUNCE)
    slow.libp2p.services.pubsub.unsubscribe(TOPIC_ANNOUNCE)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(slow.index.get(sessionId), undefined)
    await slow.libp2p.dial(multiaddr(bootstrapAddr(nodes[0])))
    // well before its next heartbeat (60 s): only the state update itself can have brought it
    await waitFor('the state catch-up to bring the session into the index', () => slow.index.get(sessionId as string) !== undefined, 10_000)
    assert.equal(slow.index.get(sessionId)?.manifest, nodes[0].index.get(sessionId)?.manifest)
    assert.equal(slow.index.get(sessionId)?.announcement, '')
  })
})
