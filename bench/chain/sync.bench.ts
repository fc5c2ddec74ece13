/**
 * Sync speed: a fresh node catching up over JSON-RPC (lucid_getEnvelopes, 64 per request), every block checked and
 * re-executed, in blocks per second; once for empty blocks and once for blocks of 20 registerSession transactions.
 * Baseline in the same run: the same envelopes imported in-process (no transport), to show what the transport costs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom, syncFrom, rpcEnvelopeSource } from '../../node/src/chain/index.js'
import { startRpcServer } from '../../node/src/rpc/server.js'
import { benchGenesis, registerSessionTxs, GENESIS_MS, SLOT_MS } from './support.js'

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
  const rpc = await startRpcServer(leader, { port: 0 })
  const viaRpc = await open()
  let t0 = performance.now()
  await syncFrom(viaRpc, rpcEnvelopeSource(rpc.url), () => Number.MAX_SAFE_INTEGER)
  const rpcSeconds = (performance.now() - t0) / 1000
  const envelopes: Uint8Array[] = []
  for (let n = 1n; n <= leader.head.header.number; n++) envelopes.push((await leader.envelopeOf((await leader.blockByNumber(n))!))!)
  const direct = await open()
  t0 = performance.now()
  for (const e of envelopes) { const r = await direct.importEnvelope(e, Number.MAX_SAFE_INTEGER); if (!r.ok) throw new Error(r.reason) }
  const directSeconds = (performance.now() - t0) / 1000
  if (viaRpc.head.header.stateRoot.toString() !== leader.head.header.stateRoot.toString()) throw new Error('state roots differ')
  await rpc.close()
  for (const c of [leader, viaRpc, direct]) await c.close()
  const bps = (s: number): number => Math.round(BLOCKS / s * 10) / 10
  process.stdout.write(JSON.stringify({ bench: 'chain-sync', blocks: BLOCKS, txsPerBlock, transport: 'JSON-RPC lucid_getEnvelopes', blocksPerSecond: bps(rpcSeconds), baseline: 'same envelopes imported in-process', baselineBlocksPerSecond: bps(directSeconds), ratio: Number((directSeconds / rpcSeconds).toFixed(2)) }) + '\n')
}

await run(0)
await run(20)
for (const d of dirs) rmSync(d, { recursive: true, force: true })
