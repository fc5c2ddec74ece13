/**
 * The payout part of the swarm demo (`lucid demo`): an epoch's payout batch committed on the devnet's chain and paid
 * in USDT-TRC20 by the payout sidecar in sandbox mode, with a local TRON stand-in where Shasta or Nile would be.
 *
 *   1. `lucid-tron-stand-in` (payment-sidecar/stand-in/, a child process): a local TRON full node with the payout
 *      routers (signers = the chain's ParamRegistry disbursers, dev accounts 7–9) and a 6-decimal TRC-20 token, and
 *      the sidecar's fee-payer account funded (its three keys handed over once, for the sidecar's keystore);
 *   2. an entitlements file for a small epoch (node workers with the dev compliance signer's KYC attestations, end
 *      users), and `lucid payout commit … --dev` through node 1's JSON-RPC (a child process);
 *   3. `lucid-payout start` (a child process) in `sandbox` mode, pointed at the stand-in's URL (the one setting that
 *      differs from Shasta), following node 3's JSON-RPC with the default `finalized` finality, with its own data
 *      directory and encrypted keystore under `dir`; the demo waits until the batch is paid and every payout confirmed,
 *      reads every recipient's balance from the stand-in's HTTP API, and stops both processes.
 *
 * The node runtime never imports the sidecar (the boundary lint): both are spawned by path. Everything is on
 * 127.0.0.1. Every wait has a deadline; an error names the step that failed and the log to read.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { buildPayoutBatch, DEFAULT_PAYOUT_PARAMS, type Holder, type PayoutEntry } from '../../../protocols/poot/payouts.js'
import { KYC_TYPES, routerDomain } from '../../../protocols/poot/payout-commitment.js'
import { LUCID_BIN, type DevnetNode } from './devnet.js'
import { STOP_WITH_PARENT_ENV } from '../runtime/parent-watch.js'

/** The repository's payment-sidecar/ workspace: spawned by path, never imported. */
export const SIDECAR_DIR = fileURLToPath(new URL('../../../payment-sidecar/', import.meta.url))
export const PAYOUT_BIN = join(SIDECAR_DIR, 'bin', 'lucid-payout.js')
export const STAND_IN_BIN = join(SIDECAR_DIR, 'bin', 'lucid-tron-stand-in.js')

/** The dev compliance signer (a well-known key, never for value; the stand-in's default for PayoutRouterKYC). */
export const DEV_COMPLIANCE_KEY = ethers.keccak256(ethers.toUtf8Bytes('lucid/dev/compliance'))

const USD = 1_000_000n

export interface PayoutDemoOptions {
  /** the running devnet (a `Devnet`): node 1 commits, the last node (node 3 of 3) is followed by the sidecar */
  devnet: { nodes: ReadonlyArray<Pick<DevnetNode, 'index' | 'rpc'> & { log?: string }> }
  /** working directory: everything goes under `dir/payout/` (logs, entitlements, the sidecar's data and keystore) */
  dir: string
  say: (step: string, text: string) => void
  /** the epoch to commit (one batch per epoch on a chain); default 1 */
  epoch?: number
  /** the stand-in's block interval; default 200 ms (TRON's is 3 s: with 20 confirmations that is a minute a payout) */
  tronBlockMs?: number
}

export interface PayoutDemoResult {
  epoch: number
  root: string
  blockNumber: number
  recipients: Array<{ address: string, tron: string, role: Holder['role'], entitledUsd6: bigint, balanceUsd6: bigint }>
  /** where the logs are */
  dir: string
}

/** base58check `T…` of a 20-byte 0x address (TRON's 0x41 prefix) */
export function tronAddressOf (evm: string): string {
  const bytes = ethers.getBytes('0x41' + evm.slice(2))
  const check = ethers.getBytes(ethers.sha256(ethers.sha256(bytes))).slice(0, 4)
  return ethers.encodeBase58(ethers.concat([bytes, check]))
}

