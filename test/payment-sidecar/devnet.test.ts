// Devnet → `lucid payout commit` → sidecar → TRON stand-in: `lucid devnet --nodes 3` runs three real node processes
// whose chain (dev genesis: PayoutBatches at its fixed address, ParamRegistry's disbursers = dev accounts 7–9)
// produces, gossips and finalizes blocks; the committer CLI (a real `lucid` process) builds the epoch's batch from
// an entitlements file, signs it with the disbursers' keys (--dev, or encrypted key files) and commits it through
// node 1's JSON-RPC; the sidecar follows node 3's JSON-RPC with the default finality (the `finalized` tag) and pays
// it on the stand-in.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { loadArtifact } from '../../contracts/index.js'
import { buildPayoutBatch, DEFAULT_PAYOUT_PARAMS, type Holder } from '../../protocols/poot/payouts.js'
import { KYC_TYPES } from '../../protocols/poot/payout-commitment.js'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import { hexToBase58 } from '../../payment-sidecar/src/tron/address.js'
import type { BatchChain } from './support/batch-chain.js'
import { batchState, sleep, tickUntil } from './support/drive.js'
import { holders, openWorld, sidecarConfig, USD, type World } from './support/world.js'
import { payoutDemo } from '../../node/src/devnet/demo-payout.js'

const devKey = (i: number): string => ethers.keccak256(ethers.toUtf8Bytes(`lucid/dev/account/${i}`))
const LUCID = join(process.cwd(), 'node', 'bin', 'lucid.js')
/** An encrypted JSON key file (ethers/Web3 keystore), with a cheap scrypt for the test. */
const keystore = async (key: string, password: string): Promise<string> => { const w = new ethers.Wallet(key); return await ethers.encryptKeystoreJson({ address: w.address, privateKey: w.privateKey }, password, { scrypt: { N: 1 << 10 } }) }

