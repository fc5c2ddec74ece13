// HTTP to a TRON full node (java-tron's /wallet/* API, or the local stand-in): POST JSON, a timeout per request,
// retries with exponential backoff on timeouts, connection errors, 5xx and unparsable replies.
import type { Guard } from '../service/crash.js'

export class TronUnavailable extends Error {}
export class TronBadReply extends Error {}

export interface TronHttpOptions {
  url: string
  timeoutMs: number
  retries: number
  backoffMs: number
  headers?: Record<string, string>
  guard?: Guard
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

export class TronHttp {
  constructor (readonly opts: TronHttpOptions) {
    if (!/^https?:\/\//.test(opts.url)) throw new Error(`tron.fullNode: not an http(s) URL: '${opts.url}'`)
  }

  /** POSTs `body` to `path` and returns the parsed JSON object; throws TronUnavailable after the last retry. */
  async post (path: string, body: unknown): Promise<Record<string, any>> {
    let last: Error = new TronUnavailable('no attempt')
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      this.opts.guard?.check()
      if (attempt > 0) await sleep(this.opts.backoffMs * 2 ** (attempt - 1))
      try {
        const res = await fetch(this.opts.url.replace(/\/$/, '') + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.opts.headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs)
        })
        const text = await res.text()
        this.opts.guard?.check()
        if (res.status >= 500) { last = new TronUnavailable(`${path}: HTTP ${res.status}`); continue }
        if (res.status !== 200) throw new TronBadReply(`${path}: HTTP ${res.status}: ${text.slice(0, 200)}`)
        let parsed: unknown
        try { parsed = JSON.parse(text) } catch { last = new TronBadReply(`${path}: reply is not JSON: ${JSON.stringify(text.slice(0, 80))}`); continue }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) { last = new TronBadReply(`${path}: reply is not a JSON object`); continue }
        return parsed as Record<string, any>
      } catch (e) {
        if (e instanceof TronBadReply) throw e
        if ((e as Error).name === 'CrashError') throw e
        const err = e as Error & { cause?: { code?: string } }
        last = new TronUnavailable(`${path}: ${err.name === 'TimeoutError' ? `no reply within ${this.opts.timeoutMs} ms` : (err.cause?.code ?? err.message)}`)
      }
    }
    throw last
  }
}
