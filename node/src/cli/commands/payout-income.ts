/**
 * `lucid payout income <epoch>`: the disbursers declare a payout epoch's gross income and per-transfer network fee
 * (USD, 6 decimals) on the genesis PayoutBatches contract (`declareIncome`, 2-of-3 EIP-712 PayoutIncome signatures
 * in PayoutBatches' domain, ascending by signer; sent by the first key). The chain's system write shares it out at
 * the first block of the next payout epoch; `lucid payout commit --from-chain <epoch>` then commits that batch.
 * Keys and the chain as for `lucid payout commit` (disburser-keys.ts, payout-rpc.ts).
 */
import { Command } from 'commander'
import { ethers } from 'ethers'
import { payoutBatchesInterface } from '../../chain/payout-system.js'
import { INCOME_TYPES, commitDomain } from '../../../../protocols/poot/payout-commitment.js'
import { collect, evmAddress, fail, formatUsd6, nonNegativeInt, rpcUrl, usd6 } from './payout-flags.js'
import { disburserKeys } from './disburser-keys.js'
import { ascendingSigners } from '../../../../protocols/poot/payout-commitment.js'
import { chainContracts, connectChain, revertError, revertName } from './payout-rpc.js'

export interface PayoutIncomeFlags {
  rpc: string
  /** gross income in USD, a decimal string with at most 6 decimals */
  gross: string
  /** the network fee per payout transfer in USD, same form */
  networkFee: string
  keyFile?: string[]
  dev?: boolean
  contract?: string
  dryRun?: boolean
  json?: boolean
}

export interface PayoutIncomeResult {
  epoch: number
  grossUsd6: string
  networkFeeUsd6: string
  contract: string
  sender: string
  signers: string[]
  /** the payout epoch whose first block shares the income out */
  sharedAtEpoch: number
  dryRun: boolean
  txHash?: string
  blockNumber?: number
  gasUsed?: string
}

/** The contract's refusal in words: the custom error's name first, then what it means for this declaration. */
async function refusal (batches: ethers.Contract, iface: ethers.Interface, e: unknown, epoch: number, dev: boolean): Promise<string> {
  const err = revertError(iface, e)
  if (err === null) return revertName(iface, e)
  const notDev = dev ? ' (not a dev chain?)' : ''
  switch (err.name) {
    case 'IncomeAlreadyDeclared': {
      let was = ''
      try {
        const [, g, f] = await batches.incomeOf(epoch) as [boolean, bigint, bigint]
        was = ` (${formatUsd6(g)} USD gross, ${formatUsd6(f)} USD network fee)`
      } catch {}
      return `IncomeAlreadyDeclared: epoch ${epoch}'s income is already declared${was}: one declaration per epoch`
    }
    case 'EntitlementsAlreadyWritten':
      return `EntitlementsAlreadyWritten: the chain already wrote epoch ${epoch}'s entitlements (at the first block of epoch ${epoch + 1}): income can be declared only until its epoch ends`
    case 'EpochAlreadyCommitted':
      return `EpochAlreadyCommitted: epoch ${epoch}'s payout batch is already committed (root ${String(err.args[1])})`
    case 'NotDisburser':
      return `NotDisburser: the sender ${String(err.args[0])} (the first key) is not a current disburser of the chain's ParamRegistry${notDev}`
    case 'UnknownSigner':
      return `UnknownSigner: ${String(err.args[0])} is not a current disburser of the chain's ParamRegistry${notDev}`
    default:
      return `${err.name}(${[...err.args].map(String).join(', ')})`
  }
}

