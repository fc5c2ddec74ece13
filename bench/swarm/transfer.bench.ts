/**
 * Chunk transfer node→node over loopback: node B fetches 256 MiB of 1 MiB chunk blocks from node A over bitswap, the
 * way a replica fetch does (the replicator's parallelism, the holder given as provider, each block checked against its
 * CID). The two nodes are real Lucid nodes in two processes (A in a child process), as in a swarm, so each has its own
 * event loop and core.
 *
 * Baselines in the same run, over as many bytes and the same two processes:
 *   - raw TCP: the child writes as many bytes, in pieces of the blocks' size, to a plain loopback socket;
 *   - libp2p stream: the child writes them to one libp2p stream on the same connection bitswap uses (TCP +
 *     TLS (or noise, as negotiated) + yamux with the node's settings): the most any protocol over this stack can carry;
 *   - the receiver's crypto alone: AES-256-GCM decryption (TLS 1.3's first cipher) and SHA-256 (the CID check) of the
 *     same bytes in this process, no network: what any encrypted, CID-checked transfer costs the receiving core at
 *     least, so its ratio to raw TCP bounds what any protocol can reach on this machine.
 * Env: LUCID_BENCH_TRANSFER_MIB (default 256), LUCID_BENCH_FETCH_CONCURRENCY (default the replicator's),
 * LUCID_BENCH_TRANSFER_PROFILE=DIR (CPU profiles of both processes during the bitswap phase only, written to
 * DIR/fetcher.cpuprofile and DIR/provider.cpuprofile: open them in Chrome DevTools or speedscope). Node options given
 * to the bench's process (e.g. `node --import tsx --trace-gc bench/swarm/transfer.bench.ts`) are passed to the
 * provider's process too.
 */
import { createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { fork } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { blobCid } from '../../protocols/session/cid.js'
import { SWARM_CHUNK_SIZE } from '../../protocols/swarm/constants.js'
import { FETCH_PARALLEL } from '../../node/src/swarm/replicator.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig } from '../../test/integration/swarm/support.js'

const MIB = 1024 * 1024
const TOTAL = Number(process.env.LUCID_BENCH_TRANSFER_MIB ?? 256) * MIB
const CONCURRENCY = Number(process.env.LUCID_BENCH_FETCH_CONCURRENCY ?? FETCH_PARALLEL)
const STREAM_PROTOCOL = '/lucid-bench/stream/1.0.0'

type ToChild = { tcp: number } | { cpu: true } | { profile: 'start' | 'stop' } | { stop: true }
type ToParent = { ready: { addr: string, cids: string[], bytes: number } } | { tcpSent: true } | { cpu: number } | { profiled: true }

const PROFILE_DIR = process.env.LUCID_BENCH_TRANSFER_PROFILE

/** Starts the V8 CPU profiler in this process; the returned function stops it and writes DIR/name.cpuprofile. */
async function startProfile (name: string): Promise<() => Promise<void>> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    if (PROFILE_DIR !== undefined) await writeFile(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile))
  }
}

