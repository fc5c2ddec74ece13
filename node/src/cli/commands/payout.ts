/**
 * `lucid payout commit` builds an epoch's payout batch from its entitlements file (protocols/poot's
 * buildPayoutBatch), has the disbursers approve it for the TRON routers (EIP-712 PayoutBatch per route) and for the
 * Lucid chain (PayoutBatchCommit), encodes it as the payout sidecar decodes it (protocols/poot/payout-commitment.ts)
 * and commits it to the genesis PayoutBatches contract over JSON-RPC, in parts when it is larger than one
 * transaction carries (payout-commit-send.ts). `lucid payout batches` lists what is committed;
 * `lucid payout income` (payout-income.ts) declares an epoch's income, which the chain shares out into entitlements.
 * Keys (disburser-keys.ts): encrypted JSON keystores (--key-file, passphrase from LUCID_DISBURSER_PASSPHRASE or the
 * terminal), or on a dev chain the well-known dev disburser keys (--dev). Never a key on the command line.
 */
import { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { ethers } from 'ethers'
import { buildPayoutBatch, DEFAULT_PAYOUT_PARAMS, type PayoutBatch } from '../../../../protocols/poot/payouts.js'
import { readChainEntitlements } from './payout-from-chain.js'
import {
  BATCH_TYPES, KYC_TYPES, ascendingSigners, commitDomain, routeTree, routerDomain, splitBatchPayload,
  type CommittedEntry, type RouterApproval
} from '../../../../protocols/poot/payout-commitment.js'
import { loadArtifact } from '../../../../contracts/index.js'
import { payoutBatchesInterface } from '../../chain/payout-system.js'
import { parseEntitlements, parseKycAttestations, type Entitlements, type KycAttestationInput } from './payout-entitlements.js'
import { collect, evmAddress, fail, nonNegativeInt, rpcUrl } from './payout-flags.js'
import { checkKeyFlags, disburserKeys } from './disburser-keys.js'
import { pendingParts, sendBatch } from './payout-commit-send.js'
import { chainContracts, connectChain } from './payout-rpc.js'
import { incomeCommand } from './payout-income.js'

/**
 * The largest payload one transaction carries (default of --max-tx-bytes): its gas (calldata, the event's data,
 * memory) grows with the payload's bytes, and a 1.66 MB commit (3,817 entries, half with attestations) uses the
 * whole 30M block (bench/chain/payout-commit.bench.ts); under the mempool's 2 MiB per transaction. A larger batch
 * is committed in parts of at most this many bytes.
 */
export const MAX_PAYLOAD_BYTES = 1_600_000
/** The least --max-tx-bytes: room for the head's approvals and a few entries. */
const MIN_TX_BYTES = 4_096
const DEFAULT_VALID_FOR_S = 7 * 24 * 3600

export interface PayoutCommitFlags {
  rpc: string
  tronChainId: string
  v0Router?: string
  kycRouter?: string
  compliance?: string
  keyFile?: string[]
  dev?: boolean
  validFor: string
  contract?: string
  registry?: string
  dryRun?: boolean
  json?: boolean
  /** commit the entitlements the chain's system write recorded for this epoch instead of an entitlements file */
  fromChain?: string
  /** with --from-chain: the node workers' KYC attestations, { address: { kycHash, expiry, signature } } */
  kyc?: string
  /** the most payload bytes one transaction carries (default MAX_PAYLOAD_BYTES); a larger batch goes in parts */
  maxTxBytes?: string
}

export interface PayoutCommitResult {
  epoch: number
  root: string
  contract: string
  sender: string
  entries: number
  totalUsd6: string
  deadline: number
  routes: Record<string, { root: string, total: string, entries: number }>
  rollover: Record<string, string>
  payloadBytes: number
  /** 1: committed whole; more: committed in that many parts after the head */
  parts: number
  /** a commit in parts that an earlier run started, completed */
  resumed?: boolean
  dryRun: boolean
  txHash?: string
  blockNumber?: number
  gasUsed?: string
}

/** A TRON contract address: base58check `T…`, `41` + 40 hex, or the 20-byte 0x form; returns 0x + 40 hex. */
export function tronAddress (flag: string, value: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return ethers.getAddress(value)
  if (/^41[0-9a-fA-F]{40}$/.test(value)) return ethers.getAddress('0x' + value.slice(2))
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(value)) fail(`${flag}: not a TRON address (T… base58, 41… hex or 0x…): ${value}`)
  const bytes = ethers.getBytes(ethers.toBeHex(ethers.decodeBase58(value), 25))
  const check = ethers.getBytes(ethers.sha256(ethers.sha256(bytes.slice(0, 21)))).slice(0, 4)
  if (bytes[0] !== 0x41 || !check.every((b, i) => b === bytes[21 + i])) fail(`${flag}: bad base58check TRON address: ${value}`)
  return ethers.getAddress(ethers.hexlify(bytes.slice(1, 21)))
}

