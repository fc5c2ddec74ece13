/**
 * Chunk transfer node→node over loopback: node B fetches 256 MiB of 1 MiB chunk blocks from node A over bitswap
 * (real Lucid nodes, TCP + noise + yamux, in this process), as MB/s and as a ratio to a raw TCP copy of the same bytes
 * over loopback in the same run. Env: LUCID_BENCH_TRANSFER_MIB (default 256), LUCID_BENCH_FETCH_CONCURRENCY (default 8).
 */
import { randomBytes } from 'node:crypto'
import { createServer, connect } from 'node:net'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import { blobCid } from '../../protocols/session/cid.js'
import { SWARM_CHUNK_SIZE } from '../../protocols/swarm/constants.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig } from '../../test/integration/swarm/support.js'

const MIB = 1024 * 1024
const TOTAL = Number(process.env.LUCID_BENCH_TRANSFER_MIB ?? 256) * MIB
const CONCURRENCY = Number(process.env.LUCID_BENCH_FETCH_CONCURRENCY ?? 8)

async function rawTcp (blocks: Uint8Array[]): Promise<number> {
  const total = blocks.reduce((s, b) => s + b.length, 0)
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const received = new Promise<number>((resolve) => {
    server.once('connection', (sock) => {
      let got = 0
      sock.on('data', (d: Buffer) => { got += d.length; if (got >= total) { resolve(performance.now()); sock.end() } })
    })
  })
  const started = performance.now()
  const client = connect(port, '127.0.0.1')
  await new Promise<void>((resolve) => client.once('connect', () => resolve()))
  for (const b of blocks) if (!client.write(b)) await new Promise((resolve) => client.once('drain', resolve))
  const ended = await received
  client.destroy()
  server.close()
  return (total / 1e6) / ((ended - started) / 1000)
}

const tmp = await tempDir('lucid-bench-transfer-')
try {
  const a = await startNode(await makeHome(join(tmp.dir, 'a')), testConfig({ replication: 1 }))
  const b = await startNode(await makeHome(join(tmp.dir, 'b')), testConfig({ replication: 1 }))
  try {
    const blocks: Uint8Array[] = []
    const cids: CID[] = []
    for (let off = 0; off < TOTAL; off += SWARM_CHUNK_SIZE) {
      const blob = new Uint8Array(randomBytes(SWARM_CHUNK_SIZE + 42)) // a sealed 1 MiB chunk's size
      blocks.push(blob)
      const cid = blobCid(blob)
      cids.push(cid)
      await a.blocks.put(cid, blob)
    }
    const bytes = blocks.reduce((s, x) => s + x.length, 0)
    const tcpMBps = await rawTcp(blocks)
    await b.libp2p.dial(multiaddr(bootstrapAddr(a)))
    const providers = [multiaddr(bootstrapAddr(a))]
    let next = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < cids.length) {
        const cid = cids[next++]
        const got = await b.blocks.get(cid, { providers, signal: AbortSignal.timeout(120_000) })
        if (!blobCid(got).equals(cid)) throw new Error('bad block')
      }
    }))
    const seconds = (performance.now() - started) / 1000
    const mbps = bytes / 1e6 / seconds
    process.stdout.write(JSON.stringify({
      bench: 'swarm-chunk-transfer',
      what: 'bitswap fetch of 1 MiB chunk blocks between two Lucid nodes over loopback TCP (noise + yamux), blocks checked against their CIDs',
      mib: TOTAL / MIB,
      blocks: cids.length,
      concurrency: CONCURRENCY,
      seconds: Number(seconds.toFixed(2)),
      MBps: Math.round(mbps),
      rawTcpMBps: Math.round(tcpMBps),
      ratio: Number((mbps / tcpMBps).toFixed(3)),
      target: 0.6,
      withinTarget: mbps / tcpMBps >= 0.6
    }) + '\n')
  } finally {
    await a.stop()
    await b.stop()
  }
} finally {
  await tmp.cleanup()
}