/** Node A: stores the blocks, serves them over bitswap, writes them raw to a socket or a libp2p stream on request. */
async function serve (): Promise<void> {
  const tmp = await tempDir('lucid-bench-transfer-a-')
  const a = await startNode(await makeHome(join(tmp.dir, 'a')), testConfig({ replication: 1 }))
  const cids: CID[] = []
  let bytes = 0
  for (let off = 0; off < TOTAL; off += SWARM_CHUNK_SIZE) {
    const blob = new Uint8Array(randomBytes(SWARM_CHUNK_SIZE + 42)) // a sealed 1 MiB chunk's size
    const cid = blobCid(blob)
    await a.blocks.put(cid, blob)
    cids.push(cid)
    bytes += blob.byteLength
  }
  /**
   * The baselines' bytes: as many as the stored blocks, in pieces of the same sizes, from one block kept in memory, so
   * that they measure the network alone. Holding all 256 MiB in memory instead made V8 collect garbage on external-
   * memory pressure every few megabytes in about half the runs, slowing every phase of those runs (the provider's
   * bitswap CPU 9–11 ms/MB instead of 3); reading them from the store made raw TCP measure the reads (~750 MB/s).
   */
  const sample = await a.blocks.get(cids[0])
  function * baselineBlocks (): Generator<Uint8Array> {
    for (let i = 0; i < cids.length; i++) yield sample
  }
  await a.libp2p.handle(STREAM_PROTOCOL, async (stream) => {
    for (const b of baselineBlocks()) if (!stream.send(b)) await stream.onDrain()
    await stream.close()
  })
  const send = (m: ToParent): void => { process.send?.(m) }
  let stopProfile: (() => Promise<void>) | undefined
  process.on('message', (m: ToChild) => {
    if ('tcp' in m) {
      const sock = connect(m.tcp, '127.0.0.1', () => {
        void (async () => {
          for (const b of baselineBlocks()) if (!sock.write(b)) await new Promise((resolve) => sock.once('drain', resolve))
          sock.end(() => send({ tcpSent: true }))
        })()
      })
    } else if ('profile' in m) {
      void (async () => {
        if (m.profile === 'start') stopProfile = await startProfile('provider')
        else await stopProfile?.()
        send({ profiled: true })
      })()
    } else if ('cpu' in m) {
      const used = process.cpuUsage()
      send({ cpu: (used.user + used.system) / 1e6 })
    } else {
      void a.stop().finally(() => { void tmp.cleanup().finally(() => process.exit(0)) })
    }
  })
  send({ ready: { addr: bootstrapAddr(a), cids: cids.map((c) => c.toString()), bytes } })
}

/** MB/s of AES-256-GCM decryption + SHA-256 over `total` bytes in 1 MiB pieces, on this thread. */
function receiverCryptoMBps (total: number): number {
  const piece = randomBytes(MIB)
  const out = Buffer.alloc(MIB + 16)
  const started = performance.now()
  for (let done = 0; done < total; done += MIB) {
    // update() does the whole decryption; final() would only check a tag these random bytes do not have
    createDecipheriv('aes-256-gcm', piece.subarray(0, 32), piece.subarray(32, 44)).update(piece).copy(out)
    createHash('sha256').update(piece).digest()
  }
  return total / 1e6 / ((performance.now() - started) / 1000)
}