function positiveInt (flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^0x[0-9a-fA-F]+$/.test(value) ? Number(BigInt(value)) : /^[0-9]+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 1 || n > max) fail(`${flag}: expected a positive integer up to ${max}, got ${value}`)
  return n
}

/** Reads and checks the entitlements file; errors name the file and the field. */
export function readEntitlements (path: string): Entitlements {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) { return fail(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1) }
  let raw: unknown
  try { raw = JSON.parse(text) } catch (e) { return fail(`${path}: not JSON: ${(e as Error).message}`, 1) }
  try { return parseEntitlements(raw) } catch (e) { return fail(`${path}: ${(e as Error).message}`, 1) }
}

/** Reads the --kyc file of --from-chain: the entitlements file's `kyc` object on its own. */
function readKycFile (path: string): Map<string, KycAttestationInput> {
  let raw: unknown
  try { raw = JSON.parse(readFileSync(path, 'utf8')) } catch (e) { return fail(`--kyc ${path}: ${(e as NodeJS.ErrnoException).code !== undefined ? `cannot read: ${(e as NodeJS.ErrnoException).code}` : `not JSON: ${(e as Error).message}`}`, 1) }
  try { return parseKycAttestations(raw) } catch (e) { return fail(`--kyc ${path}: ${(e as Error).message}`, 1) }
}

