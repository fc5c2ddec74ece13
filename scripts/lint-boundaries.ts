// Enforces the import boundaries of ARCHITECTURE.md. Exit 1 with one line per violation.
//   protocols/  imports no I/O module, nothing of ours outside protocols/, and reads no clock or ambient randomness
//   crdt/       imports nothing of ours but crdt/ and protocols/
//   tronweb     is imported only inside payment-sidecar/
//   payment-sidecar/ imports nothing from node/ (nor crdt/); only it, tests and benchmarks import it
// Usage: tsx scripts/lint-boundaries.ts [ROOT]
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname, sep } from 'node:path'
import ts from 'typescript'

const IO_MODULES = new Set(['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'child_process',
  'worker_threads', 'cluster', 'dns', 'tls', 'readline', 'os', 'process', 'timers', 'timers/promises'])
// Sources of time and randomness that protocols/ must receive injected instead.
const AMBIENT: Array<[RegExp, string]> = [[/\bDate\.now\s*\(/, 'Date.now()'], [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'], [/\brandomBytes\s*\(/, 'randomBytes()'], [/\bgetRandomValues\s*\(/, 'getRandomValues()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'], [/\brandomUUID\s*\(/, 'randomUUID()'], [/\bsetTimeout\s*\(/, 'setTimeout()'],
  [/\bsetInterval\s*\(/, 'setInterval()']]

export interface Violation { file: string, line: number, message: string }

function* sourceFiles (dir: string): Generator<string> {
  let entries: string[]
  try { entries = readdirSync(dir) } catch { return }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield * sourceFiles(path)
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) yield path
  }
}

function topFolder (root: string, file: string): string {
  return relative(root, file).split(sep)[0]
}

export function lintBoundaries (root: string): Violation[] {
  const out: Violation[] = []
  for (const top of ['protocols', 'crdt', 'node', 'payment-sidecar', 'simulations', 'bench', 'test', 'contracts', 'ops', 'scripts']) {
    for (const file of sourceFiles(join(root, top))) {
      const text = readFileSync(file, 'utf8')
      const rel = relative(root, file)
      const lineOf = (pos: number) => text.slice(0, pos).split('\n').length
      const info = ts.preProcessFile(text, true, true)
      for (const imp of info.importedFiles) {
        const spec = imp.fileName
        const line = lineOf(imp.pos)
        const bare = spec.replace(/^node:/, '')
        const target = spec.startsWith('.') ? topFolder(root, resolve(dirname(file), spec)) : null
        if ((bare === 'tronweb' || bare.startsWith('tronweb/')) && top !== 'payment-sidecar') {
          out.push({ file: rel, line, message: `tronweb may only be imported inside payment-sidecar/ (found '${spec}')` })
        }
        if (top === 'protocols') {
          if (IO_MODULES.has(bare)) out.push({ file: rel, line, message: `protocols/ must stay pure: it imports the I/O module '${spec}'` })
          if (target !== null && target !== 'protocols') out.push({ file: rel, line, message: `protocols/ may import only protocols/, not '${spec}'` })
        }
        if (top === 'crdt' && target !== null && target !== 'crdt' && target !== 'protocols') {
          out.push({ file: rel, line, message: `crdt/ may import only crdt/ and protocols/, not '${spec}'` })
        }
        if (top === 'payment-sidecar' && target !== null && target !== 'payment-sidecar' && target !== 'protocols') {
          out.push({ file: rel, line, message: `payment-sidecar/ may import only itself and protocols/, not '${spec}'` })
        }
        if (top !== 'payment-sidecar' && top !== 'test' && top !== 'bench' && target === 'payment-sidecar') {
          out.push({ file: rel, line, message: `only payment-sidecar/, tests and benchmarks may import the sidecar ('${spec}')` })
        }
      }
      if (top === 'protocols') {
        text.split('\n').forEach((src, i) => {
          const code = src.replace(/\/\/.*$/, '')
          for (const [re, name] of AMBIENT) {
            if (re.test(code)) out.push({ file: rel, line: i + 1, message: `protocols/ must receive time and randomness injected: found ${name}` })
          }
        })
      }
    }
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(process.argv[2] ?? '.')
  const violations = lintBoundaries(root)
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`)
  if (violations.length > 0) {
    console.error(`boundary lint: ${violations.length} violation(s)`)
    process.exit(1)
  }
  console.log('boundary lint: ok')
}
