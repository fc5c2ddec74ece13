/** Crash-safe file writes: write a temporary file beside the target, fsync it, rename it over, fsync the directory. */
import { open, rename, rm, mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'

export async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try { await handle.sync() } finally { await handle.close() }
}

export function tempPathFor (path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
}

export async function writeFileAtomic (path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = tempPathFor(path)
  const handle = await open(tmp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(tmp, { force: true })
    throw err
  }
  await handle.close()
  await rename(tmp, path)
  await fsyncDir(dirname(path))
}

/**
 * Writes a file from a producer: `fill` gets a write function; the bytes go to a temporary file beside `target`,
 * which is fsynced and renamed into place only when `fill` resolves. If it throws, the temporary file is removed and
 * nothing appears at `target`.
 */
export async function writeFileAtomicFrom (target: string, fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>, mode = 0o600): Promise<void> {
  const tmp = tempPathFor(target)
  const handle = await open(tmp, 'wx', mode)
  try {
    await fill(async (bytes) => { await handle.write(bytes) })
    await handle.sync()
    await handle.close()
    await rename(tmp, target)
    await fsyncDir(dirname(target))
  } catch (err) {
    await handle.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
  }
}
