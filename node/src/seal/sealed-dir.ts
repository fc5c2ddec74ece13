/**
 * A sealed session on disk (what `lucid seal` writes):
 *   <dir>/manifest.cbor            the signed manifest, written last: its presence means the session is complete
 *   <dir>/chunks/00000000.blob …   chunk blobs by index, eight decimal digits
 */
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../home/atomic-write.js'

export const MANIFEST_FILE = 'manifest.cbor'
export const CHUNKS_DIR = 'chunks'
const CHUNK_NAME = /^(\d{8})\.blob$/

export function chunkFileName (index: number): string {
  return `${String(index).padStart(8, '0')}.blob`
}

export class SealedDirError extends Error {
  constructor (message: string) { super(message); this.name = 'SealedDirError' }
}

/** Creates `dir` for a new sealed session; refuses a directory that already holds anything. */
export async function prepareOutDir (dir: string): Promise<void> {
  try {
    const s = await stat(dir)
    if (!s.isDirectory()) throw new SealedDirError(`--out ${dir} exists and is not a directory`)
    if ((await readdir(dir)).length > 0) throw new SealedDirError(`--out ${dir} is not empty; seal into a new or empty directory`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(join(dir, CHUNKS_DIR), { recursive: true })
}

export async function writeChunk (dir: string, index: number, blob: Uint8Array): Promise<void> {
  const handle = await open(join(dir, CHUNKS_DIR, chunkFileName(index)), 'wx', 0o644)
  try {
    await handle.writeFile(blob)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function writeManifest (dir: string, encoded: Uint8Array): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), encoded)
}

export async function readManifestBytes (dir: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(dir, MANIFEST_FILE)))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new SealedDirError(`${dir} has no ${MANIFEST_FILE}: not a sealed session directory (or sealing did not finish)`)
    throw new SealedDirError(`cannot read ${join(dir, MANIFEST_FILE)} (${code ?? (err as Error).message})`)
  }
}

export async function readChunk (dir: string, index: number): Promise<Uint8Array | undefined> {
  try {
    const data = await readFile(join(dir, CHUNKS_DIR, chunkFileName(index)))
    // A view when the Buffer owns its memory (so it can be transferred to a worker); a copy when it is pooled.
    return data.byteLength === data.buffer.byteLength ? new Uint8Array(data.buffer, 0, data.byteLength) : new Uint8Array(data)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Chunk files present, by index, and any file in chunks/ that is not a chunk name. */
export async function listChunkFiles (dir: string): Promise<{ indexes: number[], strays: string[] }> {
  let names: string[]
  try { names = await readdir(join(dir, CHUNKS_DIR)) } catch { return { indexes: [], strays: [] } }
  const indexes: number[] = []
  const strays: string[] = []
  for (const name of names.sort()) {
    const m = CHUNK_NAME.exec(name)
    if (m !== null) indexes.push(Number(m[1])); else strays.push(name)
  }
  return { indexes, strays }
}
