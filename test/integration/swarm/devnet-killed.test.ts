/**
 * `lucid devnet` killed outright (SIGKILL: it can stop none of its nodes, which run in process groups of their own)
 * leaves no node running: each one sees its starter gone and stops cleanly, as on SIGTERM.
 */
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LUCID_BIN } from '../../../node/src/devnet/devnet.js'
import { tempDir, waitFor } from './support.js'

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

describe('lucid devnet killed with SIGKILL: its nodes stop by themselves', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const pids: number[] = []
  before(async () => { tmp = await tempDir('lucid-devnet-killed-') })
  after(async () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL')
    await tmp?.cleanup()
  })

  it('every node stops cleanly within seconds of its devnet dying', async () => {
    const devnet = spawn(process.execPath, [LUCID_BIN, 'devnet', '--nodes', '2', '--no-chain', '--json', '--dir', join(tmp.dir, 'devnet')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    devnet.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const nodes: Array<{ home: string, log: string }> = []
    for await (const line of createInterface({ input: devnet.stdout })) {
      nodes.push(JSON.parse(line) as { home: string, log: string })
      if (nodes.length === 2) break
    }
    assert.equal(nodes.length, 2, `the devnet did not start: ${stderr}`)
    for (const n of nodes) pids.push((JSON.parse(await readFile(join(n.home, 'node.json'), 'utf8')) as { pid: number }).pid)
    assert.ok(pids.every(alive))
    devnet.kill('SIGKILL')
    await waitFor('every node process gone', async () => !pids.some(alive), 30_000, 100)
    for (const n of nodes) {
      const log = await readFile(n.log, 'utf8')
      assert.ok(!existsSync(join(n.home, 'node.json')), 'stopped through its clean stop (which removes node.json)')
      assert.match(log, /the process that started this node is gone: stopping/)
      assert.match(log, /"msg":"stopped"/)
    }
  })
})
