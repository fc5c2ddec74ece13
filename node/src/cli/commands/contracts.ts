// `lucid contracts deploy --rpc URL`: deploys and wires the Lucid contracts, writes their addresses to JSON.
// The deployer key comes from --key-file or LUCID_DEPLOYER_KEY, never from a command-line value.
import { Command, Option } from 'commander'
import { readFileSync, writeFileSync } from 'node:fs'
import { ethers } from 'ethers'
import { deployLucidContracts, SYSTEM_ADDRESS, type Deployment } from '../../contracts/deploy.js'

export interface ContractsDeployFlags {
  rpc: string
  keyFile?: string
  out: string
  disbursers: string
  pauser: string
  token?: string
  compliance?: string
  system: string
  timelockDelay: string
  votingDelay: string
  votingPeriod: string
  quorumPercent: string
}

function rpcUrl (value: string): string {
  let url: URL
  try { url = new URL(value) } catch { throw new Error(`--rpc: not a URL: ${value}`) }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error(`--rpc: expected an http(s) or ws(s) URL, got ${value}`)
  return value
}

function addressFlag (flag: string, value: string): string {
  if (!ethers.isAddress(value)) throw new Error(`${flag}: not an address: ${value}`)
  return ethers.getAddress(value)
}

function intFlag (flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag}: expected an integer, got ${value}`)
  const n = Number(value)
  if (n < min || n > max) throw new Error(`${flag}: ${n} is outside [${min}, ${max}]`)
  return n
}

/** The deployer's private key: from the file named by --key-file, else LUCID_DEPLOYER_KEY. */
export function readDeployerKey (keyFile: string | undefined, env: NodeJS.ProcessEnv): string {
  let raw: string | undefined
  if (keyFile !== undefined) {
    try { raw = readFileSync(keyFile, 'utf8') } catch (e) { throw new Error(`--key-file: cannot read ${keyFile}: ${(e as Error).message}`) }
  } else {
    raw = env.LUCID_DEPLOYER_KEY
  }
  if (raw === undefined || raw.trim() === '') throw new Error('no deployer key: pass --key-file FILE or set LUCID_DEPLOYER_KEY')
  const key = raw.trim().startsWith('0x') ? raw.trim() : '0x' + raw.trim()
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error('the deployer key must be 32 bytes of hex')
  return key
}

/** Validates every flag before anything touches the network; returns the deployment it wrote to --out. */
export async function runContractsDeploy (flags: ContractsDeployFlags, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<Deployment> {
  const url = rpcUrl(flags.rpc)
  const disbursers = flags.disbursers.split(',').map((s) => s.trim())
  if (disbursers.length !== 3) throw new Error('--disbursers: expected three comma-separated addresses')
  const signerSet = disbursers.map((d) => addressFlag('--disbursers', d)) as [string, string, string]
  const pauser = addressFlag('--pauser', flags.pauser)
  const system = addressFlag('--system', flags.system)
  const token = flags.token === undefined ? undefined : addressFlag('--token', flags.token)
  if (token !== undefined && flags.compliance === undefined) throw new Error('--token needs --compliance (the KYC router\'s compliance signer)')
  const compliance = flags.compliance === undefined ? undefined : addressFlag('--compliance', flags.compliance)
  const timelockDelay = intFlag('--timelock-delay', flags.timelockDelay, 0, 30 * 24 * 3600)
  const votingDelay = intFlag('--voting-delay', flags.votingDelay, 0, 1_000_000)
  const votingPeriod = intFlag('--voting-period', flags.votingPeriod, 1, 1_000_000)
  const quorumPercent = intFlag('--quorum-percent', flags.quorumPercent, 1, 100)
  const key = readDeployerKey(flags.keyFile, env)

  // no response cache: back-to-back deployments must each see the account's fresh pending nonce
  const provider = url.startsWith('ws') ? new ethers.WebSocketProvider(url, undefined, { cacheTimeout: -1 }) : new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1 })
  try {
    try { await provider.getNetwork() } catch (e) { throw new Error(`--rpc: cannot reach ${url}: ${(e as Error).message}`) }
    const deployer = new ethers.Wallet(key, provider) // each step waits for its receipt, so the pending nonce is always right
    const deployment = await deployLucidContracts(deployer, { disbursers: signerSet, pauser, token, complianceSigner: compliance, systemAddress: system, timelockDelay, votingDelay, votingPeriod, quorumPercent, log })
    writeFileSync(flags.out, JSON.stringify(deployment, null, 2) + '\n')
    log(`addresses written to ${flags.out}`)
    return deployment
  } finally {
    provider.destroy()
  }
}

export function contractsCommand (): Command {
  const cmd = new Command('contracts').description('deploy and inspect the Lucid smart contracts')
  cmd.command('deploy')
    .description('deploy LucidAnchors, NodeEligibility, LucidTimelock, LucidGovernor, ParamRegistry (and the payout routers with --token), wire them to the Timelock, renounce the deployer\'s roles, and write the addresses to a JSON file')
    .requiredOption('--rpc <url>', 'JSON-RPC endpoint (http, https, ws or wss)')
    .option('--key-file <file>', 'file holding the deployer\'s hex private key (default: env LUCID_DEPLOYER_KEY)')
    .option('--out <file>', 'where to write the addresses', 'contracts.json')
    .requiredOption('--disbursers <a,b,c>', 'the three disburser signer addresses (2-of-3)')
    .requiredOption('--pauser <address>', 'holder of PAUSER_ROLE on the payout routers')
    .option('--token <address>', 'stablecoin (6 decimals) the payout routers pay in; without it no router is deployed')
    .option('--compliance <address>', 'compliance signer of PayoutRouterKYC (required with --token)')
    .addOption(new Option('--system <address>', 'the chain\'s system address, sole writer of NodeEligibility').default(SYSTEM_ADDRESS))
    .option('--timelock-delay <seconds>', 'Timelock minimum delay', String(2 * 24 * 3600))
    .option('--voting-delay <blocks>', 'Governor voting delay', '720')
    .option('--voting-period <blocks>', 'Governor voting period', '5040')
    .option('--quorum-percent <n>', 'quorum, percent of eligible nodes', '10')
    .addHelpText('after', '\nThe private key is never taken as a flag value: use --key-file or LUCID_DEPLOYER_KEY.')
    .action(async (flags: ContractsDeployFlags) => { await runContractsDeploy(flags) })
  return cmd
}
