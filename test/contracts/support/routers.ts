// A funded payout router with its cast: three disbursers and a compliance signer (local wallets), a governance
// stand-in and a pauser (funded accounts), and a payee.
import { ethers } from 'ethers'
import { getChain, type TestChain } from './chain.js'
import { approve, attest, deploy, domainOf, wallets, type Payout } from './contracts.js'

export const USD = 1_000_000n // 6 decimals
export const MAX_PER_TX = 1_000n * USD
export const DAILY_CAP = 2_500n * USD
export const FUNDING = 10_000n * USD

export interface RouterFixture {
  chain: TestChain
  router: ethers.Contract
  token: ethers.Contract
  kind: 'V0' | 'KYC'
  domain: ethers.TypedDataDomain
  deployer: ethers.Signer
  governance: ethers.Signer
  pauser: ethers.Signer
  outsider: ethers.Signer
  disbursers: ethers.Wallet[]
  compliance: ethers.Wallet
  payee: string
  /** a fresh payout (unique nonce) with a deadline an hour after the latest block */
  payout: (amount: bigint, to?: string) => Promise<Payout>
  /** submits a payout approved by `signers` (default: disbursers 0 and 1), with a fresh attestation for KYC */
  pay: (p: Payout, signers?: ethers.BaseWallet[], from?: ethers.Signer) => Promise<ethers.ContractTransactionResponse>
}

let nonceCounter = 1n
let attestationCounter = 1

export async function routerFixture (kind: 'V0' | 'KYC', opts: { token?: 'MockStablecoin' | 'FalseReturnToken', recipientDailyLimit?: bigint, funding?: bigint } = {}): Promise<RouterFixture> {
  const chain = await getChain()
  const [deployer, governance, pauser, outsider] = chain.accounts
  const disbursers = wallets(3, `disburser/${kind}`)
  const compliance = wallets(1, `compliance/${kind}`)[0]
  const token = await deploy(opts.token ?? 'MockStablecoin', deployer)
  const signerSet = disbursers.map((w) => w.address)
  const router = kind === 'V0'
    ? await deploy('PayoutRouterV0', deployer, await token.getAddress(), signerSet, await governance.getAddress(), await pauser.getAddress(), MAX_PER_TX, DAILY_CAP)
    : await deploy('PayoutRouterKYC', deployer, await token.getAddress(), signerSet, compliance.address, await governance.getAddress(), await pauser.getAddress(), MAX_PER_TX, DAILY_CAP, opts.recipientDailyLimit ?? 0n)
  await (await token.mint(await router.getAddress(), opts.funding ?? FUNDING)).wait()
  const domain = await domainOf(router, kind === 'V0' ? 'LucidPayoutRouterV0' : 'LucidPayoutRouterKYC')
  const payee = ethers.Wallet.createRandom().address
  const payout = async (amount: bigint, to = payee): Promise<Payout> => ({
    sessionId: ethers.id(`session ${nonceCounter}`), to, amount, nonce: nonceCounter++, deadline: BigInt(await chain.latestTimestamp() + 3600)
  })
  const pay = async (p: Payout, signers: ethers.BaseWallet[] = disbursers.slice(0, 2), from: ethers.Signer = deployer): Promise<ethers.ContractTransactionResponse> => {
    const sigs = await approve(domain, p, signers)
    const r = router.connect(from) as ethers.Contract
    if (kind === 'V0') return await r.disburse(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs)
    const expiry = p.deadline
    const kycHash = ethers.id(`kyc ${p.to} ${attestationCounter++}`) // a fresh attestation per call
    return await r.disburseKYC(p.sessionId, p.to, p.amount, p.nonce, p.deadline, sigs, kycHash, expiry, await attest(domain, compliance, p.to, kycHash, expiry))
  }
  return { chain, router, token, kind, domain, deployer, governance, pauser, outsider, disbursers, compliance, payee, payout, pay }
}