export async function runPayoutIncome (epochArg: string, flags: PayoutIncomeFlags, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<PayoutIncomeResult> {
  // 1. everything local first: the epoch, the amounts, the keys
  const url = rpcUrl(flags.rpc)
  const epoch = nonNegativeInt('<epoch>', epochArg)
  const grossUsd = usd6('--gross', flags.gross)
  const networkFeeUsd = usd6('--network-fee', flags.networkFee)
  const contractFlag = flags.contract === undefined ? undefined : evmAddress('--contract', flags.contract)
  const keys = await disburserKeys(flags, env, 'the declaration')

  // 2. the chain and its PayoutBatches
  const { chainId, provider } = await connectChain(url)
  try {
    const contract = contractFlag ?? (await chainContracts(provider, url, '--contract')).PayoutBatches
    if (contract === undefined) return fail(`the chain at ${url} has no PayoutBatches in its genesis: pass --contract`, 1)
    if (await provider.getCode(contract) === '0x') fail(`no contract at ${contract} (PayoutBatches)`, 1)
    const iface = payoutBatchesInterface()
    const sender = keys[0].connect(provider)
    const batches = new ethers.Contract(contract, iface, sender)

    // 3. 2-of-3 over PayoutIncome(epoch, grossUsd, networkFeeUsd) in PayoutBatches' domain, checked with eth_call
    const signers = ascendingSigners(keys)
    const value = { epoch, grossUsd, networkFeeUsd }
    const signatures = await Promise.all(signers.map(async (s) => await s.signTypedData(commitDomain(chainId, contract), INCOME_TYPES, value)))
    const refused = async (e: unknown, what: string): Promise<never> => fail(`PayoutBatches refused ${what}: ${await refusal(batches, iface, e, epoch, flags.dev === true)}`, 1)
    try { await batches.declareIncome.staticCall(epoch, grossUsd, networkFeeUsd, signatures) } catch (e) { return await refused(e, `epoch ${epoch}'s income declaration`) }
    const result: PayoutIncomeResult = {
      epoch,
      grossUsd6: grossUsd.toString(),
      networkFeeUsd6: networkFeeUsd.toString(),
      contract,
      sender: sender.address,
      signers: signers.map((s) => s.address),
      sharedAtEpoch: epoch + 1,
      dryRun: flags.dryRun === true
    }
    if (flags.dryRun === true) return result

    // 4. the transaction, from the first key
    let tx: ethers.ContractTransactionResponse
    try { tx = await batches.declareIncome(epoch, grossUsd, networkFeeUsd, signatures) as ethers.ContractTransactionResponse } catch (e) { return await refused(e, 'the declareIncome transaction') }
    log(`sent ${tx.hash}, waiting for its block`)
    const receipt = await tx.wait()
    if (receipt === null || receipt.status !== 1) return fail(`the declareIncome transaction ${tx.hash} failed`, 1)
    return { ...result, txHash: tx.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString() }
  } finally {
    provider.destroy()
  }
}

/** The lines `lucid payout income` prints without --json. */
export function describeIncome (r: PayoutIncomeResult): string[] {
  const amounts = `${formatUsd6(BigInt(r.grossUsd6))} USD gross, ${formatUsd6(BigInt(r.networkFeeUsd6))} USD network fee per payout transfer`
  if (r.dryRun) return [`dry run: PayoutBatches ${r.contract} would accept epoch ${r.epoch}'s income (${amounts}); nothing sent`]
  return [
    `epoch ${r.epoch}: income declared, ${amounts}`,
    `  block ${r.blockNumber}, tx ${r.txHash} (${r.gasUsed} gas), sent by ${r.sender}`,
    `  the chain shares it out at the first block of payout epoch ${r.sharedAtEpoch}; then: lucid payout commit --from-chain ${r.epoch}`
  ]
}

export function incomeCommand (): Command {
  return new Command('income')
    .description('declare a payout epoch\'s income on PayoutBatches (2 of the 3 disbursers); the chain shares it out at the next payout epoch')
    .argument('<epoch>', 'the payout epoch (a non-negative integer) whose income this is')
    .requiredOption('--gross <USD>', 'the epoch\'s gross income in USD, e.g. 1234.5 (at most 6 decimals)')
    .requiredOption('--network-fee <USD>', 'the network fee per payout transfer in USD, e.g. 1 (at most 6 decimals)')
    .requiredOption('--rpc <url>', 'the Lucid chain\'s JSON-RPC (http or https)')
    .option('--key-file <file>', 'a disburser\'s encrypted JSON key file; give 2 or 3 (passphrase: LUCID_DISBURSER_PASSPHRASE or asked)', collect)
    .option('--dev', 'sign with the well-known dev disburser keys (dev chains only)')
    .option('--contract <address>', 'PayoutBatches (default: from lucid_chainInfo)')
    .option('--dry-run', 'sign and check the declaration with eth_call, but send nothing')
    .option('--json', 'print the result as one JSON line')
    .addHelpText('after', '\nOnce per epoch, and only until the chain writes the epoch\'s entitlements (the first block of the next payout\nepoch). Keys never come from a flag value. The sender is the first disburser key; it pays the gas.\nNext: lucid payout commit --from-chain <epoch> once the next payout epoch has begun.')
    .action(async (epoch: string, flags: PayoutIncomeFlags) => {
      const r = await runPayoutIncome(epoch, flags)
      process.stdout.write(flags.json === true ? JSON.stringify(r) + '\n' : describeIncome(r).map((l) => l + '\n').join(''))
    })
}
