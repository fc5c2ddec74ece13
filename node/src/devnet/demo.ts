/**
 * The swarm demo (`lucid demo`, the README's start command): a devnet of real node processes running the chain, a
 * sample session put on node 1 through its API and anchored in LucidAnchors, replicated to R nodes chosen by
 * rendezvous hashing, fetched back byte-identical through another node, the anchor's block finalized, an epoch's
 * payout batch committed on the chain and paid by the sidecar on a local TRON stand-in (sandbox mode), everything
 * stopped cleanly.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sampleRecording } from '../demo/sample-recording.js'
import { Devnet, type DevnetNode } from './devnet.js'
import { DEVNET_SLOT_MS } from './chain-genesis.js'
import { payoutDemo } from './demo-payout.js'

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

async function api<T> (n: DevnetNode, path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<T> {
  const res = await fetch(n.api + path, { ...init, headers: { authorization: `Bearer ${n.adminToken}`, ...(init.headers as Record<string, string> ?? {}) } })
  if (!res.ok) throw new Error(`node ${n.index} ${path}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}

async function rpc<T> (n: DevnetNode, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(n.rpc as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = await res.json() as { result?: T, error?: { message: string } }
  if (body.error !== undefined) throw new Error(`node ${n.index} ${method}: ${body.error.message}`)
  return body.result as T
}

interface Finality { head: { number: string, slot: number }, finalized: { number: string } }

async function until<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting until ${what}`)
}

export async function swarmDemo (opts: { nodes: number, dir?: string, keep?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const replication = Math.max(1, Math.min(3, opts.nodes - 1))
  const dir = opts.dir !== undefined ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'lucid-demo-'))
  const say = (step: string, text: string): void => { out.write(`${step.padEnd(11)} ${text}\n`) }
  out.write(`Lucid demo: a local swarm of ${opts.nodes} node processes on 127.0.0.1, replication R = ${replication}\n`)
  const devnet = await Devnet.create({ nodes: opts.nodes, dir, replication, heartbeatMs: 500, repairGraceMs: 5000, logLevel: 'info', chain: { slotMs: DEVNET_SLOT_MS } })
  const name = (peer: string): string => { const n = devnet.nodes.find((x) => x.peerId === peer); return n === undefined ? peer.slice(-8) : `node ${n.index}` }
  let ok = false
  try {
    const t0 = Date.now()
    await devnet.start()
    await until('every node sees the others', async () => {
      for (const n of devnet.nodes) {
        const s = await api<{ members: number }>(n, '/api/v1/status')
        if (s.members < opts.nodes - 1) return undefined
      }
      return true
    })
    say('swarm', `${opts.nodes} nodes up and meshed in ${sec(Date.now() - t0)} (logs: ${dir}/node-*.log)`)
    const first = devnet.nodes[0]
    const started = await until('a finalized block', async () => {
      const f = await rpc<Finality>(first, 'lucid_finality')
      return Number(f.finalized.number) > 0 ? f : undefined
    })
    say('chain', `the nodes' PoOT chain: a block every ${sec(DEVNET_SLOT_MS)} from the slot's scheduled proposer, head #${Number(started.head.number)}, finalized #${Number(started.finalized.number)} by the nodes' votes (JSON-RPC ${first.rpc as string})`)

    const recording = Buffer.concat([...sampleRecording()])
    const digest = createHash('sha256').update(recording).digest('hex')
    const put = await api<{ sessionId: string, chunkCount: number, storedBytes: number, announcedTo: number, sessionKey: string, anchor: { tx: string, submitMs: number } | null }>(first,
      '/api/v1/sessions?exportKey=true&participants=alice@example.org,support-agent-7',
      { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: recording })
    say('put', `node 1 sealed ${mb(recording.length)} of sample recording as session ${put.sessionId}`)
    say('', `${put.chunkCount} encrypted chunks, ${mb(put.storedBytes)} stored, announced to ${put.announcedTo} peers`)
    if (put.anchor === null) throw new Error('node 1 did not anchor the session (see its log)')
    say('anchored', `registerSession ${put.anchor.tx.slice(0, 18)}… accepted by node 1's JSON-RPC in ${Math.round(put.anchor.submitMs)} ms`)

    await until('every node knows the session', async () => {
      for (const n of devnet.nodes) await api(n, `/api/v1/sessions/${put.sessionId}`)
      return true
    })
    say('announced', `all ${opts.nodes} nodes validated the signed announcement`)

    const view = await until('R holders', async () => {
      const v = await api<{ holders: string[], desired: string[], state: string }>(first, `/api/v1/sessions/${put.sessionId}`)
      const same = v.holders.length === replication && v.desired.every((d) => v.holders.includes(d))
      return same ? v : undefined
    })
    const handed = view.holders.includes(first.peerId) ? '' : '; node 1 handed its copy over'
    say('replicated', `held by ${view.holders.map(name).join(', ')} (chosen by rendezvous hashing, each blob checked against its CID and the Merkle root)${handed}`)

    const reader = devnet.nodes.find((n) => !view.holders.includes(n.peerId)) ?? devnet.nodes[devnet.nodes.length - 1]
    const t1 = Date.now()
    const res = await fetch(`${reader.api}/api/v1/sessions/${put.sessionId}/content`, { headers: { authorization: `Bearer ${reader.adminToken}`, 'x-lucid-session-key': put.sessionKey } })
    if (!res.ok) throw new Error(`node ${reader.index} could not serve the session: ${res.status} ${await res.text()}`)
    const back = Buffer.from(await res.arrayBuffer())
    const same = back.equals(recording)
    const where = view.holders.includes(reader.peerId) ? 'from its own store' : 'from the holders over bitswap'
    say('fetched', `node ${reader.index} fetched it ${where}, verified and decrypted it in ${sec(Date.now() - t1)}: ${same ? 'byte-identical' : 'DIFFERENT'} (sha256 ${digest.slice(0, 16)}…)`)
    if (!same) throw new Error('the fetched session differs from the recording')

    const anchored = await until('the anchor final in the session state', async () => {
      const v = await api<{ crdt: { anchors: Array<{ tx: string, block: number, final: { block: number } | null }> } | null }>(reader, `/api/v1/sessions/${put.sessionId}`)
      const a = v.crdt?.anchors[0]
      return a?.final != null ? { ...a, final: a.final } : undefined
    })
    const f = await rpc<Finality>(reader, 'lucid_finality')
    const moved = anchored.final.block !== anchored.block ? ` (first included in #${anchored.block}, moved by a reorg before finality)` : ''
    say('final', `the anchor is in block #${anchored.final.block}${moved}, final: node 1 recorded its final block in the session state (read from node ${reader.index}, final at #${Number(f.finalized.number)})`)

    // payouts in sandbox mode: an epoch's batch committed on the chain, paid by the sidecar on the local TRON stand-in
    await payoutDemo({ devnet, dir, say })
    ok = true
  } finally {
    const t2 = Date.now()
    await devnet.stop()
    say('stopped', `all ${opts.nodes} nodes stopped cleanly (SIGTERM) in ${sec(Date.now() - t2)}`)
    // a failed demo keeps its files: the error names logs in them
    if (ok && opts.keep !== true && opts.dir === undefined) await rm(dir, { recursive: true, force: true })
    else out.write(`files kept in ${dir}\n`)
  }
}
