/**
 * A node that never received a session's gossip announcement (it joined after the session was put, and does not take
 * part in the announce topic) still lists the session from the swarm's session state (CRDT): GET /api/v1/sessions
 * and GET /api/v1/sessions/:id show it with source 'state', its manifest, Merkle root, chunk count, recorder and the
 * holders the heartbeats report; an ID neither knows is still a 404.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { readAdminToken } from '../../../node/src/home/home.js'
import { startApi, type RunningApi } from '../../../node/src/api/server.js'
import type { LucidNode, SessionView } from '../../../node/src/runtime/node.js'
import { TOPIC_ANNOUNCE } from '../../../protocols/swarm/constants.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig, waitFor } from '../swarm/support.js'

const R = 2

describe('state: a node that missed every announcement lists sessions from the session state', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: LucidNode[] = []
  let api: RunningApi | undefined

  before(async () => { tmp = await tempDir('lucid-state-late-') })
  after(async () => {
    await api?.close()
    await Promise.allSettled(nodes.map(async (n) => { await n.stop() }))
    await tmp?.cleanup()
  })

  it('shows the session in the list and by ID, from the state alone', async () => {
    for (let i = 0; i < 2; i++) {
      nodes.push(await startNode(await makeHome(join(tmp.dir, `n${i + 1}`)), testConfig({ replication: R, bootstrap: nodes.map(bootstrapAddr) })))
    }
    await waitFor('the two nodes see each other', () => nodes.every((n) => n.membership.members().length === 1))
    const put = await nodes[0].putSession((async function * () { yield randomBytes(200_000) })(), { chunkSize: 64 * 1024, owner: 'alice' })
    const id = put.sessionId
    await waitFor('R holders', () => nodes.every((n) => n.index.get(id)?.held === true))

    // The late node: no announcements reach it (it leaves the announce topic before it connects).
    const late = await startNode(await makeHome(join(tmp.dir, 'late')), testConfig({ replication: R }))
    nodes.push(late)
    late.replicator.stop() // it may be a desired holder: this test is about the listing (late-joiner.test.ts replicates)
    late.libp2p.services.pubsub.topicValidators.delete(TOPIC_ANNOUNCE)
    late.libp2p.services.pubsub.unsubscribe(TOPIC_ANNOUNCE)
    await late.libp2p.dial((await import('@multiformats/multiaddr')).multiaddr(bootstrapAddr(nodes[0])))
    await waitFor('the late node\'s state to know the sealed session and its heartbeats to show both holders', () =>
      late.sessionState.session(id)?.sealed !== null && late.sessionState.session(id) !== null && late.membership.holdersOf(id).size === R)
    assert.equal(late.index.get(id)?.announcement ?? '', '', 'the late node must not have received the announcement')

    api = await startApi(late, { host: '127.0.0.1', port: 0, token: await readAdminToken(late.home.paths.root), maxUploadBytes: 1 << 20 })
    const list = await (await fetch(`${api.url}/api/v1/sessions`)).json() as { sessions: SessionView[] }
    const listed = list.sessions.find((s) => s.sessionId === id)
    assert.ok(listed !== undefined, 'the session is missing from GET /api/v1/sessions')
    const res = await fetch(`${api.url}/api/v1/sessions/${id}`)
    assert.equal(res.status, 200)
    const one = await res.json() as SessionView
    for (const v of [listed, one]) {
      assert.equal(v.source, 'state')
      assert.equal(v.manifest, put.manifestCid)
      assert.equal(v.chunkCount, put.chunkCount)
      assert.equal(v.origin, nodes[0].peerId)
      assert.equal(v.recorder, Buffer.from(nodes[0].home.identity.publicKey).toString('hex'))
      assert.equal(v.held, false)
      assert.deepEqual(v.holders, [nodes[0].peerId, nodes[1].peerId].sort())
      assert.equal(v.crdt?.status, 'replicated')
      assert.equal((v as unknown as Record<string, unknown>).announcement, undefined)
    }
    const merkleRoot = nodes[0].index.get(id)?.merkleRoot
    assert.equal(one.merkleRoot, merkleRoot)

    // A session the late node saw announced is listed from the announcement.
    const other = nodes.find((n) => n !== late) as LucidNode
    assert.equal(other.sessionView(id)?.source, 'announcement')
    const unknown = await fetch(`${api.url}/api/v1/sessions/00000000-0000-4000-8000-000000000000`)
    assert.equal(unknown.status, 404)
  })
})