const usdt = (usd6: bigint): string => `${usd6 / USD}.${(usd6 % USD).toString().padStart(6, '0')}`

class Proc {
  readonly p: ChildProcess
  readonly out: WriteStream
  stdout = ''
  stderr = ''
  exit: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  exited = false

  constructor (readonly name: string, readonly log: string, bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.out = createWriteStream(log, { flags: 'a' })
    this.out.write(`$ ${name} ${args.join(' ')}\n`)
    // LUCID_STOP_WITH_PARENT: the program stops by itself if the demo dies without stopping it (SIGKILL, a crash)
    this.p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [STOP_WITH_PARENT_ENV]: String(process.pid), ...env } })
    this.p.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString(); this.out.write(d) })
    this.p.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); this.out.write(d) })
    this.exit = new Promise((resolve) => {
      this.p.once('error', (e) => { this.stderr += `cannot start: ${e.message}\n`; this.exited = true; resolve({ code: -1, signal: null }) })
      this.p.once('close', (code, signal) => { this.exited = true; resolve({ code, signal }) })
    })
  }

  /** the last line it wrote on stderr (its error, by the CLIs' convention) */
  lastError (): string {
    const lines = this.stderr.trim().split('\n').filter((l) => l !== '')
    return lines.length === 0 ? 'no error output' : lines[lines.length - 1]
  }

  fail (what: string): Error { return new Error(`${what}: ${this.lastError()} (log: ${this.log})`) }

  /** Runs to its end within `ms`; a non-zero exit or the deadline is an error naming the log. */
  async done (ms: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms) })
    const r = await Promise.race([this.exit, late])
    clearTimeout(timer)
    if (r === 'late') { await this.stop(2_000); throw new Error(`${this.name} did not finish within ${ms / 1000} s (log: ${this.log})`) }
    await new Promise<void>((resolve) => this.out.end(resolve))
    if (r.code !== 0) throw this.fail(`${this.name} failed (exit ${r.code ?? r.signal})`)
    return this.stdout
  }

  /** Waits until `ready` finds what it needs in the output; exiting first or the deadline is an error. */
  async until<T> (what: string, ready: () => T | undefined, ms: number): Promise<T> {
    const deadline = Date.now() + ms
    for (;;) {
      const v = ready()
      if (v !== undefined) return v
      if (this.exited) throw this.fail(`${this.name} exited before ${what}`)
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${what} within ${ms / 1000} s (log: ${this.log})`)
      await sleep(100)
    }
  }

  /** SIGTERM, then SIGKILL after `ms`; true when it stopped on SIGTERM with exit 0. */
  async stop (ms = 15_000): Promise<boolean> {
    if (!this.exited) this.p.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms) })
    const r = await Promise.race([this.exit, late])
    clearTimeout(timer)
    if (r === 'late') { this.p.kill('SIGKILL'); await this.exit }
    await new Promise<void>((resolve) => { if (this.out.writableEnded) resolve(); else this.out.end(resolve) })
    return r !== 'late' && r.code === 0
  }
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

async function post<T> (url: string, body: unknown, what: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
  } catch (e) { throw new Error(`${what}: cannot reach ${url}: ${(e as Error).message}`) }
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} from ${url}`)
  return await res.json() as T
}

async function rpc<T> (url: string, method: string, params: unknown[] = []): Promise<T> {
  const body = await post<{ result?: T, error?: { message: string } }>(url, { jsonrpc: '2.0', id: 1, method, params }, method)
  if (body.error !== undefined) throw new Error(`${method} at ${url}: ${body.error.message}`)
  return body.result as T
}

