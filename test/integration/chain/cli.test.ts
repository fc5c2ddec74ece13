// The CLI around the chain: `lucid genesis create` checks its flags; a non-dev `lucid chain run` proposes with the
// node home's identity key when its genesis names that node; `lucid chain status` / `credits` read a running chain;
// `lucid chain run --dev` lists the sessions registered on it in its blocks.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { openHome } from '../../../node/src/home/home.js'
import { nodeKeyFromSeed } from '../../../protocols/poot/index.js'
import { runLucid, LUCID_BIN } from '../../support/run-lucid.js'
import { randomUUID } from 'node:crypto'
import { loadArtifact } from '../../../contracts/index.js'
import { SERVER_ENTITY } from '../../../protocols/poot/index.js'
import { sessionIdToBytes32 } from '../../../protocols/session/session-id.js'
import { decodeEnvelope } from '../../../node/src/chain/envelope.js'
import { rpcCall, startChainProcess, waitFor, type ChainProcess } from './process.js'

const PASS = { LUCID_PASSPHRASE: 'chain test passphrase' }

describe('chain: lucid genesis create, chain run with the node key, chain status', function () {
  this.timeout(120_000)
  const dir = mkdtempSync(join(tmpdir(), 'lucid-chain-cli-'))
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('genesis create refuses bad flags with one line', async () => {
    const out = join(dir, 'bad.json')
    const r1 = await runLucid(['genesis', 'create', '--out', out, '--slot-ms', '500', '--dev'])
    assert.equal(r1.code, 2)
    assert.match(r1.stderr, /^lucid: --slot-ms: expected an integer ≥ 1001/)
    const r2 = await runLucid(['genesis', 'create', '--out', out, '--server', 'zz:0x' + '11'.repeat(20), '--disbursers', ['0x' + '22'.repeat(20), '0x' + '33'.repeat(20), '0x' + '44'.repeat(20)].join(',')])
    assert.equal(r2.code, 1)
    assert.match(r2.stderr, /^lucid: genesis: server\.node: not a node id/)
  })

  it('a node home proposes the slots of its entity, and status/credits read the chain', async () => {
    const home = join(dir, 'node')
    assert.equal((await runLucid(['init', '--home', home], { env: PASS })).code, 0)
    const key = nodeKeyFromSeed((await openHome(home, PASS.LUCID_PASSPHRASE)).identity.secretKey)
    const reward = ethers.Wallet.createRandom().address
    const server = nodeKeyFromSeed(new Uint8Array(32).fill(5))
    const created = await runLucid(['genesis', 'create', '--out', join(home, 'chain', 'genesis.json'), '--slot-ms', '1001', '--chain-id', '777',
      '--server', `${server.id}:${ethers.Wallet.createRandom().address}`, '--entity', `${key.id}:${reward}`,
      '--alloc', `${reward}=1000`, '--disbursers', [1, 2, 3].map(() => ethers.Wallet.createRandom().address).join(',')])
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.stdout, /genesis block 0x[0-9a-f]{64}/)
    const child = spawn(process.execPath, [LUCID_BIN, 'chain', 'run', '--home', home, '--rpc', '127.0.0.1:0'], { env: { ...process.env, ...PASS }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    try {
      const url = await waitFor('the RPC URL', async () => /JSON-RPC: (\S+)/.exec(out)?.[1])
      assert.match(out, new RegExp(`node id ${key.id}`))
      const block = await waitFor('a block from this node', async () => {
        const b = await rpcCall(url, 'eth_getBlockByNumber', ['0x1', false])
        return b ?? undefined
      })
      assert.equal(block.miner, reward.toLowerCase())
      const status = await runLucid(['chain', 'status', '--rpc', url, '--json'])
      assert.equal(status.code, 0, status.stderr)
      assert.equal(JSON.parse(status.stdout).chainId, 777)
      const credits = await runLucid(['chain', 'credits', '--rpc', url])
      assert.equal(credits.code, 0, credits.stderr)
      assert.match(credits.stdout, /minted [1-9]\d* LUCID/)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    assert.equal(child.exitCode, 0, out)
    const down = await runLucid(['chain', 'status', '--rpc', 'http://127.0.0.1:1'])
    assert.equal(down.code, 1)
    assert.match(down.stderr, /^lucid: cannot reach http:\/\/127\.0\.0\.1:1/)
  })
})

describe('chain: lucid chain run --dev lists the sessions registered on it', function () {
  this.timeout(120_000)
  const home = mkdtempSync(join(tmpdir(), 'lucid-chain-dev-sessions-'))
  let proc: ChainProcess | undefined
  after(async () => { await proc?.kill(); rmSync(home, { recursive: true, force: true }) })

  it('a session registered through ethers is listed by the next ranked block, whose proposer is paid', async () => {
    proc = await startChainProcess(home)
    const contracts = JSON.parse(/^contracts: (.*)$/m.exec(proc.output())![1]) as Record<string, string>
    const provider = new ethers.JsonRpcProvider(proc.url, undefined, { staticNetwork: true, polling: true, pollingInterval: 200 })
    const anchors = new ethers.Contract(contracts.LucidAnchors, loadArtifact('LucidAnchors').abi as ethers.InterfaceAbi, new ethers.Wallet(proc.keys[1], provider))
    const sessionId = randomUUID()
    const receipt = await (await anchors.registerSession(sessionIdToBytes32(sessionId), ethers.id('manifest'), 1n, ethers.Wallet.createRandom().address, ethers.id('root'), 1)).wait()
    assert.equal(receipt?.status, 1)
    const listing = await waitFor('a block listing the session', async () => {
      const head = Number(await rpcCall(proc!.url, 'eth_blockNumber'))
      for (let n = receipt!.blockNumber + 1; n <= head; n++) {
        const block = await rpcCall(proc!.url, 'eth_getBlockByNumber', [ethers.toQuantity(n), false])
        const env = decodeEnvelope(ethers.getBytes(await rpcCall(proc!.url, 'lucid_getEnvelope', [block.hash])))
        if (env.poot.body.sessions.some((s) => s.sessionId === sessionId)) return env
      }
      return undefined
    })
    assert.notEqual(listing.poot.signed.header.proposer, SERVER_ENTITY)
    assert.deepEqual(listing.poot.body.sessions.filter((s) => s.sessionId === sessionId), [{ sessionId, bytes: 0 }])
  })
})
