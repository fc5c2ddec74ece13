// `npm run bench`: runs every bench/**/*.bench.ts in its own process (so one's memory never skews another's),
// prints each one's JSON line and writes them all to bench/out/results.json.
// `npm run bench -- seal` runs only the benchmarks whose path contains "seal".
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

function * benchFiles (dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield * benchFiles(path)
    else if (name.endsWith('.bench.ts')) yield path
  }
}

const filter = process.argv[2]
const here = new URL('.', import.meta.url).pathname
const results: unknown[] = []
let failed = 0
for (const file of benchFiles(here)) {
  const rel = relative(here, file)
  if (filter !== undefined && !rel.includes(filter)) continue
  process.stderr.write(`bench: ${rel}\n`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 })
  if (run.status !== 0) {
    failed++
    process.stderr.write(`bench: ${rel} exited with ${run.status ?? run.signal}\n`)
    continue
  }
  for (const line of run.stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
    process.stdout.write(line + '\n')
    results.push(JSON.parse(line))
  }
}
mkdirSync(join(here, 'out'), { recursive: true })
writeFileSync(join(here, 'out', 'results.json'), JSON.stringify(results, null, 2) + '\n')
process.exit(failed > 0 ? 1 : 0)
