/** Runs the real `lucid` command (node/bin/lucid.js) in a child process on this Node. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const LUCID_BIN = fileURLToPath(new URL('../../node/bin/lucid.js', import.meta.url))

export interface RunResult { code: number | null, stdout: string, stderr: string, stdoutBytes: Buffer }

export async function runLucid (args: string[], opts: { env?: NodeJS.ProcessEnv, input?: Uint8Array, cwd?: string } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [LUCID_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, LUCID_PASSPHRASE: undefined, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  child.stdin.on('error', () => {})
  child.stdin.end(opts.input)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const stdoutBytes = Buffer.concat(out)
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes }
}
