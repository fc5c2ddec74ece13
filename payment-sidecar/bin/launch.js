// The sidecar package's commands are written for any Node so that they can explain themselves: on Node >= 22 they
// run their TypeScript entry through tsx; under an older Node they re-execute with the project's Node from
// node_modules/.bin.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** `script`: the command's own file (import.meta.url); `entry`: its TypeScript entry, relative to this directory. */
export async function launch (name, script, entry) {
  const here = dirname(fileURLToPath(import.meta.url))
  const major = Number(process.versions.node.split('.')[0])
  if (major >= 22) {
    const { register } = await import('tsx/esm/api')
    register()
    await import(join(here, entry))
    return
  }
  const candidates = [join(here, '..', '..', 'node_modules', '.bin', 'node'), join(here, '..', 'node_modules', '.bin', 'node')]
  const node = candidates.find((p) => existsSync(p))
  if (node === undefined) {
    process.stderr.write(`${name}: needs Node >= 22 (this is ${process.version}); run 'bash scripts/setup.sh' in the repository first\n`)
    process.exit(2)
  }
  const child = spawn(node, [fileURLToPath(script), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