async function poll<T> (what: string, fn: () => Promise<T | undefined>, ms: number, why: () => Promise<string> = async () => ''): Promise<T> {
  const deadline = Date.now() + ms
  let last = ''
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal === true) throw e
      last = (e as Error).message
    }
    if (Date.now() > deadline) {
      const more = [last, await why()].filter((s) => s !== '').join('; ')
      throw new Error(`timed out after ${ms / 1000} s waiting until ${what}${more === '' ? '' : ` (${more})`}`)
    }
    await sleep(300)
  }
}

const fatal = (message: string): Error => Object.assign(new Error(message), { fatal: true })

interface StandInInfo { url: string, chainId: string, token: string, v0Router: string, kycRouter: string, feePayer: string, permissionId: number, payerKeys: string, payerAddresses: string[] }
interface CommitOut { epoch: number, root: string, txHash: string, blockNumber: number, entries: number, totalUsd6: string, rollover: Record<string, string> }
interface BatchView { id: string, epoch: number, state: string, reason?: string, transactions: Array<{ kind: string, state: string, to?: string, amount?: string, txid?: string, blockNumber?: number, reason?: string }> }

/** The demo epoch's holders: two node workers (paid through PayoutRouterKYC) and three end users (PayoutRouterV0). */
export function demoHolders (epoch: number): Holder[] {
  const people: Array<[string, Holder['role'], bigint]> = [
    ['node operator Ada', 'node-worker', 1_200n], ['node operator Grace', 'node-worker', 800n],
    ['end user Alice', 'end-user', 500n], ['end user Bob', 'end-user', 300n], ['end user Carol', 'end-user', 200n]
  ]
  return people.map(([who, role, lucid]) => ({ address: ethers.id(`lucid demo epoch ${epoch}: ${who}`).slice(0, 42), role, balance: lucid * 10n ** 18n }))
}

