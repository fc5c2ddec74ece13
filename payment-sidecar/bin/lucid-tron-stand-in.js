#!/usr/bin/env node
// The `lucid-tron-stand-in` command (a local TRON full node for the payout sidecar, ../stand-in/main.ts). Written
// for any Node so that it can explain itself, it runs the TypeScript entry through tsx on Node >= 22; under an older
// Node it re-executes itself with the project's Node from node_modules/.bin.
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
    process.stderr.write(`lucid-tron-stand-in: needs Node >= 22 (this is ${process.version}); run 'bash scripts/setup.sh' in the repository first\n`)
    process.exit(2)
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../stand-in/main.ts')
}
