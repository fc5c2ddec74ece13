// Deploys the Lucid contracts with ethers and wires them: the Governor becomes the Timelock's only proposer and
// canceller, anyone may execute, the deployer renounces the Timelock admin role, and the ParamRegistry and the
// payout routers answer to the Timelock. The deployer holds no role anywhere afterwards.
import { ethers } from 'ethers'
import { loadArtifact, type ContractName } from '../../../contracts/index.js'

/** EIP-4788-style system address: the chain writes eligibility from it (the chain issue). */
export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe'

export interface DeployOptions {
  /** the 2-of-3 disburser signer set (ParamRegistry and both routers) */
  disbursers: [string, string, string]
  /** PAUSER_ROLE on the routers */
  pauser: string
  /** stablecoin (6 decimals) the routers pay in; without it the routers are not deployed */
  token?: string
  /** compliance signer of PayoutRouterKYC; required with `token` */
  complianceSigner?: string
  /** writer of NodeEligibility; default SYSTEM_ADDRESS */
  systemAddress?: string
  /** seconds; default 2 days */
  timelockDelay?: number
  /** blocks; default 720 (one day of 120 s slots) */
  votingDelay?: number
  /** blocks; default 5040 (one week of 120 s slots) */
  votingPeriod?: number
  /** percent of eligible nodes; default 10 */
  quorumPercent?: number
  /** router caps in 6-decimal units; defaults $10,000 per transaction and $100,000 per day */
  maxPerTx?: bigint
  dailyCap?: bigint
  /** PayoutRouterKYC per-recipient daily limit, 0 = none (default) */
  recipientDailyLimit?: bigint
  /** progress lines (e.g. to stderr) */
  log?: (line: string) => void
}

export interface Deployment {
  chainId: string
  deployer: string
  blockNumber: number
  contracts: Partial<Record<ContractName, string>>
  settings: {
    systemAddress: string
    timelockDelay: number
    votingDelay: number
    votingPeriod: number
    quorumPercent: number
    disbursers: string[]
    pauser: string
    token: string | null
    complianceSigner: string | null
  }
}

export function factoryFor (name: ContractName, runner: ethers.ContractRunner): ethers.ContractFactory {
  const a = loadArtifact(name)
  return new ethers.ContractFactory(a.abi as ethers.InterfaceAbi, a.bytecode, runner)
}

function address (label: string, value: string | undefined): string {
  if (value === undefined || !ethers.isAddress(value)) throw new Error(`${label}: not an address: ${String(value)}`)
  return ethers.getAddress(value)
}

export async function deployLucidContracts (deployer: ethers.Signer, opts: DeployOptions): Promise<Deployment> {
  const log = opts.log ?? (() => {})
  const provider = deployer.provider
  if (provider === null) throw new Error('the deployer signer has no provider')
  const disbursers = opts.disbursers.map((d, i) => address(`disburser ${i + 1}`, d)) as [string, string, string]
  if (new Set(disbursers).size !== 3) throw new Error('the three disbursers must be distinct')
  const pauser = address('pauser', opts.pauser)
  const systemAddress = address('system address', opts.systemAddress ?? SYSTEM_ADDRESS)
  const token = opts.token === undefined ? undefined : address('token', opts.token)
  const compliance = token === undefined ? undefined : address('compliance signer', opts.complianceSigner)
  const timelockDelay = opts.timelockDelay ?? 2 * 24 * 3600
  const votingDelay = opts.votingDelay ?? 720
  const votingPeriod = opts.votingPeriod ?? 5040
  const quorumPercent = opts.quorumPercent ?? 10
  const me = await deployer.getAddress()
  const contracts: Partial<Record<ContractName, string>> = {}

  const deploy = async (name: ContractName, ...args: unknown[]): Promise<ethers.Contract> => {
    const c = await factoryFor(name, deployer).deploy(...args)
    await c.waitForDeployment()
    contracts[name] = await c.getAddress()
    log(`${name} ${contracts[name]}`)
    return c as ethers.Contract
  }
  const send = async (p: Promise<ethers.ContractTransactionResponse>): Promise<void> => { await (await p).wait() }

  await deploy('LucidAnchors')
  const eligibility = await deploy('NodeEligibility', systemAddress)
  const timelock = await deploy('LucidTimelock', timelockDelay, [], [ethers.ZeroAddress], me)
  const governor = await deploy('LucidGovernor', await eligibility.getAddress(), await timelock.getAddress(), votingDelay, votingPeriod, quorumPercent)
  const governorAddress = await governor.getAddress()
  await send(timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress))
  await send(timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress))
  await send(timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), me))
  const timelockAddress = await timelock.getAddress()
  await deploy('ParamRegistry', timelockAddress, disbursers)
  if (token !== undefined) {
    const maxPerTx = opts.maxPerTx ?? 10_000_000_000n
    const dailyCap = opts.dailyCap ?? 100_000_000_000n
    await deploy('PayoutRouterV0', token, disbursers, timelockAddress, pauser, maxPerTx, dailyCap)
    await deploy('PayoutRouterKYC', token, disbursers, compliance, timelockAddress, pauser, maxPerTx, dailyCap, opts.recipientDailyLimit ?? 0n)
  }
  if (await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), me)) throw new Error('the deployer still administers the Timelock')

  return {
    chainId: (await provider.getNetwork()).chainId.toString(),
    deployer: me,
    blockNumber: await provider.getBlockNumber(),
    contracts,
    settings: { systemAddress, timelockDelay, votingDelay, votingPeriod, quorumPercent, disbursers, pauser, token: token ?? null, complianceSigner: compliance ?? null }
  }
}
