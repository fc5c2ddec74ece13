/**
 * The seal workers run from a JavaScript bundle of worker-main.ts built once with esbuild into node/.cache/:
 * a worker that loads TypeScript through tsx costs ~13 MB more and starts slower. Where that directory is not
 * writable, workers fall back to loading the TypeScript through tsx (worker.mjs).
 */
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url))
const CACHE = fileURLToPath(new URL('../../.cache/', import.meta.url))
const FALLBACK = new URL('./worker.mjs', import.meta.url)

let bundled: Promise<URL> | undefined

async function buildBundle (): Promise<URL> {
  try {
    const result = await build({ entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', write: false, logLevel: 'silent' })
    const code = result.outputFiles[0].contents
    const path = `${CACHE}seal-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`
    const existing = await readFile(path).catch(() => undefined)
    if (existing === undefined || !existing.equals(code)) {
      await mkdir(CACHE, { recursive: true })
      const tmp = `${path}.${process.pid}.tmp`
      await writeFile(tmp, code)
      await rename(tmp, path)
    }
    return new URL(`file://${path}`)
  } catch {
    return FALLBACK
  }
}

/** The worker entry to start, built at most once per process. */
export async function sealWorkerEntry (): Promise<URL> {
  bundled ??= buildBundle()
  return await bundled
}
