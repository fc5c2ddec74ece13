/**
 * How CLI commands reach a running node: --api URL, else LUCID_API_URL, else <home>/node.json (written by
 * `lucid start`), else the API address in the home's config. The admin token comes from LUCID_ADMIN_TOKEN or the home.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readAdminToken, resolveHome } from '../home/home.js'
import { loadEffectiveConfig } from '../runtime/settings.js'
import { NODE_FILE } from '../runtime/run.js'
import { UsageError } from './usage-error.js'

export interface ApiTarget { url: string, token?: string }

export async function resolveApi (opts: { api?: string, home?: string }, env: NodeJS.ProcessEnv = process.env): Promise<ApiTarget> {
  const homeDir = resolveHome(opts.home, env)
  let token = env.LUCID_ADMIN_TOKEN
  if (token === undefined || token === '') token = await readAdminToken(homeDir).catch(() => undefined)
  let url = opts.api ?? env.LUCID_API_URL
  if (url === undefined || url === '') {
    try {
      url = (JSON.parse(await readFile(join(homeDir, NODE_FILE), 'utf8')) as { api: string }).api
    } catch {
      try {
        const c = await loadEffectiveConfig(join(homeDir, 'config.json'), env, {})
        url = `http://${c.api.host.includes(':') ? `[${c.api.host}]` : c.api.host}:${c.api.port}`
      } catch {
        throw new UsageError(`no running node found for home ${homeDir}: start one with 'lucid start', or pass --api URL`, 1)
      }
    }
  }
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--api must be an http(s) URL, got '${url}'`)
  return { url: url.replace(/\/+$/, ''), token }
}

export async function apiFetch (t: ApiTarget, path: string, init: RequestInit & { duplex?: 'half' } = {}, withToken = false): Promise<Response> {
  const headers = new Headers(init.headers)
  if (withToken) {
    if (t.token === undefined) throw new UsageError('no admin token: set LUCID_ADMIN_TOKEN or pass --home of the node', 1)
    headers.set('authorization', `Bearer ${t.token}`)
  }
  let res: Response
  try {
    res = await fetch(t.url + path, { ...init, headers })
  } catch (err) {
    const cause = (err as { cause?: { code?: string, message?: string } }).cause
    throw new UsageError(`cannot reach the node API at ${t.url} (${cause?.code ?? cause?.message ?? (err as Error).message})`, 1)
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`
    try { const body = await res.json() as { error?: { message?: string } }; if (body.error?.message !== undefined) message = body.error.message } catch { /* not JSON */ }
    throw new UsageError(message, 1)
  }
  return res
}