async function main (): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { execArgv: ['--import', 'tsx', ...process.execArgv.filter((a) => a.startsWith('--') && a !== '--import' && a !== '--expose-gc' && !a.includes('tsx'))], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const messages: ToParent[] = []
  let wake: (() => void) | undefined
  child.on('message', (m: ToParent) => { messages.push(m); wake?.() })
  const next = async <K extends string>(key: K): Promise<Extract<ToParent, Record<K, unknown>>> => {
    for (;;) {
      const i = messages.findIndex((m) => key in m)
      if (i >= 0) return messages.splice(i, 1)[0] as Extract<ToParent, Record<K, unknown>>
      await new Promise<void>((resolve) => { wake = resolve })
    }
  }
  const tmp = await tempDir('lucid-bench-transfer-b-')
  const b = await startNode(await makeHome(join(tmp.dir, 'b')), testConfig({ replication: 1 }))
  try {
    const { ready } = await next('ready')
    const total = ready.bytes

    // raw TCP between the two processes
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const received = new Promise<number>((resolve) => {
      server.once('connection', (sock) => {
        let got = 0
        sock.on('data', (d: Buffer) => { got += d.length; if (got >= total) resolve(performance.now()) })
      })
    })
    let started = performance.now()
    child.send({ tcp: (server.address() as { port: number }).port })
    const tcpMBps = total / 1e6 / ((await received - started) / 1000)
    await next('tcpSent')
    server.close()

    // one libp2p stream on the bitswap connection
    const provider = multiaddr(ready.addr)
    await b.libp2p.dial(provider)
    child.send({ cpu: true })
    const streamServerCpu0 = (await next('cpu')).cpu
    const streamCpu = process.cpuUsage()
    started = performance.now()
    const stream = await b.libp2p.dialProtocol(provider, STREAM_PROTOCOL)
    await new Promise<void>((resolve, reject) => {
      let got = 0
      stream.addEventListener('message', (evt) => { got += evt.data.byteLength; if (got >= total) resolve() })
      stream.addEventListener('close', (evt) => { if (got < total) reject(evt.error ?? new Error(`stream closed after ${got} bytes`)) })
    })
    const streamSeconds = (performance.now() - started) / 1000
    const streamMBps = total / 1e6 / streamSeconds
    const streamFetcherCpu = process.cpuUsage(streamCpu)
    child.send({ cpu: true })
    const streamServerCpu = (await next('cpu')).cpu - streamServerCpu0

    // bitswap, as a replica fetch does it
    const cids = ready.cids.map((c) => CID.parse(c))
    let next_ = 0
    let stopProfile: (() => Promise<void>) | undefined
    if (PROFILE_DIR !== undefined) {
      child.send({ profile: 'start' })
      await next('profiled')
      stopProfile = await startProfile('fetcher')
    }
    child.send({ cpu: true })
    const serverCpu0 = (await next('cpu')).cpu
    const cpu = process.cpuUsage()
    started = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next_ < cids.length) {
        const cid = cids[next_++]
        // as the replicator fetches a chunk: bytes checked against the CID once (BlockStore.getChecked)
        const got = await b.blocks.getChecked(cid, { providers: [provider], signal: AbortSignal.timeout(300_000) })
        if (got.length !== SWARM_CHUNK_SIZE + 42) throw new Error('bad block')
      }
    }))
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    child.send({ cpu: true })
    const serverCpu = (await next('cpu')).cpu - serverCpu0
    if (stopProfile !== undefined) {
      await stopProfile()
      child.send({ profile: 'stop' })
      await next('profiled')
    }
    const mbps = total / 1e6 / seconds
    receiverCryptoMBps(16 * MIB) // warm-up
    const cryptoMBps = receiverCryptoMBps(total)
    process.stdout.write(JSON.stringify({
      bench: 'swarm-chunk-transfer',
      what: 'bitswap fetch of 1 MiB chunk blocks between two Lucid node processes over loopback TCP (TLS or noise, as negotiated, + yamux), blocks checked against their CIDs',
      mib: TOTAL / MIB,
      blocks: cids.length,
      concurrency: CONCURRENCY,
      seconds: Number(seconds.toFixed(2)),
      MBps: Math.round(mbps),
      rawTcpMBps: Math.round(tcpMBps),
      libp2pStreamMBps: Math.round(streamMBps),
      ratio: Number((mbps / tcpMBps).toFixed(3)),
      ratioToLibp2pStream: Number((mbps / streamMBps).toFixed(3)),
      // the ceiling: decrypting and CID-hashing alone on the receiving core, as a ratio to raw TCP
      receiverCryptoMBps: Math.round(cryptoMBps),
      receiverCryptoRatio: Number((cryptoMBps / tcpMBps).toFixed(3)),
      fetcherCpuPercent: Math.round((used.user + used.system) / 1e4 / seconds),
      serverCpuPercent: Math.round(serverCpu * 100 / seconds),
      // CPU time (all threads, user + system) per MB moved: less sensitive than MB/s to other load on the machine
      fetcherCpuMsPerMB: Number(((used.user + used.system) / 1e3 / (total / 1e6)).toFixed(2)),
      serverCpuMsPerMB: Number((serverCpu * 1e3 / (total / 1e6)).toFixed(2)),
      libp2pStreamFetcherCpuMsPerMB: Number(((streamFetcherCpu.user + streamFetcherCpu.system) / 1e3 / (total / 1e6)).toFixed(2)),
      libp2pStreamServerCpuMsPerMB: Number((streamServerCpu * 1e3 / (total / 1e6)).toFixed(2)),
      target: 0.6,
      withinTarget: mbps / tcpMBps >= 0.6
    }) + '\n')
  } finally {
    child.send({ stop: true })
    await new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await b.stop()
    await tmp.cleanup()
  }
}

if (process.argv[2] === 'serve') await serve()
else await main()
