/**
 * Worker threads run from a JavaScript bundle of their TypeScript entry built once with esbuild into node/.cache/
 * (packages stay external): a worker that loads TypeScript through tsx costs ~13 MB more and starts slower. Where
 * that directory is not writable, or the build fails, the worker falls back to its tsx entry (`fallback`).
 */
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const CACHE = fileURLToPath(new URL('../../.cache/', import.meta.url))
const bundles = new Map<string, Promise<URL>>()

async function buildBundle (name: string, entry: URL, fallback: URL): Promise<URL> {
  try {
    const result = await build({ entryPoints: [fileURLToPath(entry)], bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', write: false, logLevel: 'silent' })
    const code = result.outputFiles[0].contents
    const path = `${CACHE}${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`
    const existing = await readFile(path).catch(() => undefined)
    if (existing === undefined || !existing.equals(code)) {
      await mkdir(CACHE, { recursive: true })
      const tmp = `${path}.${process.pid}.tmp`
      await writeFile(tmp, code)
      await rename(tmp, path)
    }
    return new URL(`file://${path}`)
  } catch {
    return fallback
  }
}

/** The entry to start a worker named `name` from (its bundle of `entry`, or `fallback`), built at most once per process. */
export async function workerEntry (name: string, entry: URL, fallback: URL): Promise<URL> {
  let b = bundles.get(name)
  if (b === undefined) { b = buildBundle(name, entry, fallback); bundles.set(name, b) }
  return await b
}
