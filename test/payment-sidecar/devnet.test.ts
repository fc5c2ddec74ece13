// Devnet → sidecar → TRON stand-in: the project's own chain (`lucid chain run --dev`, one process holding every
// entity key) serves JSON-RPC; the batch is committed there through the test commitment contract (the chain does
// not commit payout batches itself yet), the disbursers are the dev genesis's ParamRegistry disbursers (dev
// accounts 7–9), and the sidecar pays it on the stand-in.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import { compileStub, type BatchChain } from './support/batch-chain.js'
import { batchState, sleep, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD, type World } from './support/world.js'

const devKey = (i: number): string => ethers.keccak256(ethers.toUtf8Bytes(`lucid/dev/account/${i}`))

async function freePort (): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

describe('payment sidecar: devnet (lucid chain run --dev) → sidecar → TRON stand-in', function () {
  this.timeout(180_000)
  let devnet: ChildProcess | undefined
  let w: World
  let log = ''

  before(async () => {
    const home = mkdtempSync(join(tmpdir(), 'lucid-payout-devnet-'))
    const port = await freePort()
    devnet = spawn(process.execPath, [join(process.cwd(), 'node', 'bin', 'lucid.js'), 'chain', 'run', '--dev', '--home', home, '--rpc', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    devnet.stdout!.on('data', (d: Buffer) => { log += d.toString() })
    devnet.stderr!.on('data', (d: Buffer) => { log += d.toString() })
    const rpcUrl = `http://127.0.0.1:${port}`
    const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: ethers.Network.from(4141), polling: true, pollingInterval: 250 })
    for (let i = 0; ; i++) {
      try { if (await provider.getBlockNumber() >= 1) break } catch {}
      if (i > 240) throw new Error(`the devnet did not start:\n${log}`)
      await sleep(250)
    }
    const info = await provider.send('lucid_chainInfo', []) as { contracts: Record<string, string> }
    const dev = (i: number): ethers.Wallet => new ethers.Wallet(devKey(i), provider)
    const disbursers = [7, 8, 9].map((i) => new ethers.Wallet(devKey(i)))
    const lucid = async (): Promise<BatchChain> => {
      const stub = compileStub()
      const deployer = dev(0)
      const batches = await new ethers.ContractFactory(stub.abi, stub.bytecode, deployer).deploy()
      await batches.waitForDeployment()
      const contract = batches as unknown as ethers.Contract
      return {
        rpcUrl,
        registry: info.contracts.ParamRegistry.toLowerCase(),
        batches: contract,
        disbursers,
        commit: async (epoch, root, payload) => {
          const tx = await contract.commit(epoch, root, payload)
          return (await tx.wait())!.blockNumber as number
        }
      }
    }
    w = await openWorld({ disbursers, lucid })
  })

  after(async () => {
    await w?.close()
    devnet?.kill('SIGTERM')
  })

  it('pays an epoch batch committed on the devnet: every balance equals its entitlement', async () => {
    const batch = await makeBatch(w, { epoch: 1, holders: holders(9, 'devnet'), distributableUsd: 3_000n * USD })
    const block = await commitBatch(w, batch)
    // the devnet does not finalize blocks yet (no votes on the wire): follow it 2 blocks deep instead of 'finalized'
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 3, finality: 2 }), { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid', 3_000, 50)
    for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
    assert.equal(s.state.counters.paidUsd6, batch.entries.reduce((a, e) => a + e.netUsd, 0n))
    s.d.ledger.close()
  })
})
