// Deploying artifacts, signing EIP-712 approvals and matching custom errors in tests.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { loadArtifact, type ContractName } from '../../../contracts/index.js'
import { ascendingSigners } from '../../../protocols/poot/payout-commitment.js'

export async function deploy (name: ContractName, from: ethers.Signer, ...args: unknown[]): Promise<ethers.Contract> {
  const a = loadArtifact(name)
  const c = await new ethers.ContractFactory(a.abi as ethers.InterfaceAbi, a.bytecode, from).deploy(...args)
  await c.waitForDeployment()
  return c as ethers.Contract
}

/** A contract handle for another caller. */
export function as (c: ethers.Contract, who: ethers.Signer): ethers.Contract {
  return c.connect(who) as ethers.Contract
}

function revertData (e: unknown): string | undefined {
  const err = e as { data?: unknown, info?: { error?: { data?: unknown } }, error?: { data?: unknown } }
  for (const d of [err.data, err.info?.error?.data, err.error?.data]) {
    if (typeof d === 'string' && d.startsWith('0x')) return d
    if (typeof d === 'object' && d !== null && typeof (d as { data?: unknown }).data === 'string') return (d as { data: string }).data
  }
  return undefined
}

/** Asserts that `p` reverts with the custom error `name` of `c` (and the given arguments, when given). */
export async function rejectsWith (p: Promise<unknown>, c: ethers.BaseContract, name: string, args?: unknown[]): Promise<void> {
  let thrown: unknown
  try { await p } catch (e) { thrown = e }
  assert.ok(thrown !== undefined, `expected a revert with ${name}, but the call succeeded`)
  const data = revertData(thrown)
  assert.ok(data !== undefined, `expected a revert with ${name}, got: ${(thrown as Error).message}`)
  const parsed = c.interface.parseError(data)
  assert.equal(parsed?.name, name, `expected ${name}, got ${parsed?.name ?? data}`)
  if (args !== undefined) assert.deepEqual([...parsed!.args], args)
}

/** Sends a transaction and returns its receipt. */
export async function mined (p: Promise<ethers.ContractTransactionResponse>): Promise<ethers.ContractTransactionReceipt> {
  const r = await (await p).wait()
  assert.ok(r !== null)
  return r
}

/** The decoded events `name` of contract `c` in a receipt. */
export function eventsOf (r: ethers.ContractTransactionReceipt, c: ethers.BaseContract, name: string): ethers.Result[] {
  const out: ethers.Result[] = []
  for (const log of r.logs) {
    try {
      const parsed = c.interface.parseLog(log)
      if (parsed?.name === name) out.push(parsed.args)
    } catch {}
  }
  return out
}

export const PAYOUT_TYPES = {
  Payout: [
    { name: 'sessionId', type: 'bytes32' },
    { name: 'to', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' }
  ]
}
export const KYC_TYPES = {
  KycAttestation: [
    { name: 'to', type: 'address' },
    { name: 'kycHash', type: 'bytes32' },
    { name: 'expiry', type: 'uint256' }
  ]
}

export interface Payout { sessionId: string, to: string, amount: bigint, nonce: bigint, deadline: bigint }

export async function domainOf (router: ethers.Contract, name: string): Promise<ethers.TypedDataDomain> {
  const { chainId } = await router.runner!.provider!.getNetwork()
  return { name, version: '1', chainId, verifyingContract: await router.getAddress() }
}

/** Signatures of `signers` over a payout, ordered by ascending signer address as the routers require. */
export async function approve (domain: ethers.TypedDataDomain, p: Payout, signers: ethers.BaseWallet[]): Promise<string[]> {
  const sorted = ascendingSigners(signers)
  return await Promise.all(sorted.map(async (s) => await s.signTypedData(domain, PAYOUT_TYPES, p)))
}

export async function attest (domain: ethers.TypedDataDomain, signer: ethers.BaseWallet, to: string, kycHash: string, expiry: bigint): Promise<string> {
  return await signer.signTypedData(domain, KYC_TYPES, { to, kycHash, expiry })
}

/** Deterministic throwaway wallets (EIP-712 signers never need funds). */
export function wallets (n: number, seed: string): ethers.Wallet[] {
  return Array.from({ length: n }, (_, i) => new ethers.Wallet(ethers.id(`${seed}/${i}`)))
}

/** Deterministic wallets that also send transactions: connected to `provider`, each topped up by `funder` to 10 ETH. */
export async function fundedWallets (n: number, seed: string, provider: ethers.Provider, funder: ethers.Signer): Promise<ethers.Wallet[]> {
  const out = wallets(n, seed).map((w) => w.connect(provider))
  for (const w of out) {
    if (await provider.getBalance(w.address) < ethers.parseEther('1')) await (await funder.sendTransaction({ to: w.address, value: ethers.parseEther('10') })).wait()
  }
  return out
}
