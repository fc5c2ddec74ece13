// Serves an EIP-1193 provider (hardhat's in-process EDR) as JSON-RPC over HTTP on 127.0.0.1, so that code which
// takes an --rpc URL (the deploy command) runs unchanged against the in-process chain. Handles batches.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

interface Eip1193 { request: (a: { method: string, params?: unknown[] }) => Promise<unknown> }
interface Req { id: number | string | null, method: string, params?: unknown[] }

export async function serveJsonRpc (provider: Eip1193): Promise<{ url: string, close: () => Promise<void> }> {
  const one = async (r: Req): Promise<object> => {
    try { return { jsonrpc: '2.0', id: r.id, result: await provider.request({ method: r.method, params: r.params ?? [] }) } } catch (e) {
      const err = e as { code?: number, message?: string, data?: unknown }
      return { jsonrpc: '2.0', id: r.id, error: { code: err.code ?? -32000, message: err.message ?? String(e), data: err.data } }
    }
  }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => {
      void (async () => {
        const parsed = JSON.parse(body) as Req | Req[]
        const out = Array.isArray(parsed) ? await Promise.all(parsed.map(one)) : await one(parsed)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(out))
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) } }
}
