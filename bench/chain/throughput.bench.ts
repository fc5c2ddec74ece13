/**
 * registerSession transactions per second (1) through block production (mempool → linear builder → LevelDB) and
 * (2) through a follower's re-execution of the same blocks (envelope checks, runBlock, LevelDB), each against
 * @ethereumjs/vm running the same transactions bare (a runTx loop on an in-memory state) in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVM, runTx } from '@ethereumjs/vm'
import { createBlock } from '@ethereumjs/block'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../node/src/chain/index.js'
import { benchGenesis, registerSessionTxs, GENESIS_MS, SLOT_MS } from './support.js'
import { nativeCrypto } from '../../node/src/chain/crypto.js'

const N = Number(process.env.BENCH_TXS ?? 600)
const g = await benchGenesis()
const txs = registerSessionTxs(g, N)

// (0) bare: a runTx loop on an in-memory VM at the genesis state
async function bare (): Promise<number> {
  const sm = new MerkleStateManager({ common: g.common })
  await sm.generateCanonicalGenesis(g.state)
  const vm = await createVM({ common: g.common, stateManager: sm })
  const block = createBlock({ header: { number: 1n, timestamp: BigInt(GENESIS_MS / 1000 + 2), gasLimit: 10n ** 12n, baseFeePerGas: 10n ** 9n } }, { common: g.common })
  const t0 = performance.now()
  for (const tx of txs) {
    const r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true })
    if (r.execResult.exceptionError !== undefined) throw new Error(`bare: ${r.execResult.exceptionError.error}`)
  }
  await sm.getStateRoot()
  return N / ((performance.now() - t0) / 1000)
}

const dirs: string[] = []
const open = async (): Promise<Chain> => {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-chain-'))
  dirs.push(dir)
  return await Chain.open({ dir, genesis: g, maxBuildMs: 600_000 })
}

async function produced (): Promise<{ tps: number, chain: Chain, blocks: number }> {
  const chain = await open()
  for (const tx of txs) await chain.submitRaw(tx.serialize())
  const decide = localProposer(signersFrom(chain, [...devNodeKeys(9), devServerKey()]))
  let blocks = 0
  const t0 = performance.now()
  while (chain.mempool.size > 0) {
    const slot = chain.headPoot.slot + 1
    const p = decide(chain, slot, GENESIS_MS + slot * SLOT_MS + 10)
    if (p === null) throw new Error('no proposal')
    await chain.build(p)
    blocks++
  }
  const seconds = (performance.now() - t0) / 1000
  return { tps: N / seconds, chain, blocks }
}

async function reexecuted (leader: Chain): Promise<number> {
  const follower = await open()
  const envelopes: Uint8Array[] = []
  for (let n = 1n; n <= leader.head.header.number; n++) envelopes.push((await leader.envelopeOf((await leader.blockByNumber(n))!))!)
  await follower.warmExecution() // as a running node's: started with the chain
  const t0 = performance.now()
  for (const e of envelopes) {
    const r = await follower.importEnvelope(e, Number.MAX_SAFE_INTEGER)
    if (!r.ok) throw new Error(`import: ${r.reason}`)
  }
  const seconds = (performance.now() - t0) / 1000
  if (follower.head.header.stateRoot.toString() !== leader.head.header.stateRoot.toString()) throw new Error('state roots differ')
  await follower.close()
  return N / seconds
}

await bare() // warm-up (JIT)
const bareTps = await bare()
const prod = await produced()
const reexecTps = await reexecuted(prod.chain)
await prod.chain.close()
for (const d of dirs) rmSync(d, { recursive: true, force: true })
const crypto = nativeCrypto() === undefined ? 'pure-js' : 'native secp256k1 + keccak'
const round = (x: number): number => Math.round(x * 10) / 10
process.stdout.write(JSON.stringify({ bench: 'chain-production', txs: N, blocks: prod.blocks, txPerSecond: round(prod.tps), baseline: '@ethereumjs/vm runTx loop, in-memory state', baselineTxPerSecond: round(bareTps), ratio: Number((prod.tps / bareTps).toFixed(2)), crypto }) + '\n')
process.stdout.write(JSON.stringify({ bench: 'chain-reexecution', txs: N, blocks: prod.blocks, txPerSecond: round(reexecTps), baseline: '@ethereumjs/vm runTx loop, in-memory state', baselineTxPerSecond: round(bareTps), ratio: Number((reexecTps / bareTps).toFixed(2)), crypto }) + '\n')