export async function runPayoutCommit (file: string | undefined, flags: PayoutCommitFlags, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<PayoutCommitResult> {
  // 1. everything local first: flags, the file, the keys
  const url = rpcUrl(flags.rpc)
  const tronChainId = positiveInt('--tron-chain-id', flags.tronChainId)
  const validFor = positiveInt('--valid-for', flags.validFor, 366 * 24 * 3600)
  const maxTxBytes = flags.maxTxBytes === undefined ? MAX_PAYLOAD_BYTES : positiveInt('--max-tx-bytes', flags.maxTxBytes, MAX_PAYLOAD_BYTES)
  if (maxTxBytes < MIN_TX_BYTES) fail(`--max-tx-bytes: at least ${MIN_TX_BYTES}, got ${maxTxBytes}`)
  const routers = {
    v0: flags.v0Router === undefined ? undefined : tronAddress('--v0-router', flags.v0Router),
    kyc: flags.kycRouter === undefined ? undefined : tronAddress('--kyc-router', flags.kycRouter)
  }
  const compliance = flags.compliance === undefined ? undefined : evmAddress('--compliance', flags.compliance)
  const contractFlag = flags.contract === undefined ? undefined : evmAddress('--contract', flags.contract)
  const registryFlag = flags.registry === undefined ? undefined : evmAddress('--registry', flags.registry)
  checkKeyFlags(flags, 'the batch')
  // the batch's source: the entitlements file, or the chain's own entitlements of --from-chain's epoch
  if (flags.fromChain !== undefined && file !== undefined) fail('--from-chain and an entitlements file exclude each other')
  if (flags.fromChain === undefined && file === undefined) fail('pass the epoch\'s entitlements file, or --from-chain <epoch>')
  if (flags.kyc !== undefined && flags.fromChain === undefined) fail('--kyc goes with --from-chain (an entitlements file carries its own kyc)')
  const fromChain = flags.fromChain === undefined ? undefined : nonNegativeInt('--from-chain', flags.fromChain)
  const ent: Pick<Entitlements, 'epoch' | 'kyc'> & Partial<Entitlements> = fromChain !== undefined
    ? { epoch: fromChain, kyc: flags.kyc === undefined ? new Map() : readKycFile(flags.kyc) }
    : readEntitlements(file as string)
  const source = fromChain !== undefined ? (flags.kyc ?? '--kyc') : file as string
  const keys = await disburserKeys(flags, env, 'the batch')

  // 2. the chain: its contracts, disbursers and payout minimum
  const { chainId, provider } = await connectChain(url)
  try {
    const contracts = contractFlag === undefined || registryFlag === undefined ? await chainContracts(provider, url, '--contract and --registry') : {}
    const batchesAddress = contractFlag ?? contracts.PayoutBatches
    const registryAddress = registryFlag ?? contracts.ParamRegistry
    if (batchesAddress === undefined) fail(`the chain at ${url} has no PayoutBatches in its genesis: pass --contract`, 1)
    if (registryAddress === undefined) fail(`the chain at ${url} has no ParamRegistry in its genesis: pass --registry`, 1)
    if (await provider.getCode(batchesAddress) === '0x') fail(`no contract at ${batchesAddress} (PayoutBatches)`, 1)
    const batchesIface = payoutBatchesInterface()
    const registry = new ethers.Contract(registryAddress, loadArtifact('ParamRegistry').abi as ethers.InterfaceAbi, provider)
    const batches = new ethers.Contract(batchesAddress, batchesIface, provider)
    const disbursers = new Set(([...await registry.disbursers()] as string[]).map((a) => a.toLowerCase()))
    for (const k of keys) {
      if (!disbursers.has(k.address.toLowerCase())) {
        fail(flags.dev === true
          ? `--dev: the dev disburser ${k.address} is not a disburser of this chain's ParamRegistry (not a dev chain?)`
          : `--key-file: ${k.address} is not a disburser of ParamRegistry ${registryAddress}`, 1)
      }
    }
    // an epoch committed in parts whose parts are not all published yet is completed (payout-commit-send.ts)
    const committed = await batches.isCommitted(ent.epoch) as boolean
    const resume = committed ? await pendingParts(batches, ent.epoch) : null
    if (committed && (resume === null || resume.published.size === resume.hashes.length)) {
      const [root, , block] = await batches.commitmentOf(ent.epoch) as [string, string, bigint]
      fail(`epoch ${ent.epoch} is already committed (root ${root}, block ${block}${resume === null ? '' : `, all ${resume.hashes.length} parts published`}): one batch per epoch`, 1)
    }
    const minPayoutUsd = await registry.get(ethers.encodeBytes32String('payout.minimumUsd6')) as bigint

    // 3. the batch: built from the file, or the chain's entries (their root checked against entitlementsOf)
    let batch: PayoutBatch
    if (fromChain !== undefined) {
      batch = await readChainEntitlements(provider, batches, fromChain, (m) => fail(m, 1))
    } else {
      const built = buildPayoutBatch({ epoch: ent.epoch, distributableUsd: ent.distributableUsd as bigint, holders: ent.holders as Entitlements['holders'], carried: ent.carried as Map<string, bigint>, networkFeeUsd: ent.networkFeeUsd as bigint }, { ...DEFAULT_PAYOUT_PARAMS, minPayoutUsd })
      if (!built.ok) return fail(`${file as string}: the batch cannot be built: ${built.reason}`, 1)
      batch = built.value
    }
    const rollover = Object.fromEntries([...batch.rollover].map(([a, v]) => [a, v.toString()]))
    if (batch.entries.length === 0) fail(`epoch ${ent.epoch}: nothing to pay, every entitlement is under the $${Number(minPayoutUsd) / 1e6} minimum and rolls over (${batch.rollover.size} holders)`, 1)
    const root = ethers.hexlify(batch.root)
    const nowS = Math.floor(Date.now() / 1000)
    const deadline = BigInt(nowS + validFor)
    const entries: CommittedEntry[] = batch.entries.map((e) => {
      if (e.route !== 'kyc') return { ...e }
      const att = ent.kyc.get(e.address)
      if (att === undefined) return fail(`${source}: kyc.${e.address}: missing: node worker ${e.address} is paid through PayoutRouterKYC and needs the compliance signer's attestation`, 1)
      if (att.expiry <= BigInt(nowS)) fail(`${source}: kyc.${e.address}.expiry: the attestation expired at ${att.expiry}`, 1)
      return { ...e, kyc: att }
    })
    const approvals: RouterApproval[] = []
    const routes: PayoutCommitResult['routes'] = {}
    const signers = ascendingSigners(keys)
    for (const route of ['v0', 'kyc'] as const) {
      const t = routeTree({ id: root, epoch: ent.epoch, entries }, route)
      if (t.entries.length === 0) continue
      const router = routers[route]
      if (router === undefined) return fail(`the batch pays ${t.entries.length} ${route === 'kyc' ? 'node worker(s) through PayoutRouterKYC: pass --kyc-router' : 'end user(s) through PayoutRouterV0: pass --v0-router'}`)
      const domain = routerDomain(route, tronChainId, router)
      if (route === 'kyc' && compliance !== undefined) {
        for (const e of t.entries) {
          const who = ethers.verifyTypedData(domain, KYC_TYPES, { to: e.address, kycHash: e.kyc!.kycHash, expiry: e.kyc!.expiry }, e.kyc!.signature)
          if (who !== compliance) fail(`${source}: kyc.${e.address}: signed by ${who}, not by the compliance signer ${compliance} (or for another router or TRON chain)`, 1)
        }
      }
      const value = { root: t.tree.root, total: t.total, deadline }
      const signatures = await Promise.all(signers.map(async (s) => await s.signTypedData(domain, BATCH_TYPES, value)))
      approvals.push({ route, root: t.tree.root, total: t.total, deadline, signatures })
      routes[route] = { root: t.tree.root, total: t.total.toString(), entries: t.entries.length }
    }
    let split
    try { split = splitBatchPayload(entries, approvals, maxTxBytes) } catch (e) { return fail(`the batch cannot be split into transactions of --max-tx-bytes ${maxTxBytes}: ${(e as Error).message}`, 1) }
    const pieces = 'whole' in split ? [split.whole] : [split.head, ...split.parts]

    // 4. the commit: 2-of-3 over (epoch, root, batch hash) in PayoutBatches' domain, sent by the first disburser
    const sender = keys[0].connect(provider)
    const result: PayoutCommitResult = {
      epoch: ent.epoch,
      root,
      contract: batchesAddress,
      sender: sender.address,
      entries: entries.length,
      totalUsd6: entries.reduce((s, e) => s + e.netUsd, 0n).toString(),
      deadline: Number(deadline),
      routes,
      rollover,
      payloadBytes: pieces.reduce((n, p) => n + ethers.dataLength(p), 0),
      parts: 'whole' in split ? 1 : split.parts.length,
      dryRun: flags.dryRun === true
    }
    const sent = await sendBatch(batches.connect(sender) as ethers.Contract, batchesIface, { epoch: ent.epoch, root, split, signers, domain: commitDomain(chainId, batchesAddress), resume, dryRun: flags.dryRun === true }, log)
    if (sent === null) return result
    return { ...result, txHash: sent.txHash, blockNumber: sent.blockNumber, gasUsed: sent.gasUsed, ...(sent.resumed ? { resumed: true } : {}) }
  } finally {
    provider.destroy()
  }
}

export async function runPayoutBatches (flags: { rpc: string, json?: boolean }, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const url = rpcUrl(flags.rpc)
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'lucid_payoutBatches', params: [] }) })
  } catch (e) { return fail(`--rpc: cannot reach ${url}: ${(e as Error).message}`, 1) }
  const body = await res.json() as { result?: { contract: string, finalized: string, batches: Array<{ epoch: number, root: string, blockNumber: string, transactionHash: string | null, final: boolean, parts?: { count: number, published: number } }> }, error?: { message: string } }
  if (body.error !== undefined || body.result === undefined) return fail(`lucid_payoutBatches: ${body.error?.message ?? 'no result'}`, 1)
  if (flags.json === true) { out(JSON.stringify(body.result) + '\n'); return }
  const r = body.result
  out(`PayoutBatches ${r.contract}, finalized block ${Number(r.finalized)}\n`)
  if (r.batches.length === 0) out('no batch committed\n')
  for (const b of r.batches) {
    const parts = b.parts === undefined ? '' : `  in ${b.parts.count} parts, ${b.parts.published} published`
    out(`epoch ${b.epoch}  root ${b.root}  block ${Number(b.blockNumber)}  tx ${b.transactionHash ?? '?'}  ${b.final ? 'final' : 'not final yet'}${parts}\n`)
  }
}

