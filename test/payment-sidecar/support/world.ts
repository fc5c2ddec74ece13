// A whole payout world for tests and benches: the On-System chain (EDR) with the registry and the commitment
// contract, a TRON stand-in with the real routers and a USDT-like token (6 decimals, transfer returns false), a
// fee-payer account whose active permission is 2-of-3, and helpers that build, sign and commit batches.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { buildPayoutBatch, DEFAULT_PAYOUT_PARAMS, type Holder } from '../../../protocols/poot/payouts.js'
import { encodeBatchPayload } from '../../../payment-sidecar/src/batch/codec.js'
import { BATCH_TYPES, KYC_TYPES, routeTree } from '../../../payment-sidecar/src/batch/leaves.js'
import type { CommittedEntry, RouterApproval } from '../../../payment-sidecar/src/batch/types.js'
import { DEFAULT_CONTRACTS_DIR, parseConfig, type Config } from '../../../payment-sidecar/src/config.js'
import { fromEvmAddress, hexToBase58 } from '../../../payment-sidecar/src/tron/address.js'
import { openBatchChain, type BatchChain } from './batch-chain.js'
import { TronStandIn, type StandInOptions } from '../../../payment-sidecar/stand-in/server.js'
import { setUpPayouts, tokenBalance } from '../../../payment-sidecar/stand-in/setup.js'
import { ascendingSigners } from '../../../protocols/poot/payout-commitment.js'

export const USD = 1_000_000n
const wallet = (label: string): ethers.Wallet => new ethers.Wallet(ethers.id(`lucid payout test ${label}`))

export interface World {
  tron: TronStandIn
  lucid: BatchChain
  disbursers: ethers.Wallet[]
  compliance: ethers.Wallet
  payerKeys: ethers.Wallet[]
  feePayer41: string
  token41: string
  v0Router41: string
  kycRouter41: string
  domains: { v0: ethers.TypedDataDomain, kyc: ethers.TypedDataDomain }
  tokenBalance: (evmAddress: string) => Promise<bigint>
  close: () => Promise<void>
}

export async function openWorld (opts: StandInOptions & { maxPerTx?: bigint, dailyCap?: bigint, payerTrx?: number, disbursers?: ethers.Wallet[], lucid?: (disbursers: ethers.Wallet[]) => Promise<BatchChain> } = {}): Promise<World> {
  const disbursers = opts.disbursers ?? [wallet('disburser 0'), wallet('disburser 1'), wallet('disburser 2')]
  const compliance = wallet('compliance')
  const payerKeys = [wallet('payer key 0'), wallet('payer key 1'), wallet('payer key 2')]
  const to41 = (w: { address: string }): string => '41' + w.address.slice(2).toLowerCase()
  const tron = await TronStandIn.start({ blockMs: 50, ...opts })
  const c = tron.chain
  // the fee payer: owner key = payer key 0; active permission 2 = 2-of-3 over the three payer keys
  const tokenAbi = loadArtifact('FalseReturnToken').abi as ethers.InterfaceAbi
  const setup = await setUpPayouts(c, {
    contractsDir: DEFAULT_CONTRACTS_DIR,
    signers: disbursers.map((d) => d.address),
    compliance: compliance.address,
    feePayer41: to41(payerKeys[0]),
    activeKeys41: payerKeys.map(to41),
    feePayerTrx: opts.payerTrx ?? 10_000_000_000,
    deployer41: to41(wallet('tron deployer')),
    governance: wallet('tron governance').address,
    pauser: wallet('tron pauser').address,
    maxPerTxUsd6: opts.maxPerTx ?? 10_000n * USD,
    dailyCapUsd6: opts.dailyCap ?? 100_000n * USD
  })
  const { feePayer41, token41, v0Router41, kycRouter41 } = setup
  const domain = (name: string, r41: string): ethers.TypedDataDomain => ({ name, version: '1', chainId: c.chainId, verifyingContract: ethers.getAddress('0x' + r41.slice(2)) })
  const lucid = await (opts.lucid ?? openBatchChain)(disbursers)
  return {
    tron, lucid, disbursers, compliance, payerKeys, feePayer41, token41, v0Router41, kycRouter41,
    domains: { v0: domain('LucidPayoutRouterV0', v0Router41), kyc: domain('LucidPayoutRouterKYC', kycRouter41) },
    tokenBalance: async (evm) => await tokenBalance(c, setup, evm, tokenAbi),
    close: async () => { await tron.stop() }
  }
}

export interface BatchOptions {
  epoch: number
  holders: Holder[]
  distributableUsd: bigint
  /** which disbursers sign (indexes); default [0, 1] */
  signers?: number[]
  deadlineS?: bigint
  kycExpiryS?: bigint
  /** changes the batch after it is built and signed: what a tampered commitment looks like */
  tamper?: (b: { entries: CommittedEntry[], approvals: RouterApproval[], root: string }) => void
}

