// A `lucid chain run --dev` child process: its JSON-RPC URL and dev keys parsed from its stdout.
import { spawn, type ChildProcess } from 'node:child_process'
import { LUCID_BIN } from '../../support/run-lucid.js'

export interface ChainProcess { url: string, keys: string[], child: ChildProcess, output: () => string, stop: () => Promise<void>, kill: () => Promise<void> }

export async function startChainProcess (home: string, slotMs = 1500, timeoutMs = 60_000): Promise<ChainProcess> {
  const child = spawn(process.execPath, [LUCID_BIN, 'chain', 'run', '--dev', '--home', home, '--rpc', '127.0.0.1:0', '--slot-ms', String(slotMs)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + timeoutMs
  while (!/^contracts: /m.test(out)) {
    if (child.exitCode !== null) throw new Error(`lucid chain run exited ${child.exitCode}: ${err}`)
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`lucid chain run did not start: ${out}${err}`) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const url = /^JSON-RPC: (\S+)$/m.exec(out)![1]
  const keys = [...out.matchAll(/^ {2}(0x[0-9a-f]{64})$/gm)].map((m) => m[1])
  const end = async (signal: NodeJS.Signals): Promise<void> => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); await exited }
  return { url, keys, child, output: () => out + err, stop: async () => await end('SIGTERM'), kill: async () => await end('SIGKILL') }
}

export async function rpcCall (url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = await res.json() as { result?: unknown, error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

export async function waitFor<T> (what: string, f: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { const v = await f(); if (v !== undefined && v !== false) return v } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
