// The HTTP API on 127.0.0.1: every route needs `Authorization: Bearer <token>`.
//   GET /health         mode, paused, TRON head, last error
//   GET /payouts        every payout transaction and its state (?state=confirmed to filter)
//   GET /batches/:id    one batch (id = its BLAKE3 root, or a unique prefix)
//   GET /metrics        Prometheus text
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { timingSafeEqual } from 'node:crypto'
import { metricsText } from './metrics.js'
import type { PayoutService } from './service.js'

export async function startApi (s: PayoutService, opts: { host: string, port: number, token: string, isPaused: () => boolean }): Promise<{ url: string, close: () => Promise<void> }> {
  const expected = Buffer.from(`Bearer ${opts.token}`)
  const server: Server = createServer((req, res) => {
    const send = (code: number, body: unknown, type = 'application/json'): void => {
      res.writeHead(code, { 'content-type': type })
      res.end(type === 'application/json' ? JSON.stringify(body, null, 1) + '\n' : String(body))
    }
    const auth = Buffer.from(req.headers.authorization ?? '')
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return send(401, { error: 'missing or wrong bearer token' })
    if (req.method !== 'GET') return send(405, { error: `method ${req.method ?? ''} not allowed: the API is read-only` })
    let url: URL
    // a request target such as '//[' is no URL: answered, not thrown (a throw here would end the process)
    try { url = new URL(req.url ?? '/', 'http://x') } catch { return send(400, { error: 'malformed request target' }) }
    if (url.pathname === '/health') {
      return send(s.lastError === undefined ? 200 : 503, { ok: s.lastError === undefined, mode: s.d.config.mode, paused: opts.isPaused(), tronHead: s.head, trxBalanceSun: s.trxBalanceSun, lastError: s.lastError, lastTickAt: s.lastTickAt, cursor: s.state.cursor })
    }
    if (url.pathname === '/metrics') return send(200, metricsText(s), 'text/plain; version=0.0.4')
    if (url.pathname === '/payouts') {
      const state = url.searchParams.get('state')
      const list = [...s.state.txs.values()].filter((t) => t.kind === 'pay' && (state === null || t.state === state)).map(({ tx: _tx, ...rest }) => ({ ...rest, blocked: s.blocked.get(rest.key) }))
      return send(200, { payouts: list })
    }
    const m = /^\/batches\/(0x)?([0-9a-fA-F]{4,64})$/.exec(url.pathname)
    if (m !== null) {
      const view = s.batchView(m[2].toLowerCase())
      return view === undefined ? send(404, { error: `no batch ${m[2]}` }) : send(200, view)
    }
    if (url.pathname.startsWith('/batches/')) return send(400, { error: 'batch id must be 4–64 hex digits' })
    return send(404, { error: `no route ${url.pathname}` })
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port, opts.host, resolve) })
  const { port } = server.address() as AddressInfo
  return { url: `http://${opts.host}:${port}`, close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) } }
}
