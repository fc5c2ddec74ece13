#!/usr/bin/env node
// The `lucid` command. Written for any Node so that it can explain itself, it runs the TypeScript CLI through tsx
// on Node >= 22; under an older Node it re-executes itself with the project's Node from node_modules/.bin.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  const candidates = [join(here, '..', '..', 'node_modules', '.bin', 'node'), join(here, '..', 'node_modules', '.bin', 'node')]
  const node = candidates.find((p) => existsSync(p))
  if (node === undefined) {
    process.stderr.write(`lucid: needs Node >= 22 (this is ${process.version}); run 'bash scripts/setup.sh' in the repository first\n`)
    process.exit(2)
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
} else {
  // A long-running node caps V8's young generation (2 MB semi-spaces instead of 16): an idle node's RSS then starts
  // under 150 MB instead of ~165 MB, and chunk transfer is no slower; with --expose-gc it runs a major GC when V8 has
  // run none for a minute (node/src/runtime/idle-gc.ts), so what the small young generation promotes does not pile
  // up (docs/swarm.md, "Idle RSS"). V8 reads these flags only at start, so `lucid start` replaces its own process
  // image once with them set.
  const FLAGS = ['--max-semi-space-size=2', '--expose-gc']
  if (process.argv[2] === 'start' && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size')) && typeof process.execve === 'function') {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], process.env)
  }
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
