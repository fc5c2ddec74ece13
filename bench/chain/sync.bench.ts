/**
 * Sync speed: a fresh node catching up over the libp2p sync protocol (/lucid/1/chain/sync/1.0.0 over TCP, noise,
 * yamux on loopback, 64 blocks per request) and over JSON-RPC (lucid_getEnvelopes, 64 per request), every block
 * checked and re-executed, in blocks per second; once for empty blocks and once for blocks of 20 registerSession
 * transactions. Baseline in the same run: the same envelopes imported in-process (no transport).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom, syncFrom, rpcEnvelopeSource } from '../../node/src/chain/index.js'
import { startRpcServer } from '../../node/src/rpc/server.js'
import { benchGenesis, registerSessionTxs, GENESIS_MS, SLOT_MS } from './support.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { SYNC_PROTOCOL } from '../../node/src/chainnet/constants.js'
import { peerEnvelopeSource, serveSync } from '../../node/src/chainnet/sync-protocol.js'

const peer = async (): Promise<Libp2p> => await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })

const BLOCKS = Number(process.env.BENCH_SYNC_BLOCKS ?? 300)
const g = await benchGenesis()
const dirs: string[] = []
const open = async (): Promise<Chain> => {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-sync-'))
  dirs.push(dir)
  return await Chain.open({ dir, genesis: g, maxBuildMs: 600_000 })
}

async function run (txsPerBlock: number): Promise<void> {
  const leader = await open()
  const decide = localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))
  const txs = registerSessionTxs(g, BLOCKS * txsPerBlock)
  for (let b = 0; b < BLOCKS; b++) {
    for (const tx of txs.slice(b * txsPerBlock, (b + 1) * txsPerBlock)) await leader.submitRaw(tx.serialize())
    const slot = leader.headPoot.slot + 1
    await leader.build(decide(leader, slot, GENESIS_MS + slot * SLOT_MS + 10)!)
  }
  const [server, client] = await Promise.all([peer(), peer()])
  await server.handle(SYNC_PROTOCOL, (stream) => { void serveSync(leader, stream, AbortSignal.timeout(60_000)) })
  await client.dial(server.getMultiaddrs()[0])
  const viaP2p = await open()
  let t0 = performance.now()
  await syncFrom(viaP2p, peerEnvelopeSource(client, server.peerId), () => Number.MAX_SAFE_INTEGER)
  const p2pSeconds = (performance.now() - t0) / 1000
  await Promise.all([server.stop(), client.stop()])
  const rpc = await startRpcServer(leader, { port: 0 })
  const viaRpc = await open()
  t0 = performance.now()
  await syncFrom(viaRpc, rpcEnvelopeSource(rpc.url), () => Number.MAX_SAFE_INTEGER)
  const rpcSeconds = (performance.now() - t0) / 1000
  const envelopes: Uint8Array[] = []
  for (let n = 1n; n <= leader.head.header.number; n++) envelopes.push((await leader.envelopeOf((await leader.blockByNumber(n))!))!)
  const direct = await open()
  t0 = performance.now()
  for (const e of envelopes) { const r = await direct.importEnvelope(e, Number.MAX_SAFE_INTEGER); if (!r.ok) throw new Error(r.reason) }
  const directSeconds = (performance.now() - t0) / 1000
  for (const c of [viaRpc, viaP2p]) if (c.head.header.stateRoot.toString() !== leader.head.header.stateRoot.toString()) throw new Error('state roots differ')
  await rpc.close()
  for (const c of [leader, viaRpc, viaP2p, direct]) await c.close()
  const bps = (s: number): number => Math.round(BLOCKS / s * 10) / 10
  process.stdout.write(JSON.stringify({ bench: 'chain-sync', blocks: BLOCKS, txsPerBlock, transport: 'libp2p /lucid/1/chain/sync/1.0.0 (TCP, noise, yamux, loopback)', blocksPerSecond: bps(p2pSeconds), baseline: 'same envelopes imported in-process', baselineBlocksPerSecond: bps(directSeconds), ratio: Number((directSeconds / p2pSeconds).toFixed(2)) }) + '\n')
  process.stdout.write(JSON.stringify({ bench: 'chain-sync', blocks: BLOCKS, txsPerBlock, transport: 'JSON-RPC lucid_getEnvelopes', blocksPerSecond: bps(rpcSeconds), baseline: 'same envelopes imported in-process', baselineBlocksPerSecond: bps(directSeconds), ratio: Number((directSeconds / rpcSeconds).toFixed(2)) }) + '\n')
}

await run(0)
await run(20)
for (const d of dirs) rmSync(d, { recursive: true, force: true })
