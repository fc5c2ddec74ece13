// What a payout needs on the stand-in TRON chain, as an operator would set it up on Shasta or Nile: a 6-decimal
// TRC-20 token that behaves like USDT (FalseReturnToken: `transfer` returns false), PayoutRouterV0 and PayoutRouterKYC
// built from the committed artifacts (contracts/build/*.json, read at runtime like src/abi.ts), both funded with the
// token, and the sidecar's fee-payer account (TRX for fees; an active permission 2 of threshold 2 over three keys).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ethers } from 'ethers'
import type { TronChain } from './chain.js'

export const USD6 = 1_000_000n

/** The Lucid dev chain's disbursers (dev accounts 7, 8 and 9: `lucid payout commit --dev` signs with them). */
export const DEV_DISBURSERS: readonly string[] = [7, 8, 9].map((i) => ethers.computeAddress(ethers.keccak256(ethers.toUtf8Bytes(`lucid/dev/account/${i}`))))
/** The dev compliance signer: a well-known key (never for value) that signs the KYC attestations of dev epochs. */
export const DEV_COMPLIANCE_KEY = ethers.keccak256(ethers.toUtf8Bytes('lucid/dev/compliance'))
export const DEV_COMPLIANCE = ethers.computeAddress(DEV_COMPLIANCE_KEY)

export interface PayoutSetupOptions {
  /** folder of the compiled artifacts (FalseReturnToken, PayoutRouterV0, PayoutRouterKYC) */
  contractsDir: string
  /** the routers' 3 signers: ParamRegistry.disbursers() on the Lucid chain (0x addresses) */
  signers: readonly string[]
  /** PayoutRouterKYC's compliance signer (0x) */
  compliance: string
  /** the fee payer (41… hex): owner key = itself; with activeKeys, active permission 2 of `threshold` over them */
  feePayer41: string
  activeKeys41?: string[]
  threshold?: number
  feePayerTrx?: number
  deployer41: string
  governance: string
  pauser: string
  maxPerTxUsd6?: bigint
  dailyCapUsd6?: bigint
  /** the token minted to each router */
  mintUsd6?: bigint
}

export interface PayoutSetup { token41: string, v0Router41: string, kycRouter41: string, feePayer41: string, deployer41: string }

export interface Artifact { abi: ethers.InterfaceAbi, bytecode: string }

export function readArtifact (contractsDir: string, name: string): Artifact {
  const path = join(contractsDir, `${name}.json`)
  let j: { abi?: unknown, bytecode?: unknown }
  try { j = JSON.parse(readFileSync(path, 'utf8')) } catch (e) { throw new Error(`cannot read the artifact ${path}: ${(e as Error).message}`) }
  if (!Array.isArray(j.abi) || typeof j.bytecode !== 'string' || !j.bytecode.startsWith('0x')) throw new Error(`${path}: not a compiled artifact (abi, bytecode)`)
  return { abi: j.abi as ethers.InterfaceAbi, bytecode: j.bytecode }
}

export async function setUpPayouts (c: TronChain, o: PayoutSetupOptions): Promise<PayoutSetup> {
  if (o.signers.length !== 3) throw new Error(`the routers need exactly 3 signers (got ${o.signers.length})`)
  c.createAccount(o.feePayer41, o.feePayerTrx ?? 10_000_000_000, o.activeKeys41 === undefined
    ? undefined
    : { actives: [{ id: 2, threshold: o.threshold ?? 2, keys: o.activeKeys41.map((address) => ({ address, weight: 1 })) }] })
  c.createAccount(o.deployer41, 1_000_000_000)
  const tokenArt = readArtifact(o.contractsDir, 'FalseReturnToken')
  const token41 = await c.deploy(o.deployer41, tokenArt.bytecode)
  const tokenAddr = '0x' + token41.slice(2)
  const coder = ethers.AbiCoder.defaultAbiCoder()
  const maxPerTx = o.maxPerTxUsd6 ?? 10_000n * USD6
  const dailyCap = o.dailyCapUsd6 ?? 100_000n * USD6
  const v0 = readArtifact(o.contractsDir, 'PayoutRouterV0')
  const v0Router41 = await c.deploy(o.deployer41, v0.bytecode + coder.encode(['address', 'address[3]', 'address', 'address', 'uint256', 'uint256'], [tokenAddr, o.signers, o.governance, o.pauser, maxPerTx, dailyCap]).slice(2))
  const kyc = readArtifact(o.contractsDir, 'PayoutRouterKYC')
  const kycRouter41 = await c.deploy(o.deployer41, kyc.bytecode + coder.encode(['address', 'address[3]', 'address', 'address', 'address', 'uint256', 'uint256', 'uint256'], [tokenAddr, o.signers, o.compliance, o.governance, o.pauser, maxPerTx, dailyCap, 0n]).slice(2))
  const tokenIface = new ethers.Interface(tokenArt.abi)
  for (const r of [v0Router41, kycRouter41]) {
    const res = await c.evm.call('0x' + o.deployer41.slice(2), tokenAddr, tokenIface.encodeFunctionData('mint', ['0x' + r.slice(2), o.mintUsd6 ?? 1_000_000n * USD6]), 1_000_000n, { number: c.head.number, timestampS: Math.floor(c.head.timestamp / 1000) }, true)
    if (!res.ok) throw new Error(`minting the token to the router ${r} failed: ${res.error ?? 'reverted'}`)
  }
  return { token41, v0Router41, kycRouter41, feePayer41: o.feePayer41, deployer41: o.deployer41 }
}

/** A token balance, read as any TRON client would (a constant call of balanceOf). */
export async function tokenBalance (c: TronChain, s: PayoutSetup, evmAddress: string, tokenAbi: ethers.InterfaceAbi): Promise<bigint> {
  const iface = new ethers.Interface(tokenAbi)
  const r = await c.constantCall(s.deployer41, s.token41, iface.encodeFunctionData('balanceOf', [evmAddress]))
  if ('missing' in r || !r.ok) throw new Error('balanceOf failed')
  return BigInt(r.output)
}