/** Builds an epoch's batch with protocols/poot, approves it as the disbursers and the compliance signer would. */
export async function makeBatch (w: World, o: BatchOptions): Promise<{ entries: CommittedEntry[], approvals: RouterApproval[], root: string, epoch: number }> {
  const built = buildPayoutBatch({ epoch: o.epoch, distributableUsd: o.distributableUsd, holders: o.holders, carried: new Map(), networkFeeUsd: 0n }, DEFAULT_PAYOUT_PARAMS)
  if (!built.ok) throw new Error(built.reason)
  const root = ethers.hexlify(built.value.root)
  const nowS = BigInt(Math.floor(w.tron.chain.head.timestamp / 1000))
  const kycExpiry = o.kycExpiryS ?? nowS + 86_400n
  const entries: CommittedEntry[] = await Promise.all(built.value.entries.map(async (e) => {
    if (e.route !== 'kyc') return { ...e }
    const kycHash = ethers.id(`kyc record of ${e.address}`)
    const signature = await w.compliance.signTypedData(w.domains.kyc, KYC_TYPES, { to: e.address, kycHash, expiry: kycExpiry })
    return { ...e, kyc: { kycHash, expiry: kycExpiry, signature } }
  }))
  const approvals: RouterApproval[] = []
  const signers = ascendingSigners((o.signers ?? [0, 1]).map((i) => w.disbursers[i]))
  for (const route of ['v0', 'kyc'] as const) {
    const { tree, total, entries: rs } = routeTree({ id: root, epoch: o.epoch, entries }, route)
    if (rs.length === 0) continue
    const deadline = o.deadlineS ?? nowS + 7n * 86_400n
    const value = { root: tree.root, total, deadline }
    const signatures = await Promise.all(signers.map(async (s) => await s.signTypedData(w.domains[route], BATCH_TYPES, value)))
    approvals.push({ route, root: tree.root, total, deadline, signatures })
  }
  const out = { entries, approvals, root, epoch: o.epoch }
  o.tamper?.(out)
  return out
}

export async function commitBatch (w: World, b: { entries: CommittedEntry[], approvals: RouterApproval[], root: string, epoch: number }): Promise<number> {
  return await w.lucid.commit(b.epoch, b.root, encodeBatchPayload(b.entries, b.approvals))
}

/** Holders with distinct random-looking addresses; entitlements follow from their balances. */
export function holders (n: number, seed: string, kycEvery = 3): Holder[] {
  return Array.from({ length: n }, (_, i) => ({
    address: ethers.id(`${seed} holder ${i}`).slice(0, 42),
    balance: BigInt(1 + ((i * 7919) % 97)) * 10n ** 18n,
    role: i % kycEvery === 0 ? 'node-worker' as const : 'end-user' as const
  }))
}

export interface ConfigOverrides { finality?: 'finalized' | number, dataDir?: string, mode?: string, confirmations?: number, fromBlock?: number, tron?: Record<string, unknown>, caps?: Record<string, unknown>, paused?: boolean, api?: Record<string, unknown>, keystore?: Record<string, unknown> }

export function sidecarConfig (w: World, over: ConfigOverrides = {}): Config {
  const raw = sidecarConfigJson(w, over)
  return parseConfig(raw, raw.dataDir as string)
}

/** The config file's JSON (for a sidecar started as a process). */
export function sidecarConfigJson (w: World, over: ConfigOverrides = {}): Record<string, unknown> {
  const dataDir = over.dataDir ?? mkdtempSync(join(tmpdir(), 'lucid-payout-'))
  return {
    mode: over.mode ?? 'sandbox',
    dataDir,
    paused: over.paused,
    chain: { rpcUrl: w.lucid.rpcUrl, batchContract: (w.lucid.batches.target as string).toLowerCase(), registry: w.lucid.registry, finality: over.finality ?? 0, pollMs: 20, fromBlock: over.fromBlock ?? 0 },
    tron: {
      fullNode: w.tron.url, v0Router: hexToBase58(w.v0Router41), kycRouter: hexToBase58(w.kycRouter41), token: hexToBase58(w.token41),
      feePayer: hexToBase58(w.feePayer41), permissionId: 2, confirmations: over.confirmations ?? 3, expirationMs: 60_000, expiryGraceMs: 0,
      timeoutMs: 2_000, retries: 1, backoffMs: 20, minTrxBufferSun: 1_000_000, ...over.tron
    },
    caps: over.caps,
    marginS: 60,
    concurrency: 8,
    ...(over.api === undefined ? {} : { api: over.api }),
    ...(over.keystore === undefined ? {} : { keystore: over.keystore })
  }
}

export { fromEvmAddress }
