/** The operator API: happy path, and bad inputs that must get a 4xx JSON error (never a 500). */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { join } from 'node:path'
import fc from 'fast-check'
import { assertConforms, OPENAPI_DOCUMENT } from '../../support/openapi.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { startApi, type RunningApi } from '../../../node/src/api/server.js'
import { readAdminToken } from '../../../node/src/home/home.js'
import { makeHome, startNode, tempDir, testConfig } from './support.js'

const MAX_UPLOAD = 256 * 1024

describe('operator API', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let node: LucidNode
  let api: RunningApi
  let token = ''
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${token}` })
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Response> => await fetch(api.url + path, { headers })
  async function expectError (res: Response, status: number, code?: string): Promise<void> {
    assert.equal(res.status, status, `${res.url}: ${res.status} ${await res.clone().text()}`)
    const body = await res.json() as { error: { code: string, message: string } }
    assert.equal(typeof body.error.message, 'string')
    assert.ok(body.error.message.length > 5)
    if (code !== undefined) assert.equal(body.error.code, code)
  }

  before(async () => {
    tmp = await tempDir()
    const home = await makeHome(join(tmp.dir, 'n1'))
    token = await readAdminToken(home.paths.root)
    node = await startNode(home, testConfig({ replication: 1 }))
    api = await startApi(node, { host: '127.0.0.1', port: 0, token, maxUploadBytes: MAX_UPLOAD })
  })
  after(async () => {
    await api?.close()
    await node?.stop()
    await tmp?.cleanup()
  })

  it('serves health, readiness, status, peers, metrics and the checked-in OpenAPI document', async () => {
    assert.equal((await get('/healthz')).status, 200)
    assert.equal((await get('/readyz')).status, 200)
    const status = await (await get('/api/v1/status')).json() as { peerId: string }
    assert.equal(status.peerId, node.peerId)
    assert.ok(Array.isArray((await (await get('/api/v1/peers')).json() as { peers: unknown[] }).peers))
    const served = await (await get('/api/v1/openapi.json')).json()
    assert.deepEqual(served, OPENAPI_DOCUMENT, 'docs/openapi.json is out of date: regenerate it from node/src/api/openapi.ts')
    // the answers are what the document says (real peers' and a chain node's: processes.test.ts, chain/devnet.test.ts)
    assertConforms('Status', status)
    assertConforms('Status', { ...status, chain: { chainId: 1, head: 2, headSlot: 3, finalized: 1, syncing: null, rpc: 'http://127.0.0.1:8545', account: null, anchors: null } })
    assert.throws(() => { assertConforms('Status', { ...status, surprise: 1 }) }, /must NOT have additional properties/, 'a field the document does not name fails')
    const peer = { peerId: 'p', addrs: [], connected: true, member: false, score: 0, held: 0 }
    assertConforms('Peer', peer)
    assert.throws(() => { assertConforms('Peer', { ...peer, held: -1 }) }, /must be >= 0/)
    const metrics = await (await get('/metrics')).text()
    for (const name of ['lucid_peers', 'lucid_gossip_messages_received_total', 'lucid_gossip_messages_published_total', 'lucid_gossip_messages_rejected_total',
      'lucid_store_bytes', 'lucid_sessions_held', 'lucid_replication_deficit', 'lucid_sessions_retained', 'lucid_bitswap_served_bytes_total', 'lucid_bitswap_received_bytes_total',
      'lucid_ingest_bytes_total', 'lucid_process_resident_memory_bytes']) assert.ok(metrics.includes(name), `missing metric ${name}`)
  })

  it('puts a session (streamed upload) and streams it back decrypted', async () => {
    const data = randomBytes(200_000)
    const res = await fetch(`${api.url}/api/v1/sessions?exportKey=true&participants=a,b`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body: data })
    assert.equal(res.status, 201)
    const put = await res.json() as { sessionId: string, sessionKey: string }
    assert.equal(Buffer.from(put.sessionKey, 'base64').length, 32)
    const list = await (await get('/api/v1/sessions')).json() as { sessions: Array<{ sessionId: string, held: boolean }> }
    assert.ok(list.sessions.some((s) => s.sessionId === put.sessionId && s.held))
    const one = await (await get(`/api/v1/sessions/${put.sessionId}`)).json() as { holders: string[] }
    assert.deepEqual(one.holders, [node.peerId])
    const content = await get(`/api/v1/sessions/${put.sessionId}/content`, auth())
    assert.equal(content.status, 200)
    assert.ok(Buffer.from(await content.arrayBuffer()).equals(data))
  })

  it('refuses a missing or wrong admin token with 401/403', async () => {
    await expectError(await fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'x' }), 401, 'missing-token')
    await expectError(await fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/octet-stream' }, body: 'x' }), 403, 'wrong-token')
    await expectError(await fetch(`${api.url}/api/v1/gc`, { method: 'POST', headers: { authorization: 'Basic abc' } }), 401, 'bad-token')
    await expectError(await get('/api/v1/sessions/3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f/content'), 401)
  })

  it('answers bad JSON, wrong content types and bad parameters with 400/415', async () => {
    await expectError(await fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"not json' }), 400)
    await expectError(await fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'hello' }), 415)
    await expectError(await fetch(`${api.url}/api/v1/sessions?chunkSize=12`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body: 'x' }), 400, 'bad-chunk-size')
    await expectError(await get('/api/v1/sessions/not-a-uuid'), 400, 'bad-session-id')
    await expectError(await get('/api/v1/sessions/3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f/content', { ...auth(), 'x-lucid-session-key': 'short' }), 400, 'bad-session-key')
  })

  it('answers a path segment over the router\'s limit with 414 in the API\'s error shape', async () => {
    await expectError(await get(`/api/v1/sessions/${'a'.repeat(300)}/content`), 414, 'path-too-long')
  })

  it('property: any method, path, query, headers and body get an answer below 500, every error the API\'s JSON error', async () => {
    const ids = ['3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f', 'abc', '%00', '..%2F..%2Fetc', 'A'.repeat(150), '3F0C2A8E-9B1D-4C2E-8F00-0A1B2C3D4E5F']
    const path = fc.oneof(
      fc.constantFrom('/healthz', '/readyz', '/metrics', '/api/v1/status', '/api/v1/peers', '/api/v1/sessions', '/api/v1/gc', '/api/v1/openapi.json', '/api/v1/', '/', '/api/v2/status', '/%', '/api/v1/sessions/%E0%A4%A'),
      fc.tuple(fc.constantFrom(...ids), fc.constantFrom('', '/content', '/announce', '/x')).map(([id, rest]) => `/api/v1/sessions/${id}${rest}`)
    )
    const query = fc.dictionary(fc.constantFrom('owner', 'participants', 'chunkSize', 'exportKey', 'x'),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('1', '0', '-1', '65536', '1048577', 'true', 'a,b,,c', '9'.repeat(30))), { maxKeys: 3 })
    const headers = fc.record({
      authorization: fc.constantFrom(`Bearer ${token}`, 'Bearer x', 'Basic abc', `Bearer ${token} extra`),
      'content-type': fc.constantFrom('application/octet-stream', 'application/json', 'text/plain', 'multipart/form-data; boundary=x'),
      'x-lucid-session-key': fc.constantFrom('AAAA', 'not base64!', Buffer.alloc(32).toString('base64'))
    }, { requiredKeys: [] })
    const body = fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('{', '{"a":1}', 'null'))
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'), path, query, headers, body, async (method, p, q, h, b) => {
      const qs = Object.keys(q).length > 0 ? '?' + new URLSearchParams(q).toString() : ''
      const res = await fetch(`${api.url}${p}${qs}`, { method, headers: h, body: method === 'GET' ? undefined : b })
      const text = await res.text()
      assert.ok(res.status < 500, `${method} ${p}${qs}: ${res.status} ${text.slice(0, 200)}`)
      if (res.status >= 400) {
        const e = (JSON.parse(text) as { error?: { code?: unknown, message?: unknown } }).error
        assert.ok(typeof e?.code === 'string' && typeof e.message === 'string', `${method} ${p}${qs}: ${res.status} ${text.slice(0, 200)}`)
      }
    }), { numRuns: Number(process.env.LUCID_PROPERTY_RUNS ?? 600) })
  })

  it('answers unknown session IDs and endpoints with 404', async () => {
    await expectError(await get('/api/v1/sessions/3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f'), 404, 'not-found')
    await expectError(await get('/api/v1/sessions/3f0c2a8e-9b1d-4c2e-8f00-0a1b2c3d4e5f/content', auth()), 404, 'not-found')
    await expectError(await get('/api/v1/nothing-here'), 404, 'no-such-endpoint')
  })

  it('refuses an oversize upload with 413, by Content-Length and when streamed without one', async () => {
    await expectError(await fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body: randomBytes(MAX_UPLOAD + 1) }), 413, 'upload-too-large')
    const url = new URL(`${api.url}/api/v1/sessions`)
    const status = await new Promise<{ status: number, body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...auth(), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = ''
        res.on('data', (d: Buffer) => { body += d.toString() })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', (err) => { if ((err as NodeJS.ErrnoException).code !== 'EPIPE' && (err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err) })
      let sent = 0
      const pump = (): void => {
        while (sent < 4 * MAX_UPLOAD) {
          sent += 32 * 1024
          if (!req.write(randomBytes(32 * 1024))) { req.once('drain', pump); return }
        }
        req.end()
      }
      pump()
    })
    assert.equal(status.status, 413, status.body)
    assert.equal((JSON.parse(status.body) as { error: { code: string } }).error.code, 'upload-too-large')
    // The node is still fine afterwards.
    assert.equal((await get('/readyz')).status, 200)
  })
})
