/**
 * Ethereum JSON-RPC 2.0 over node:http, bound to 127.0.0.1 by default. POST only; a body over the limit is
 * refused while it streams (413 and -32005); batches up to MAX_BATCH calls; notifications (no id) get no answer.
 * Every bad call gets its JSON-RPC error: -32700 parse, -32600 invalid request, -32601 method not found,
 * -32602 invalid params (naming the parameter), -32000 execution and transaction errors (revert data in `data`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Chain } from '../chain/chain.js'
import { RpcError, RPC } from './errors.js'
import { FilterManager, type RpcLog } from './filters.js'
import { makeMethods, type Handler, type RpcNodeView } from './methods.js'
import { formatReceipts } from './format.js'
import { bytesToHex } from '@ethereumjs/util'

import { DEFAULT_RPC_PORT } from '../home/config.js'
export { DEFAULT_RPC_PORT }
export const MAX_BODY_BYTES = 5 * 1024 * 1024
export const MAX_BATCH = 1000

export interface RpcServerOptions {
  host?: string
  port?: number
  maxBodyBytes?: number
  log?: (line: string) => void
  /** the node around the chain (peers, catch-up) for net_peerCount and eth_syncing */
  node?: RpcNodeView
}

export interface RpcServer { url: string, server: Server, close: () => Promise<void> }

type Reply = { jsonrpc: '2.0', id: unknown, result?: unknown, error?: { code: number, message: string, data?: unknown } }

const errorReply = (id: unknown, code: number, message: string, data?: unknown): Reply =>
  ({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } })

export async function dispatch (methods: Map<string, Handler>, req: unknown, log?: (l: string) => void): Promise<Reply | null> {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return errorReply(null, RPC.INVALID_REQUEST, 'invalid request: expected a JSON-RPC 2.0 request object')
  const r = req as Record<string, unknown>
  const hasId = 'id' in r
  const id = r.id
  if (hasId && id !== null && typeof id !== 'string' && typeof id !== 'number') return errorReply(null, RPC.INVALID_REQUEST, 'invalid request: id must be a string, number or null')
  if (r.jsonrpc !== '2.0') return errorReply(id ?? null, RPC.INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"')
  if (typeof r.method !== 'string') return errorReply(id ?? null, RPC.INVALID_REQUEST, 'invalid request: method must be a string')
  if (r.params !== undefined && !Array.isArray(r.params)) return errorReply(id ?? null, RPC.INVALID_PARAMS, 'invalid params: params must be an array')
  const handler = methods.get(r.method)
  let reply: Reply
  if (handler === undefined) reply = errorReply(id ?? null, RPC.METHOD_NOT_FOUND, `the method ${r.method.slice(0, 100)} does not exist/is not available`)
  else {
    try {
      reply = { jsonrpc: '2.0', id, result: await handler((r.params ?? []) as unknown[]) }
    } catch (e) {
      if (e instanceof RpcError) reply = errorReply(id, e.code, e.message, e.data)
      else {
        log?.(`rpc: ${r.method} failed: ${(e as Error).stack ?? String(e)}`)
        reply = errorReply(id, RPC.INTERNAL, `internal error: ${(e as Error).message.split('\n')[0]}`)
      }
    }
  }
  return hasId ? reply : null
}

export async function startRpcServer (chain: Chain, opts: RpcServerOptions = {}): Promise<RpcServer> {
  const filters = new FilterManager()
  const methods = makeMethods(chain, filters, opts.node)
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES
  chain.onHead((block) => {
    void chain.store.receipts(block.hash()).then((receipts) => {
      const logs = formatReceipts(block, receipts ?? []).flatMap((r) => r.logs as RpcLog[])
      filters.onBlock(bytesToHex(block.hash()), logs)
    }).catch(() => {})
  })

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.headersSent) return
    const text = body === null ? '' : JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'OPTIONS') { res.writeHead(204, { allow: 'POST' }); res.end(); return }
    if (req.method !== 'POST') { send(res, 405, errorReply(null, RPC.INVALID_REQUEST, 'invalid request: use POST')); return }
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > maxBody) { send(res, 413, errorReply(null, RPC.LIMIT_EXCEEDED, `request body larger than ${maxBody} bytes`)); req.resume(); return }
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (d: Buffer) => {
      if (refused) return
      size += d.length
      if (size > maxBody) {
        refused = true
        send(res, 413, errorReply(null, RPC.LIMIT_EXCEEDED, `request body larger than ${maxBody} bytes`))
        req.resume()
        return
      }
      chunks.push(d)
    })
    req.on('error', () => { refused = true })
    req.on('end', () => {
      if (refused) return
      void (async () => {
        let parsed: unknown
        try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch (e) {
          send(res, 200, errorReply(null, RPC.PARSE_ERROR, `parse error: ${(e as Error).message}`)); return
        }
        if (Array.isArray(parsed)) {
          if (parsed.length === 0) { send(res, 200, errorReply(null, RPC.INVALID_REQUEST, 'invalid request: empty batch')); return }
          if (parsed.length > MAX_BATCH) { send(res, 200, errorReply(null, RPC.LIMIT_EXCEEDED, `batch of ${parsed.length} calls, more than ${MAX_BATCH}`)); return }
          const replies = (await Promise.all(parsed.map(async (r) => await dispatch(methods, r, opts.log)))).filter((r) => r !== null)
          if (replies.length === 0) { res.writeHead(204); res.end(); return }
          send(res, 200, replies)
        } else {
          const reply = await dispatch(methods, parsed, opts.log)
          if (reply === null) { res.writeHead(204); res.end(); return }
          send(res, 200, reply)
        }
      })().catch((e) => send(res, 500, errorReply(null, RPC.INTERNAL, `internal error: ${(e as Error).message}`)))
    })
  }

  const server = createServer(handle)
  server.keepAliveTimeout = 5000
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? DEFAULT_RPC_PORT, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    server,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