export async function payoutDemo (o: PayoutDemoOptions): Promise<PayoutDemoResult> {
  const { say } = o
  const epoch = o.epoch ?? 1
  const dir = join(o.dir, 'payout')
  mkdirSync(dir, { recursive: true })
  for (const bin of [PAYOUT_BIN, STAND_IN_BIN]) if (!existsSync(bin)) throw new Error(`payout demo: ${bin} is missing (the payment-sidecar/ workspace of this repository)`)
  const committer = o.devnet.nodes[0]
  const follower = o.devnet.nodes[Math.min(2, o.devnet.nodes.length - 1)]
  if (committer?.rpc === undefined || follower?.rpc === undefined) throw new Error('payout demo: the devnet runs no chain (no JSON-RPC on its nodes)')
  const procs: Proc[] = []
  try {
    // the chain's contracts and disbursers (ParamRegistry.disbursers(): the routers' signers on TRON)
    const info = await rpc<{ contracts: Record<string, string> }>(committer.rpc, 'lucid_chainInfo')
    const batchesAddr = info.contracts.PayoutBatches
    const registryAddr = info.contracts.ParamRegistry
    if (batchesAddr === undefined || registryAddr === undefined) throw new Error(`payout demo: node ${committer.index}'s chain has no PayoutBatches/ParamRegistry in its genesis`)
    const registry = new ethers.Interface(loadArtifact('ParamRegistry').abi as ethers.InterfaceAbi)
    const [disbursers] = registry.decodeFunctionResult('disbursers', await rpc<string>(committer.rpc, 'eth_call', [{ to: registryAddr, data: registry.encodeFunctionData('disbursers') }, 'latest'])) as unknown as [string[]]
    const compliance = new ethers.Wallet(DEV_COMPLIANCE_KEY)

    // 1. the TRON stand-in
    const payerKeys = join(dir, 'fee-payer-keys.txt')
    const tron = new Proc('lucid-tron-stand-in', join(dir, 'tron-stand-in.log'), STAND_IN_BIN,
      ['--block-ms', String(o.tronBlockMs ?? 200), '--payer-keys', payerKeys, '--signers', [...disbursers].join(','), '--compliance', compliance.address])
    procs.push(tron)
    const t = await tron.until('its URL', () => {
      const line = tron.stdout.split('\n').find((l) => l.startsWith('{'))
      return line === undefined ? undefined : JSON.parse(line) as StandInInfo
    }, 90_000)
    say('tron', `a local TRON stand-in on ${t.url} (chain id ${t.chainId}, a block every ${o.tronBlockMs ?? 200} ms) in place of Shasta: USDT stand-in ${t.token} (TRC-20, 6 decimals), PayoutRouterV0 ${t.v0Router}, PayoutRouterKYC ${t.kycRouter} (signers = the chain's 3 disbursers), fee payer ${t.feePayer} (2-of-3)`)

    // 2. the epoch's entitlements and the commit through node 1
    const holders = demoHolders(epoch)
    const distributable = 1_000n * USD
    const kycRouter = '0x' + ethers.toBeHex(ethers.decodeBase58(t.kycRouter), 25).slice(4, 44)
    const kycDomain = routerDomain('kyc', BigInt(t.chainId), kycRouter)
    const expiry = Math.floor(Date.now() / 1000) + 30 * 86_400
    const kyc: Record<string, unknown> = {}
    for (const h of holders.filter((x) => x.role === 'node-worker')) {
      const kycHash = ethers.id(`lucid demo KYC record of ${h.address}`)
      kyc[h.address] = { kycHash, expiry, signature: await compliance.signTypedData(kycDomain, KYC_TYPES, { to: h.address, kycHash, expiry }) }
    }
    const file = join(dir, `entitlements-epoch-${epoch}.json`)
    writeFileSync(file, JSON.stringify({ epoch, distributableUsd6: distributable.toString(), holders: holders.map((h) => ({ address: h.address, balance: h.balance.toString(), role: h.role })), kyc }, null, 2) + '\n')
    const workers = holders.filter((h) => h.role === 'node-worker').length
    say('entitled', `epoch ${epoch}: ${usdt(distributable)} USD shared by LUCID balance among ${holders.length} holders (${workers} node workers with the dev compliance signer's KYC attestation, ${holders.length - workers} end users): ${file}`)
    const commit = new Proc('lucid payout commit', join(dir, 'payout-commit.log'), LUCID_BIN,
      ['payout', 'commit', file, '--rpc', committer.rpc, '--tron-chain-id', t.chainId, '--v0-router', t.v0Router, '--kyc-router', t.kycRouter, '--compliance', compliance.address, '--dev', '--json'])
    const out = JSON.parse((await commit.done(120_000)).trim().split('\n').pop()!) as CommitOut
    const expected = buildPayoutBatch({ epoch, distributableUsd: distributable, holders, carried: new Map(), networkFeeUsd: 0n }, DEFAULT_PAYOUT_PARAMS)
    if (!expected.ok) throw new Error(`payout demo: the epoch's batch cannot be built: ${expected.reason}`)
    if (out.root !== ethers.hexlify(expected.value.root)) throw new Error(`payout demo: lucid payout commit built root ${out.root}, the entitlements give ${ethers.hexlify(expected.value.root)} (log: ${commit.log})`)
    say('committed', `epoch ${epoch}'s batch (${out.entries} payouts, ${usdt(BigInt(out.totalUsd6))} USDT, root ${out.root.slice(0, 18)}…) signed by 2 of the 3 dev disbursers and committed to PayoutBatches in block #${out.blockNumber} through node ${committer.index}'s JSON-RPC`)

    // 3. the sidecar: its own config, data directory and encrypted keystore
    const data = join(dir, 'sidecar')
    const passphraseFile = join(dir, 'sidecar-passphrase')
    writeFileSync(passphraseFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 })
    const config = join(dir, 'lucid-payout.json')
    writeFileSync(config, JSON.stringify({
      mode: 'sandbox',
      dataDir: data,
      chain: { rpcUrl: follower.rpc, batchContract: batchesAddr.toLowerCase(), registry: registryAddr.toLowerCase(), finality: 'finalized', fromBlock: out.blockNumber, pollMs: 500 },
      tron: { fullNode: t.url, v0Router: t.v0Router, kycRouter: t.kycRouter, token: t.token, feePayer: t.feePayer, permissionId: t.permissionId },
      api: { host: '127.0.0.1', port: 0 },
      keystore: { passphraseFile }
    }, null, 2) + '\n')
    const keys = new Proc('lucid-payout keys init', join(dir, 'lucid-payout.log'), PAYOUT_BIN, ['keys', 'init', '--import', payerKeys, '--config', config])
    let imported: { addresses: string[] }
    try { imported = JSON.parse(await keys.done(60_000)) as { addresses: string[] } } finally { rmSync(payerKeys, { force: true }) }
    if (imported.addresses.join() !== t.payerAddresses.join()) throw new Error(`payout demo: the sidecar's keystore holds ${imported.addresses.join(', ')}, not the fee payer's keys ${t.payerAddresses.join(', ')} (log: ${keys.log})`)
    const sidecar = new Proc('lucid-payout start', join(dir, 'lucid-payout.log'), PAYOUT_BIN, ['start', '--config', config])
    procs.push(sidecar)
    const apiUrl = await sidecar.until('its API URL', () => /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(sidecar.stderr)?.[1], 60_000)
    const token = readFileSync(join(data, 'api-token'), 'utf8').trim()
    say('sidecar', `lucid-payout in sandbox mode (TRON ${t.url}, API ${apiUrl}) follows node ${follower.index}'s JSON-RPC up to its finalized block; data and encrypted keystore in ${data}`)
    const api = async <T>(path: string): Promise<{ status: number, body: T }> => {
      const res = await fetch(apiUrl + path, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
      return { status: res.status, body: await res.json() as T }
    }
    const health = async (): Promise<string> => {
      try {
        const h = await api<{ lastError?: string }>('/health')
        return h.body.lastError === undefined ? `sidecar's last line: ${sidecar.lastError()}` : `the sidecar reports: ${h.body.lastError}`
      } catch { return `sidecar's last line: ${sidecar.lastError()}` }
    }

    const final = await poll('the batch\'s block is final', async () => {
      const r = await rpc<{ finalized: string, batches: Array<{ root: string, blockNumber: string, final: boolean }> }>(follower.rpc!, 'lucid_payoutBatches', [epoch])
      const b = r.batches.find((x) => x.root === out.root)
      return b?.final === true ? Number(r.finalized) : undefined
    }, 120_000, async () => {
      const f = await rpc<{ head: { number: string }, finalized: { number: string } }>(follower.rpc!, 'lucid_finality').catch(() => undefined)
      const where = f === undefined ? `node ${follower.index} does not answer lucid_finality` : `node ${follower.index}: head #${Number(f.head.number)}, finalized #${Number(f.finalized.number)}`
      return follower.log === undefined ? where : `${where}; its log: ${follower.log}`
    })
    say('final', `block #${out.blockNumber} is final (node ${follower.index} finalized #${final} by the nodes' votes): the sidecar may pay it`)

    const view = await poll(`the sidecar has paid the batch and TRON confirmed every payout (log: ${sidecar.log})`, async () => {
      if (sidecar.exited) throw fatal(`lucid-payout exited: ${sidecar.lastError()} (log: ${sidecar.log})`)
      const r = await api<BatchView>(`/batches/${out.root}`)
      if (r.status === 404) return undefined
      const v = r.body
      if (v.state === 'refused' || v.state === 'stalled') throw fatal(`the sidecar ${v.state} epoch ${epoch}'s batch: ${v.reason ?? '?'} (log: ${sidecar.log})`)
      return v.state === 'paid' ? v : undefined
    }, 180_000, health)
    const pays = view.transactions.filter((x) => x.kind === 'pay')
    const approvals = view.transactions.filter((x) => x.kind === 'approve')
    say('paid', `the sidecar verified the batch (root, 2-of-3 approvals, KYC, caps), sent ${approvals.length} approveBatch and ${pays.length} disburse transactions; all confirmed 20 blocks deep`)

    // every recipient's balance, read from TRON (balanceOf through the stand-in's HTTP API)
    const tokenIface = new ethers.Interface(['function balanceOf(address) view returns (uint256)'])
    const balanceOf = async (evm: string): Promise<bigint> => {
      const r = await post<{ constant_result?: string[], result?: { result?: boolean, message?: string } }>(`${t.url}/wallet/triggerconstantcontract`,
        { owner_address: t.feePayer, contract_address: t.token, function_selector: 'balanceOf(address)', parameter: tokenIface.encodeFunctionData('balanceOf', [evm]).slice(10), visible: true }, 'balanceOf')
      if (r.result?.result !== true || r.constant_result?.[0] === undefined) throw new Error(`balanceOf(${evm}) on the TRON stand-in: ${JSON.stringify(r).slice(0, 200)}`)
      return BigInt('0x' + r.constant_result[0])
    }
    const total = holders.reduce((s, h) => s + h.balance, 0n)
    const recipients: PayoutDemoResult['recipients'] = []
    const entries = new Map<string, PayoutEntry>(expected.value.entries.map((e) => [e.address, e]))
    for (const h of [...holders].sort((a, b) => (a.address < b.address ? -1 : 1))) {
      const e = entries.get(h.address)
      const entitled = e?.netUsd ?? 0n
      const share = distributable * h.balance / total
      if (e !== undefined && entitled !== share && entitled !== share + 1n) throw new Error(`payout demo: ${h.address} is entitled to ${entitled}, not its pro-rata share ${share}`)
      const balance = await balanceOf(h.address)
      const tronAddr = tronAddressOf(h.address)
      recipients.push({ address: h.address, tron: tronAddr, role: h.role, entitledUsd6: entitled, balanceUsd6: balance })
      const tx = pays.find((x) => e !== undefined && x.to !== undefined && x.to.toLowerCase().endsWith(h.address.slice(2)))
      say('', `${tronAddr}  ${usdt(balance).padStart(11)} USDT  for ${(h.balance / 10n ** 18n).toString().padStart(5)} of ${total / 10n ** 18n} LUCID  ${h.role === 'node-worker' ? 'node worker, PayoutRouterKYC' : 'end user, PayoutRouterV0'}${tx?.txid === undefined ? '' : `  tx ${tx.txid.slice(0, 16)}…`}${balance === entitled ? '' : `  ENTITLED TO ${usdt(entitled)}`}`)
    }
    const wrong = recipients.filter((r) => r.balanceUsd6 !== r.entitledUsd6)
    if (wrong.length > 0) throw new Error(`payout demo: ${wrong.length} balance(s) differ from the entitlement: ${wrong.map((r) => `${r.tron} has ${usdt(r.balanceUsd6)}, entitled to ${usdt(r.entitledUsd6)}`).join('; ')}`)
    const paid = recipients.reduce((s, r) => s + r.balanceUsd6, 0n)
    say('balances', `every balance equals its entitlement to the unit (1e-6 USDT): ${usdt(paid)} USDT paid of ${usdt(distributable)} distributable, ${usdt(distributable - paid)} rolled over`)
    return { epoch, root: out.root, blockNumber: out.blockNumber, recipients, dir }
  } finally {
    const clean: string[] = []
    for (const p of procs.reverse()) if (await p.stop()) clean.push(p.name)
    if (procs.length > 0) {
      const unclean = procs.filter((p) => !clean.includes(p.name)).map((p) => p.name)
      say('', `${clean.join(' and ')} stopped cleanly (SIGTERM)${unclean.length === 0 ? '' : `; ${unclean.join(' and ')} did not (see ${dir})`}`)
    }
  }
}
