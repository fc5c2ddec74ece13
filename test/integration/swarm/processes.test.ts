/**
 * Real `lucid` processes: a devnet of 3 nodes, the session commands end to end, SIGKILL during an upload and a restart
 * with an intact store, config errors, and a clean SIGTERM stop of every node.
 */
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Devnet, LUCID_BIN, type DevnetNode } from '../../../node/src/devnet/devnet.js'
import { tempDir, waitFor } from './support.js'
import { assertConforms } from '../../support/openapi.js'

interface Run { code: number | null, stdout: string, stderr: string }

async function lucid (args: string[], env: Record<string, string> = {}): Promise<Run> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LUCID_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Runs `lucid args` on a pseudo-terminal (util-linux `script`), where the session commands draw progress bars. */
async function onTerminal (args: string[]): Promise<{ code: number | null, output: string }> {
  const command = [process.execPath, LUCID_BIN, ...args].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  return { code: await new Promise<number | null>((resolve) => child.on('close', resolve)), output }
}

async function api<T> (n: DevnetNode, path: string): Promise<T> {
  const res = await fetch(n.api + path, { headers: { authorization: `Bearer ${n.adminToken}` } })
  if (!res.ok) throw new Error(`${path}: ${res.status}`)
  return await res.json() as T
}

describe('lucid processes: devnet, session commands, SIGKILL and restart', function () {
  this.timeout(300_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let devnet: Devnet

  before(async () => {
    tmp = await tempDir('lucid-procs-')
    devnet = await Devnet.create({ nodes: 3, dir: join(tmp.dir, 'devnet'), replication: 2, heartbeatMs: 500, repairGraceMs: 4000 })
    await devnet.start()
    await waitFor('a meshed devnet', async () => {
      for (const n of devnet.nodes) if ((await api<{ members: number }>(n, '/api/v1/status')).members < 2) return false
      return true
    }, 90_000, 250)
  })

  after(async () => {
    await devnet?.stop()
    await tmp?.cleanup()
  })

  let sessionId = ''
  const recording = randomBytes(2_000_000)

  it('session put on node 1, ls/show on node 2, get byte-identical on node 3 with the exported key', async () => {
    const file = join(tmp.dir, 'rec.bin')
    await writeFile(file, recording)
    const keyFile = join(tmp.dir, 'key.json')
    const put = await lucid(['session', 'put', file, '--home', devnet.nodes[0].home, '--export-key', keyFile, '--json'])
    assert.equal(put.code, 0, put.stderr)
    sessionId = (JSON.parse(put.stdout) as { sessionId: string }).sessionId
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600)
    await waitFor('R = 2 holders seen by node 2', async () => (await api<{ holders: string[] }>(devnet.nodes[1], `/api/v1/sessions/${sessionId}`)).holders.length === 2, 60_000, 250)
    const ls = await lucid(['session', 'ls', '--home', devnet.nodes[1].home, '--json'])
    assert.equal(ls.code, 0, ls.stderr)
    assert.ok((JSON.parse(ls.stdout) as Array<{ sessionId: string }>).some((s) => s.sessionId === sessionId))
    const show = await lucid(['session', 'show', sessionId, '--home', devnet.nodes[1].home])
    assert.equal(show.code, 0, show.stderr)
    assert.match(show.stdout, /holders .*\(2\/2, replicated\)/)
    const out = join(tmp.dir, 'back.bin')
    const get = await lucid(['session', 'get', sessionId, '--out', out, '--key', keyFile, '--home', devnet.nodes[2].home])
    assert.equal(get.code, 0, get.stderr)
    assert.ok((await readFile(out)).equals(recording))
    const noKey = await lucid(['session', 'get', sessionId, '--out', join(tmp.dir, 'nokey.bin'), '--home', devnet.nodes[2].home])
    assert.equal(noKey.code, 1)
    assert.match(noKey.stderr, /does not have the key/)
  })

  it('status and peers: what the running node reports, for the terminal and as JSON; a home with no node named', async () => {
    const n = devnet.nodes[1]
    const status = await lucid(['status', '--home', n.home])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`^node        ${n.peerId} \\(up `, 'm'))
    assert.match(status.stdout, /^peers       2 connected, [23] swarm members$/m)
    assert.match(status.stdout, /^sessions    \d+ held of \d+ known, \d+\.\d MiB stored$/m)
    assert.match(status.stdout, /^chain       not run by this node$/m)
    const json = JSON.parse((await lucid(['status', '--home', n.home, '--json'])).stdout) as { peerId: string, peers: number }
    assert.deepEqual([json.peerId, json.peers], [n.peerId, 2])
    assertConforms('Status', json)
    for (const p of (JSON.parse((await lucid(['peers', '--home', n.home, '--json'])).stdout) as { peers: unknown[] }).peers) assertConforms('Peer', p)
    const listed = JSON.parse((await lucid(['session', 'ls', '--home', n.home, '--json'])).stdout) as unknown[]
    assert.ok(listed.length > 0)
    for (const v of listed) assertConforms('Session', v)
    const peers = await lucid(['peers', '--api', n.api])
    assert.equal(peers.code, 0, peers.stderr)
    const lines = peers.stdout.trim().split('\n')
    assert.deepEqual(lines.map((l) => l.split(' ')[0]).sort(), [devnet.nodes[0].peerId, devnet.nodes[2].peerId].sort())
    for (const l of lines) assert.match(l, /^12D3KooW\w+  connected, member, score -?\d+\.\d\d, holds \d+, heartbeat \d+s ago  \/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    const none = await lucid(['status', '--home', join(tmp.dir, 'no-such-home')])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /^lucid: no running node found for home .*no-such-home: start one with 'lucid start', or pass --api URL$/m)
  })

  it('on a terminal, session put and get draw progress bars', async () => {
    const file = join(tmp.dir, 'tty.bin')
    await writeFile(file, randomBytes(6_000_000))
    const keyFile = join(tmp.dir, 'tty-key.json')
    const put = await onTerminal(['session', 'put', file, '--home', devnet.nodes[0].home, '--export-key', keyFile])
    assert.equal(put.code, 0, put.output)
    assert.match(put.output, /sealing on the node \[#{30}\] 100% 6\.0\/6\.0 MB/)
    const id = /session ([0-9a-f-]{36}) sealed/.exec(put.output)?.[1] as string
    const get = await onTerminal(['session', 'get', id, '--out', join(tmp.dir, 'tty-back.bin'), '--key', keyFile, '--home', devnet.nodes[2].home])
    assert.equal(get.code, 0, get.output)
    assert.match(get.output, new RegExp(`fetching ${id.slice(0, 8)}… \\[#{30}\\] 100% 6\\.0/6\\.0 MB`))
  })

  it('a node SIGKILLed in the middle of an upload restarts with an intact store and still serves its sessions', async () => {
    const victim = devnet.nodes[0]
    const big = randomBytes(24 * 1024 * 1024)
    const upload = fetch(`${victim.api}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${victim.adminToken}`, 'content-type': 'application/octet-stream' }, body: big }).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await devnet.killNode(victim)
    await upload
    await devnet.startNode(victim)
    const status = await api<{ sessionsKnown: number }>(victim, '/api/v1/status')
    assert.ok(status.sessionsKnown >= 1)
    const rec = await api<{ held: boolean }>(victim, `/api/v1/sessions/${sessionId}`)
    if (rec.held) {
      // It sealed the session, so it has the key: it serves it from its own store.
      const res = await fetch(`${victim.api}/api/v1/sessions/${sessionId}/content`, { headers: { authorization: `Bearer ${victim.adminToken}` } })
      assert.equal(res.status, 200)
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(recording))
    }
    const gc = await lucid(['gc', '--home', victim.home, '--json'])
    assert.equal(gc.code, 0, gc.stderr)
    assert.ok((JSON.parse(gc.stdout) as { deleted: number }).deleted >= 0)
    // Every node still serves the session after the crash and the gc.
    const res = await fetch(`${devnet.nodes[1].api}/api/v1/sessions/${sessionId}/content`, {
      headers: { authorization: `Bearer ${devnet.nodes[1].adminToken}`, 'x-lucid-session-key': JSON.parse(await readFile(join(tmp.dir, 'key.json'), 'utf8')).key }
    })
    assert.equal(res.status, 200)
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(recording))
  })

  it('config show: flags over environment over config.json, and one line per bad value', async () => {
    const home = devnet.nodes[1].home
    const ok = await lucid(['config', 'show', '--home', home, '--api', '127.0.0.1:9999'], { LUCID_MAX_PEERS: '33', LUCID_API: '127.0.0.1:8888' })
    assert.equal(ok.code, 0, ok.stderr)
    const c = JSON.parse(ok.stdout) as { node: { maxPeers: number }, api: { port: number } }
    assert.equal(c.node.maxPeers, 33)
    assert.equal(c.api.port, 9999)
    assert.ok(!ok.stdout.includes(devnet.nodes[1].adminToken) && !ok.stdout.includes(devnet.nodes[1].passphrase))
    const bad = await lucid(['config', 'show', '--home', home], { LUCID_MAX_PEERS: 'lots', LUCID_REPLICATION: '0' })
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /LUCID_MAX_PEERS: node\.maxPeers/)
    assert.match(bad.stderr, /LUCID_REPLICATION: swarm\.replication/)
  })

  it('lucid start runs with 2 MB semi-spaces and gc exposed for the idle GC (same PID, flags set by re-executing itself)', async () => {
    for (const n of devnet.nodes) {
      const argv = (await readFile(`/proc/${n.process?.pid as number}/cmdline`, 'utf8')).split('\0')
      assert.ok(argv.includes('--max-semi-space-size=2') && argv.includes('--expose-gc'), argv.join(' '))
      assert.equal(argv.filter((a) => a === '--expose-gc').length, 1, 'flags added once')
      const metrics = await (await fetch(`${n.api}/metrics`)).text()
      assert.match(metrics, /^lucid_idle_gc_total \d+$/m, 'the idle GC runs and is counted')
    }
  })

  it('stops every node cleanly on SIGTERM (exit 0, node.json removed)', async () => {
    const exits = devnet.nodes.map(async (n) => await new Promise<number | null>((resolve) => n.process?.once('exit', (code) => resolve(code))))
    await devnet.stop()
    assert.deepEqual(await Promise.all(exits), devnet.nodes.map(() => 0))
    for (const n of devnet.nodes) await assert.rejects(stat(join(n.home, 'node.json')))
  })
})