export function payoutCommand (): Command {
  const cmd = new Command('payout').description('payouts on the Lucid chain: declare an epoch\'s income, commit its batch, list the committed ones')
  cmd.addCommand(incomeCommand())
  cmd.command('commit')
    .description('build an epoch\'s payout batch from its entitlements file, have the disbursers approve it, and commit it to PayoutBatches')
    .argument('[entitlements]', 'the epoch\'s entitlements JSON file (epoch, distributableUsd6, holders, carried, kyc); or --from-chain')
    .option('--from-chain <epoch>', 'commit the entitlements the chain computed and recorded for this epoch (lucid_payoutEntitlements)')
    .option('--kyc <file>', 'with --from-chain: the node workers\' KYC attestations, { address: { kycHash, expiry, signature } }')
    .requiredOption('--rpc <url>', 'the Lucid chain\'s JSON-RPC (http or https)')
    .requiredOption('--tron-chain-id <n>', 'the chain id the routers see on TRON (block.chainid; decimal or 0x hex)')
    .option('--v0-router <address>', 'PayoutRouterV0 on TRON (T… base58 or hex); needed when the batch pays end users')
    .option('--kyc-router <address>', 'PayoutRouterKYC on TRON; needed when the batch pays node workers')
    .option('--compliance <address>', 'check every KYC attestation is signed by this compliance signer')
    .option('--key-file <file>', 'a disburser\'s encrypted JSON key file; give 2 or 3 (passphrase: LUCID_DISBURSER_PASSPHRASE or asked)', collect)
    .option('--dev', 'sign with the well-known dev disburser keys (dev chains only)')
    .option('--valid-for <seconds>', 'how long the TRON approvals stay valid (their deadline)', String(DEFAULT_VALID_FOR_S))
    .option('--contract <address>', 'PayoutBatches (default: from lucid_chainInfo)')
    .option('--registry <address>', 'ParamRegistry (default: from lucid_chainInfo)')
    .option('--max-tx-bytes <n>', `the most batch bytes one transaction carries; a larger batch is committed in parts (default ${MAX_PAYLOAD_BYTES})`)
    .option('--dry-run', 'build, sign and check the commit with eth_call, but send nothing')
    .option('--json', 'print the result as one JSON line')
    .addHelpText('after', '\nKeys never come from a flag value. The sender is the first disburser key; it pays the gas.')
    .action(async (file: string | undefined, flags: PayoutCommitFlags) => {
      const r = await runPayoutCommit(file, flags)
      if (flags.json === true) { process.stdout.write(JSON.stringify(r) + '\n'); return }
      process.stdout.write(`epoch ${r.epoch}: ${r.entries} payouts, ${Number(BigInt(r.totalUsd6)) / 1e6} USD, root ${r.root}\n`)
      for (const [route, x] of Object.entries(r.routes)) process.stdout.write(`  ${route}: ${x.entries} entries, ${Number(BigInt(x.total)) / 1e6} USD, router root ${x.root}\n`)
      if (Object.keys(r.rollover).length > 0) process.stdout.write(`  rolled over to the next epoch: ${Object.keys(r.rollover).length} holders (see --json)\n`)
      const parts = r.parts > 1 ? ` in ${r.parts} parts` : ''
      process.stdout.write(r.dryRun ? `dry run: PayoutBatches ${r.contract} would accept it${parts} (${r.payloadBytes} bytes); nothing sent\n` : `committed${parts}${r.resumed === true ? ' (resumed)' : ''} in block ${r.blockNumber}, tx ${r.txHash} (${r.gasUsed} gas)\n`)
    })
  cmd.command('batches')
    .description('list the payout batches committed on the chain (lucid_payoutBatches)')
    .requiredOption('--rpc <url>', 'the Lucid chain\'s JSON-RPC')
    .option('--json', 'print the JSON-RPC answer')
    .action(async (flags: { rpc: string, json?: boolean }) => { await runPayoutBatches(flags) })
  return cmd
}
