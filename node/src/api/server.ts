/**
 * The operator HTTP API (fastify), bound to 127.0.0.1 by default. Reads are open; everything that changes state or
 * returns plaintext needs the admin token. Bad requests get a 4xx JSON error saying what is wrong.
 */
import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { isSessionId } from '../../../protocols/session/session-id.js'
import { MIN_CHUNK_SIZE } from '../../../protocols/session/constants.js'
import { MAX_SWARM_CHUNK_SIZE } from '../../../protocols/swarm/constants.js'
import { NoKeyError, NotFoundError, SessionTooLargeError, type LucidNode } from '../runtime/node.js'
import { ApiError, badRequest, notFound } from './errors.js'
import { checkToken } from './auth.js'
import { openapiDocument } from './openapi.js'

export interface ApiOptions { host: string, port: number, token: string, maxUploadBytes: number }
export interface RunningApi { url: string, app: FastifyInstance, close: () => Promise<void> }

class TooLarge extends ApiError {
  constructor (max: number) { super(413, 'upload-too-large', `the upload is over this node's limit of ${max} bytes (api.maxUploadBytes)`) }
}

function sessionIdParam (req: FastifyRequest): string {
  const id = String((req.params as { id?: string }).id ?? '')
  if (!isSessionId(id)) throw badRequest('bad-session-id', `'${id.slice(0, 80)}' is not a session ID (a lower-case UUIDv4)`)
  return id
}

function sessionKeyHeader (req: FastifyRequest): Uint8Array | undefined {
  const raw = req.headers['x-lucid-session-key']
  if (raw === undefined) return undefined
  const key = Buffer.from(String(raw), 'base64')
  if (key.length !== 32) throw badRequest('bad-session-key', 'X-Lucid-Session-Key must be the 32-byte session key in base64')
  return new Uint8Array(key)
}

async function * limited (source: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const piece of source) {
    total += piece.length
    if (total > max) throw new TooLarge(max)
    yield piece
  }
}