/** Runs `lucid …` to its end. */
async function lucid (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  const p = spawn(process.execPath, [LUCID, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  p.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  p.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number>((resolve) => p.on('close', (c) => resolve(c ?? -1)))
  return { code, stdout, stderr }
}

interface RpcBatches { contract: string, finalized: string, batches: Array<{ epoch: number, root: string, blockNumber: string, transactionHash: string | null, committer: string, final: boolean }> }

describe('payment sidecar: devnet (lucid devnet, 3 node processes) → lucid payout commit → sidecar → TRON stand-in', function () {
  this.timeout(240_000)
  let devnet: ChildProcess | undefined
  let w: World
  let rpcUrl: string
  let followUrl: string
  let provider: ethers.JsonRpcProvider
  let follower: ethers.JsonRpcProvider
  let info: { contracts: Record<string, string> }
  let dir: string
  let log = ''

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-payout-commit-'))
    devnet = spawn(process.execPath, [LUCID, 'devnet', '--nodes', '3', '--json', '--dir', join(dir, 'devnet')], { stdio: ['ignore', 'pipe', 'pipe'] })
    const rpcs: string[] = []
    let pending = ''
    const ready = new Promise<void>((resolve, reject) => {
      devnet!.stdout!.on('data', (d: Buffer) => {
        pending += d.toString()
        for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
          const line = JSON.parse(pending.slice(0, i)) as { rpc?: string | null, devAccounts?: string[] }
          pending = pending.slice(i + 1)
          if (typeof line.rpc === 'string') rpcs.push(line.rpc)
          if (line.devAccounts !== undefined) resolve()
        }
      })
      devnet!.on('exit', (code) => reject(new Error(`lucid devnet exited (${code}):\n${log}`)))
    })
    devnet.stderr!.on('data', (d: Buffer) => { log += d.toString() })
    await ready
    assert.equal(rpcs.length, 3, 'every devnet node serves JSON-RPC')
    rpcUrl = rpcs[0]
    followUrl = rpcs[2]
    provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: ethers.Network.from(4141), polling: true, pollingInterval: 250, cacheTimeout: -1 })
    follower = new ethers.JsonRpcProvider(followUrl, undefined, { staticNetwork: ethers.Network.from(4141), polling: true, pollingInterval: 250, cacheTimeout: -1 })
    for (let i = 0; ; i++) {
      try { if (await provider.getBlockNumber() >= 1) break } catch {}
      if (i > 480) throw new Error(`the devnet's chain did not start:\n${log}`)
      await sleep(250)
    }
    info = await provider.send('lucid_chainInfo', []) as { contracts: Record<string, string> }
    const disbursers = [7, 8, 9].map((i) => new ethers.Wallet(devKey(i)))
    const genesisChain = async (): Promise<BatchChain> => ({
      rpcUrl: followUrl,
      registry: info.contracts.ParamRegistry.toLowerCase(),
      // the genesis contract: the sidecar's chain.batchContract
      batches: new ethers.Contract(info.contracts.PayoutBatches, loadArtifact('PayoutBatches').abi as ethers.InterfaceAbi, provider),
      disbursers,
      commit: async () => { throw new Error('on the devnet, batches are committed by `lucid payout commit`') }
    })
    w = await openWorld({ disbursers, lucid: genesisChain })
  })

  after(async () => {
    provider?.destroy()
    follower?.destroy()
    await w?.close()
    if (devnet !== undefined && devnet.exitCode === null) {
      const exited = new Promise((resolve) => devnet!.once('exit', resolve))
      devnet.kill('SIGTERM') // it stops its nodes, then exits
      await exited
    }
  })

  /** The entitlements file of an epoch, with the compliance signer's attestation for every node worker. */
  async function entitlementsFile (epoch: number, hs: Holder[], distributableUsd: bigint, name = `epoch-${epoch}.json`): Promise<string> {
    const expiry = Math.floor(w.tron.chain.head.timestamp / 1000) + 86_400
    const kyc: Record<string, unknown> = {}
    for (const h of hs.filter((x) => x.role === 'node-worker')) {
      const kycHash = ethers.id(`kyc record of ${h.address}`)
      kyc[h.address] = { kycHash, expiry, signature: await w.compliance.signTypedData(w.domains.kyc, KYC_TYPES, { to: h.address, kycHash, expiry }) }
    }
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify({ epoch, distributableUsd6: distributableUsd.toString(), holders: hs.map((h) => ({ address: h.address, balance: h.balance.toString(), role: h.role })), kyc }, null, 2))
    return path
  }

  const tronFlags = (): string[] => ['--rpc', rpcUrl, '--tron-chain-id', String(w.tron.chain.chainId), '--v0-router', hexToBase58(w.v0Router41), '--kyc-router', hexToBase58(w.kycRouter41)]

  it('has PayoutBatches in genesis, wired to the genesis ParamRegistry and the system address', async () => {
    assert.equal(info.contracts.PayoutBatches, '0xc8B893d8BC6190908dF335416c973f10cCE894d2')
    const batches = new ethers.Contract(info.contracts.PayoutBatches, loadArtifact('PayoutBatches').abi as ethers.InterfaceAbi, provider)
    assert.equal(await batches.registry(), info.contracts.ParamRegistry)
    assert.equal((await batches.systemAddress() as string).toLowerCase(), '0xfffffffffffffffffffffffffffffffffffffffe')
    assert.equal(await batches.domainSeparator(), ethers.TypedDataEncoder.hashDomain({ name: 'LucidPayoutBatches', version: '1', chainId: 4141, verifyingContract: info.contracts.PayoutBatches }))
  })

  it('pays an epoch batch committed by `lucid payout commit --dev`: every balance equals its entitlement', async () => {
    const hs = holders(9, 'devnet')
    const distributable = 3_000n * USD
    const file = await entitlementsFile(1, hs, distributable)
    const run = await lucid(['payout', 'commit', file, ...tronFlags(), '--compliance', w.compliance.address, '--dev', '--json'])
    assert.equal(run.code, 0, run.stderr)
    const out = JSON.parse(run.stdout) as { epoch: number, root: string, txHash: string, blockNumber: number, entries: number, totalUsd6: string, rollover: Record<string, string>, contract: string }
    assert.equal(out.contract, info.contracts.PayoutBatches)

    // the entitlements, recomputed here: each holder's share of the distributable amount
    const expected = buildPayoutBatch({ epoch: 1, distributableUsd: distributable, holders: hs, carried: new Map(), networkFeeUsd: 0n }, DEFAULT_PAYOUT_PARAMS)
    assert.ok(expected.ok)
    assert.equal(out.root, ethers.hexlify(expected.value.root))
    assert.equal(out.entries, expected.value.entries.length)
    const total = hs.reduce((s, h) => s + h.balance, 0n)
    let paid = 0n
    for (const e of expected.value.entries) {
      const h = hs.find((x) => x.address === e.address)!
      const share = distributable * h.balance / total
      assert.ok(e.netUsd === share || e.netUsd === share + 1n, `${e.address}: ${e.netUsd} is its pro-rata share ${share}`)
      paid += e.netUsd
    }
    assert.equal(paid + Object.values(out.rollover).reduce((s, v) => s + BigInt(v), 0n), distributable, 'paid + rolled over = distributable')

    // the chain lists it
    const listed = await provider.send('lucid_payoutBatches', []) as RpcBatches
    const mine = listed.batches.find((b) => b.epoch === 1)
    assert.ok(mine !== undefined, JSON.stringify(listed))
    assert.deepEqual([mine.root, Number(mine.blockNumber), mine.transactionHash, mine.committer], [out.root, out.blockNumber, out.txHash, new ethers.Wallet(devKey(7)).address])
    assert.equal(mine.final, Number(mine.blockNumber) <= Number(listed.finalized))

    // the sidecar follows the genesis contract on another node, up to its finalized block (the default)
    const s = openService(sidecarConfig(w, { fromBlock: out.blockNumber, confirmations: 3, finality: 'finalized' }), { keys: [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey], guard: new Guard() })
    await tickUntil(s, () => batchState(s, out.root) === 'paid', 3_000, 50)
    for (const e of expected.value.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
    // it was paid only once final: the follower's lucid_payoutBatches says so too
    const seen = (await follower.send('lucid_payoutBatches', [1]) as RpcBatches).batches
    assert.deepEqual(seen.map((b) => [b.root, Number(b.blockNumber), b.final]), [[out.root, out.blockNumber, true]])
    for (const a of Object.keys(expected.value.rollover)) assert.equal(await w.tokenBalance(a), 0n, `${a} rolled over`)
    assert.equal(s.state.counters.paidUsd6, paid)
    assert.equal(s.state.counters.refused, 0)
    s.d.ledger.close()

    // one batch per epoch: a second commit of epoch 1 is refused before anything is sent
    const again = await lucid(['payout', 'commit', file, ...tronFlags(), '--dev'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /^lucid: epoch 1 is already committed \(root 0x[0-9a-f]{64}, block \d+\): one batch per epoch\n$/)
  })

  it('commits with two disbursers\' encrypted key files, and the sidecar pays that batch too', async () => {
    const keyFile = async (i: number, name: string): Promise<string> => {
      const path = join(dir, name)
      writeFileSync(path, await keystore(devKey(i), 'correct horse'))
      return path
    }
    const k9 = await keyFile(9, 'disburser-9.json')
    const k8 = await keyFile(8, 'disburser-8.json')
    const hs = holders(5, 'devnet key files', 2)
    const file = await entitlementsFile(2, hs, 900n * USD)
    const wrong = await lucid(['payout', 'commit', file, ...tronFlags(), '--key-file', k9, '--key-file', k8], { LUCID_DISBURSER_PASSPHRASE: 'wrong' })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /--key-file .*disburser-9\.json: cannot decrypt \(wrong passphrase\)/)
    const run = await lucid(['payout', 'commit', file, ...tronFlags(), '--key-file', k9, '--key-file', k8, '--json'], { LUCID_DISBURSER_PASSPHRASE: 'correct horse' })
    assert.equal(run.code, 0, run.stderr)
    const out = JSON.parse(run.stdout) as { root: string, blockNumber: number, sender: string }
    assert.equal(out.sender, new ethers.Wallet(devKey(9)).address, 'the first key sends')
    const s = openService(sidecarConfig(w, { fromBlock: out.blockNumber, confirmations: 3, finality: 'finalized' }), { keys: [w.payerKeys[0].privateKey, w.payerKeys[2].privateKey], guard: new Guard() })
    await tickUntil(s, () => batchState(s, out.root) === 'paid', 3_000, 50)
    const expected = buildPayoutBatch({ epoch: 2, distributableUsd: 900n * USD, holders: hs, carried: new Map(), networkFeeUsd: 0n }, DEFAULT_PAYOUT_PARAMS)
    assert.ok(expected.ok)
    for (const e of expected.value.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
    s.d.ledger.close()
  })

  it('refuses bad input with one clear line and commits nothing', async () => {
    const good = await entitlementsFile(40, holders(4, 'devnet bad input'), 800n * USD)
    const write = (name: string, body: unknown): string => { const p = join(dir, name); writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body)); return p }
    const base = { epoch: 41, distributableUsd6: '800000000', holders: [{ address: '0x' + '11'.repeat(20), balance: '5', role: 'end-user' }] }
    const stranger = write('stranger.json', await keystore(ethers.id('not a disburser'), 'pw'))
    const k7 = write('k7.json', await keystore(devKey(7), 'pw'))
    const cases: Array<{ args: string[], env?: NodeJS.ProcessEnv, code: number, want: RegExp }> = [
      { args: [join(dir, 'missing.json'), ...tronFlags(), '--dev'], code: 1, want: /missing\.json: cannot read: ENOENT/ },
      { args: [write('not-json.json', '{ epoch: 1'), ...tronFlags(), '--dev'], code: 1, want: /not-json\.json: not JSON/ },
      { args: [write('bad-balance.json', { ...base, holders: [{ ...base.holders[0], balance: 5 }] }), ...tronFlags(), '--dev'], code: 1, want: /entitlements: holders\[0\]\.balance: expected a non-negative integer as a decimal string/ },
      { args: [write('bad-role.json', { ...base, holders: [{ ...base.holders[0], role: 'miner' }] }), ...tronFlags(), '--dev'], code: 1, want: /entitlements: holders\[0\]\.role/ },
      { args: [write('bad-epoch.json', { ...base, epoch: -1 }), ...tronFlags(), '--dev'], code: 1, want: /entitlements: epoch: expected a non-negative integer/ },
      { args: [write('unknown-field.json', { ...base, extra: 1 }), ...tronFlags(), '--dev'], code: 1, want: /entitlements: extra: unknown field/ },
      { args: [write('carried.json', { ...base, carried: { ['0x' + '22'.repeat(20)]: '1' } }), ...tronFlags(), '--dev'], code: 1, want: /carried\.0x2{40}: not one of the holders/ },
      { args: [write('small.json', { ...base, distributableUsd6: '9999999' }), ...tronFlags(), '--dev'], code: 1, want: /epoch 41: nothing to pay, every entitlement is under the \$10 minimum/ },
      { args: [write('no-kyc.json', { ...base, holders: [{ ...base.holders[0], role: 'node-worker' }] }), ...tronFlags(), '--dev'], code: 1, want: /kyc\.0x1{40}: missing: node worker .* needs the compliance signer's attestation/ },
      { args: [good, '--rpc', rpcUrl, '--tron-chain-id', String(w.tron.chain.chainId), '--v0-router', hexToBase58(w.v0Router41), '--dev'], code: 2, want: /pass --kyc-router/ },
      { args: [good, ...tronFlags(), '--compliance', w.disbursers[0].address, '--dev'], code: 1, want: /signed by 0x[0-9a-fA-F]{40}, not by the compliance signer/ },
      { args: [good, ...tronFlags()], code: 2, want: /needs 2 of the 3 disbursers: pass --key-file twice/ },
      { args: [good, ...tronFlags(), '--dev', '--key-file', k7], code: 2, want: /--dev and --key-file exclude each other/ },
      { args: [good, ...tronFlags(), '--key-file', k7, '--key-file', stranger], env: { LUCID_DISBURSER_PASSPHRASE: 'pw' }, code: 1, want: /--key-file: 0x[0-9a-fA-F]{40} is not a disburser of ParamRegistry/ },
      { args: [good, ...tronFlags(), '--key-file', k7, '--key-file', k7], env: { LUCID_DISBURSER_PASSPHRASE: 'pw' }, code: 2, want: /the same key was given twice/ },
      { args: [good, ...tronFlags(), '--key-file', k7, '--key-file', good], code: 1, want: /not an encrypted JSON key file/ },
      { args: [good, ...tronFlags(), '--v0-router', 'T123', '--dev'], code: 2, want: /--v0-router: not a TRON address/ },
      { args: [good, ...tronFlags(), '--v0-router', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u', '--dev'], code: 2, want: /--v0-router: bad base58check TRON address/ },
      { args: [good, ...tronFlags(), '--tron-chain-id', 'zero', '--dev'], code: 2, want: /--tron-chain-id: expected a positive integer/ },
      { args: [good, '--rpc', 'not a url', '--tron-chain-id', '1', '--dev'], code: 2, want: /--rpc: not a URL/ },
      { args: [good, '--rpc', 'http://127.0.0.1:9', '--tron-chain-id', '1', '--dev'], code: 1, want: /--rpc: cannot reach http:\/\/127\.0\.0\.1:9/ },
      { args: [good, '--tron-chain-id', '1', '--dev'], code: 2, want: /required option '--rpc <url>' not specified/ }
    ]
    for (const c of cases) {
      const r = await lucid(['payout', 'commit', ...c.args], c.env)
      assert.equal(r.code, c.code, `${c.args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^lucid: [^\n]+\n$/, `one line: ${r.stderr}`)
      assert.match(r.stderr, c.want)
    }
    const listed = await provider.send('lucid_payoutBatches', []) as RpcBatches
    assert.deepEqual(listed.batches.map((b) => b.epoch).filter((e) => e >= 40), [], 'nothing committed')
    // --dry-run checks the commit with eth_call and sends nothing
    const dry = await lucid(['payout', 'commit', good, ...tronFlags(), '--dev', '--dry-run', '--json'])
    assert.equal(dry.code, 0, dry.stderr)
    assert.equal((JSON.parse(dry.stdout) as { dryRun: boolean }).dryRun, true)
    assert.deepEqual(((await provider.send('lucid_payoutBatches', [40])) as RpcBatches).batches, [])
    // lucid_payoutBatches names a bad parameter
    for (const bad of ['nope', '0x10000000000000000']) {
      await assert.rejects(provider.send('lucid_payoutBatches', [bad]), (e: Error & { error?: { code?: number } }) => e.error?.code === -32602 && /params\[0\] \(epoch\)/.test(e.message))
    }
    const help = await lucid(['payout', 'commit', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /--tron-chain-id <n>/)
    const list = await lucid(['payout', 'batches', '--rpc', rpcUrl])
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /^epoch 1 {2}root 0x[0-9a-f]{64} {2}block \d+ {2}tx 0x[0-9a-f]{64} {2}(final|not final yet)$/m)
  })

  // the payout part of `lucid demo` (node/src/devnet/demo-payout.ts): the stand-in, `lucid payout commit --dev` and
  // `lucid-payout start` as real processes, against this devnet
  it('lucid demo\'s payout part: stand-in, commit through node 1, sidecar (sandbox) following node 3, paid to the unit, all stopped', async () => {
    const lines: string[] = []
    const demoDir = join(dir, 'demo')
    const r = await payoutDemo({ devnet: { nodes: [1, 2, 3].map((index) => ({ index, rpc: index === 1 ? rpcUrl : index === 3 ? followUrl : undefined })) }, dir: demoDir, epoch: 7, say: (step, text) => { lines.push(`${step.padEnd(11)} ${text}`) } })
    const story = lines.join('\n')
    for (const step of ['tron', 'entitled', 'committed', 'sidecar', 'final', 'paid', 'balances']) assert.match(story, new RegExp(`^${step} `, 'm'), story)
    assert.match(story, /committed to PayoutBatches in block #\d+ through node 1's JSON-RPC/)
    assert.match(story, /^final {7}block #\d+ is final/m)
    assert.match(story, /every balance equals its entitlement to the unit/)
    assert.match(story, /lucid-payout start and lucid-tron-stand-in stopped cleanly \(SIGTERM\)$/m)
    assert.equal(r.recipients.length, 5)
    for (const x of r.recipients) {
      assert.match(x.tron, /^T[1-9A-HJ-NP-Za-km-z]{33}$/)
      assert.ok(story.includes(x.tron), `${x.tron} is shown`)
      assert.equal(x.balanceUsd6, x.entitledUsd6, x.tron)
      assert.ok(x.balanceUsd6 > 0n)
    }
    // the same batch on the chain, final, committed by dev account 7
    const seen = (await follower.send('lucid_payoutBatches', [7]) as RpcBatches).batches
    assert.deepEqual(seen.map((b) => [b.root, Number(b.blockNumber), b.final, b.committer]), [[r.root, r.blockNumber, true, new ethers.Wallet(devKey(7)).address]])
    // the sidecar's own state under the demo's dir; the fee payer's keys only in its encrypted keystore
    assert.ok(existsSync(join(demoDir, 'payout', 'sidecar', 'ledger.jsonl')))
    assert.ok(existsSync(join(demoDir, 'payout', 'sidecar', 'keystore.json')))
    assert.ok(!existsSync(join(demoDir, 'payout', 'fee-payer-keys.txt')), 'the plaintext key file is gone')
    assert.match(readFileSync(join(demoDir, 'payout', 'tron-stand-in.log'), 'utf8'), /lucid-tron-stand-in: stopped at block \d+/)
    // a bad state is a clear error naming what failed and its log, and stops what was started: epoch 7 again
    const again: string[] = []
    await assert.rejects(payoutDemo({ devnet: { nodes: [{ index: 1, rpc: rpcUrl }, { index: 3, rpc: followUrl }] }, dir: join(dir, 'demo-again'), epoch: 7, say: (step, text) => { again.push(`${step} ${text}`) } }),
      (e: Error) => /^lucid payout commit failed \(exit 1\): lucid: epoch 7 is already committed .*\(log: .*payout-commit\.log\)$/.test(e.message))
    assert.match(again.join('\n'), /lucid-tron-stand-in stopped cleanly/)
  })
})
