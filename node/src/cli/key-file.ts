/** Exported session keys: a small JSON file, mode 0600, never overwriting an existing file. */
import { open, readFile } from 'node:fs/promises'
import { isSessionId } from '../../../protocols/session/session-id.js'
import { UsageError } from './usage-error.js'

interface KeyFile { version: 1, sessionId: string, key: string }

export async function writeKeyFile (path: string, sessionId: string, key: Uint8Array): Promise<void> {
  const body: KeyFile = { version: 1, sessionId, key: Buffer.from(key).toString('base64') }
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UsageError(code === 'EEXIST' ? `--export-key ${path} already exists; it is never overwritten` : `cannot create --export-key ${path} (${code ?? (err as Error).message})`, 1)
  }
  try {
    await handle.writeFile(JSON.stringify(body) + '\n')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function readKeyFile (path: string, expectedSessionId: string): Promise<Uint8Array> {
  let parsed: Partial<KeyFile>
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<KeyFile>
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UsageError(code !== undefined ? `cannot read --key ${path} (${code})` : `--key ${path} is not a Lucid key file (not JSON)`, 1)
  }
  if (parsed.version !== 1 || typeof parsed.sessionId !== 'string' || !isSessionId(parsed.sessionId) || typeof parsed.key !== 'string') {
    throw new UsageError(`--key ${path} is not a Lucid session key file (version 1 with sessionId and key)`, 1)
  }
  if (parsed.sessionId !== expectedSessionId) throw new UsageError(`--key ${path} is for session ${parsed.sessionId}, not ${expectedSessionId}`, 1)
  const key = Buffer.from(parsed.key, 'base64')
  if (key.length !== 32) throw new UsageError(`--key ${path}: the key must be 32 bytes, got ${key.length}`, 1)
  return new Uint8Array(key)
}
