/**
 * Anchor submit latency: a registerSession transaction sent with ethers v6 to the chain's JSON-RPC, from the call
 * to its acceptance into the mempool (eth_sendRawTransaction answered), p50/p99. Two ways: fully populated by the
 * caller (nonce, gas and fees known: one RPC call), and left to ethers (estimateGas, nonce and fee look-ups first).
 * Baseline in the same run: an eth_blockNumber round trip, the floor of any JSON-RPC call.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { Chain, devAccountKeys } from '../../node/src/chain/index.js'
import { startRpcServer } from '../../node/src/rpc/server.js'
import { benchGenesis, registerSessionData } from './support.js'

const N = Number(process.env.BENCH_ANCHORS ?? 300)
const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-anchor-'))
const g = await benchGenesis()
const chain = await Chain.open({ dir, genesis: g })
const rpc = await startRpcServer(chain, { port: 0 })
const provider = new ethers.JsonRpcProvider(rpc.url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 })
const wallets = devAccountKeys(10).map((k) => new ethers.Wallet(k, provider))
const anchors = g.contracts.LucidAnchors

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))] * 100) / 100 }
const time = async (f: () => Promise<unknown>): Promise<number> => { const t0 = performance.now(); await f(); return performance.now() - t0 }

const floor: number[] = []
for (let i = 0; i < N; i++) floor.push(await time(async () => await provider.getBlockNumber()))

const nonces = new Map<string, number>(wallets.map((w) => [w.address, 0]))
const populated: number[] = []
const auto: number[] = []
let id = 0
for (let i = 0; i < N; i++) {
  const w = wallets[i % wallets.length]
  const nonce = nonces.get(w.address)!
  nonces.set(w.address, nonce + 1)
  const tx = { to: anchors, data: registerSessionData(id++, w.address), nonce, gasLimit: 200_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n, chainId: chain.chainId, type: 2 }
  populated.push(await time(async () => await w.sendTransaction(tx)))
}
// ethers fills in the rest (estimateGas runs on a copy of the VM at the head; pending nonce counts the mempool)
const w2 = devAccountKeys(20).slice(10).map((k) => new ethers.Wallet(k, provider))
for (let i = 0; i < Math.min(N, 100); i++) {
  const w = w2[i % w2.length]
  auto.push(await time(async () => await w.sendTransaction({ to: anchors, data: registerSessionData(id++, w.address) })))
}
provider.destroy()
await rpc.close()
await chain.close()
rmSync(dir, { recursive: true, force: true })
process.stdout.write(JSON.stringify({ bench: 'anchor-submit-latency', submissions: N, mode: 'populated', p50Ms: pct(populated, 50), p99Ms: pct(populated, 99), baseline: 'eth_blockNumber round trip', baselineP50Ms: pct(floor, 50), baselineP99Ms: pct(floor, 99) }) + '\n')
process.stdout.write(JSON.stringify({ bench: 'anchor-submit-latency', submissions: auto.length, mode: 'ethers-populates (estimateGas, nonce, fees)', p50Ms: pct(auto, 50), p99Ms: pct(auto, 99), baseline: 'eth_blockNumber round trip', baselineP50Ms: pct(floor, 50), baselineP99Ms: pct(floor, 99) }) + '\n')