export function buildApi (node: LucidNode, opts: ApiOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 1 << 20,
    return503OnClosing: true,
    forceCloseConnections: true,
    // the router's own refusals (a malformed URL, a path segment over 100 characters) in the API's error shape
    frameworkErrors: (err, _req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400
      const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path-too-long' : 'bad-url'
      void (reply as unknown as FastifyReply).code(status).type('application/json').send({ error: { code, message: err.message.slice(0, 200) } })
    }
  })
  // Checked in onRequest, before any body is read or parsed.
  const onRequest = async (req: FastifyRequest): Promise<void> => { checkToken(req.headers.authorization, opts.token) }
  const guarded = { onRequest }

  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => { done(null, payload) })

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number, code?: string }
    let status = 500
    let code = 'internal'
    let message = 'internal error'
    if (e instanceof ApiError) { status = e.statusCode; code = e.code; message = e.message } else if (e instanceof NotFoundError) { status = 404; code = 'not-found'; message = e.message } else if (e instanceof NoKeyError) { status = 403; code = 'no-session-key'; message = e.message } else if (e instanceof SessionTooLargeError) { status = 413; code = 'session-too-large'; message = e.message } else if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      status = e.statusCode; code = (e.code ?? 'bad-request').toLowerCase(); message = e.message
    } else {
      node.log.error({ err: e.message, url: req.url }, 'API request failed')
    }
    // A refused upload is not read to its end: close the connection rather than leave it half-read.
    if (!req.raw.complete) void reply.header('connection', 'close')
    void reply.code(status).type('application/json').send({ error: { code, message } })
  })
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'no-such-endpoint', message: `no endpoint ${req.method} ${req.url.split('?')[0]}; see GET /api/v1/openapi.json` } })
  })

  app.get('/healthz', async () => ({ ok: true }))
  app.get('/readyz', async (_req, reply) => {
    const ready = node.libp2p.status === 'started'
    return await reply.code(ready ? 200 : 503).send({ ready, peers: node.libp2p.getPeers().length })
  })
  app.get('/metrics', async (_req, reply) => {
    return await reply.type(node.metrics.registry.contentType).send(await node.metrics.registry.metrics())
  })
  app.get('/api/v1/openapi.json', async () => openapiDocument())
  app.get('/api/v1/status', async () => node.status())
  app.get('/api/v1/peers', async () => ({ peers: node.peers() }))
  // Announced sessions and those this node knows only from the session state (CRDT), e.g. after joining late.
  app.get('/api/v1/sessions', async () => ({ sessions: node.sessionViews().map(({ announcement: _a, ...v }) => v) }))
  app.get('/api/v1/sessions/:id', async (req) => {
    const id = sessionIdParam(req)
    const view = node.sessionView(id)
    if (view === undefined) throw notFound(`no session ${id} is known to this node`)
    const { announcement: _a, ...v } = view
    return v
  })
  app.get('/api/v1/sessions/:id/content', guarded, async (req, reply) => {
    const id = sessionIdParam(req)
    const key = sessionKeyHeader(req)
    const { manifest, stream } = await node.openContent(id, key)
    void reply.header('content-type', 'application/octet-stream')
      .header('content-length', String(manifest.plaintextSize))
      .header('x-lucid-plaintext-size', String(manifest.plaintextSize))
      .header('x-lucid-merkle-root', Buffer.from(manifest.merkleRoot).toString('hex'))
    return await reply.send(Readable.from(stream))
  })
  app.post('/api/v1/sessions', guarded, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (type !== 'application/octet-stream') throw new ApiError(415, 'unsupported-media-type', `send the recording as the body with Content-Type: application/octet-stream (got '${type.slice(0, 80) || 'none'}')`)
    const q = req.query as Record<string, string | undefined>
    const length = Number(req.headers['content-length'] ?? NaN)
    if (Number.isFinite(length) && length > opts.maxUploadBytes) throw new TooLarge(opts.maxUploadBytes)
    let chunkSize: number | undefined
    if (q.chunkSize !== undefined) {
      chunkSize = Number(q.chunkSize)
      if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_SWARM_CHUNK_SIZE) throw badRequest('bad-chunk-size', `chunkSize must be an integer between ${MIN_CHUNK_SIZE} and ${MAX_SWARM_CHUNK_SIZE} (one chunk per bitswap message)`)
    }
    if (q.owner !== undefined && (q.owner.length < 1 || q.owner.length > 256)) throw badRequest('bad-owner', 'owner must be 1–256 characters')
    const participants = q.participants === undefined ? [] : q.participants.split(',').map((s) => s.trim()).filter((s) => s !== '')
    if (participants.length > 256 || participants.some((p) => p.length > 256)) throw badRequest('bad-participants', 'at most 256 participants of at most 256 characters each')
    const body = req.body as IncomingMessage | undefined
    if (body === undefined || body === null || typeof (body as any)[Symbol.asyncIterator] !== 'function') throw badRequest('bad-body', 'send the recording as the request body with Content-Type: application/octet-stream')
    const result = await node.putSession(limited(body, opts.maxUploadBytes), { owner: q.owner, participants, chunkSize })
    const { sessionKey, ...summary } = result
    const out: Record<string, unknown> = { ...summary, origin: node.peerId }
    if (q.exportKey === 'true' || q.exportKey === '1') out.sessionKey = Buffer.from(sessionKey).toString('base64')
    return await reply.code(201).send(out)
  })
  app.post('/api/v1/sessions/:id/announce', guarded, async (req) => {
    return { announcedTo: await node.reannounce(sessionIdParam(req)) }
  })
  app.post('/api/v1/gc', guarded, async () => {
    return { deleted: await node.gc() }
  })
  return app
}

export async function startApi (node: LucidNode, opts: ApiOptions): Promise<RunningApi> {
  const app = buildApi(node, opts)
  await app.listen({ host: opts.host, port: opts.port })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  return { url: `http://${host}:${port}`, app, close: async () => { await app.close() } }
}
