// lucid-tron-stand-in: a local TRON full node (the HTTP API subset the sidecar uses, java-tron's checks, the real
// router contracts on an in-process EVM) for running the sidecar with no TRON network: it stands where Shasta or Nile
// would (`tron.fullNode` is the one setting that differs). On start it deploys a 6-decimal TRC-20 token and the two
// routers (their signers = the Lucid chain's disbursers; the KYC router's compliance signer), funds the routers with
// the token, creates the sidecar's fee-payer account (TRX; active permission 2 = 2-of-3 over three fresh keys, which it
// writes to --payer-keys for `lucid-payout keys init --import`), then prints one JSON line on stdout and serves until
// SIGINT/SIGTERM. Bound to 127.0.0.1 only.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ethers } from 'ethers'
import { DEFAULT_CONTRACTS_DIR } from '../src/config.js'
import { hexToBase58 } from '../src/tron/address.js'
import { TronStandIn } from './server.js'
import { stopWithParent } from '../src/stop-with-parent.js'
import { DEV_COMPLIANCE, DEV_DISBURSERS, setUpPayouts, USD6 } from './setup.js'

const HELP = `usage: lucid-tron-stand-in [options]

A local stand-in of a TRON full node's HTTP API on 127.0.0.1, with the payout routers and a 6-decimal TRC-20 token
deployed and the sidecar's fee payer funded. Prints one JSON line (url, chainId, token, v0Router, kycRouter,
feePayer, payerKeys, signers, compliance), then serves until SIGINT or SIGTERM.

  --port N              port to listen on (default: any free port)
  --block-ms N          one block every N ms (default 3000, as on TRON)
  --payer-keys FILE     write the fee payer's 3 private keys here (mode 0600, one per line: the input of
                        'lucid-payout keys init --import FILE'); without it the keys are not kept anywhere
  --signers A,B,C       the routers' 3 signers, 0x addresses = ParamRegistry.disbursers() on the Lucid chain
                        (default: the Lucid dev chain's disbursers, dev accounts 7, 8, 9)
  --compliance ADDR     PayoutRouterKYC's compliance signer (default: the dev compliance signer
                        ${DEV_COMPLIANCE} = keccak256("lucid/dev/compliance"))
  --trx N               the fee payer's TRX (default 10000)
  --mint USD            token minted to each router, in whole USD (default 1000000)
  --max-per-tx USD      the routers' per-transaction cap (default 10000)
  --daily-cap USD       the routers' daily cap (default 100000)
  --contracts-dir DIR   the compiled artifacts (default: the repository's contracts/build)
`

class UsageError extends Error {}

function parse (argv: string[]): Map<string, string> {
  const flags = new Map<string, string>()
  const known = ['port', 'block-ms', 'payer-keys', 'signers', 'compliance', 'trx', 'mint', 'max-per-tx', 'daily-cap', 'contracts-dir']
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--help' || a === '-h') { flags.set('help', ''); continue }
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}'`)
    const [k, v] = a.slice(2).split('=', 2)
    if (!known.includes(k)) throw new UsageError(`unknown flag --${k}`)
    const value = v ?? argv[++i]
    if (value === undefined) throw new UsageError(`--${k} needs a value`)
    flags.set(k, value)
  }
  return flags
}

function int (flags: Map<string, string>, k: string, dflt: number, min: number, max: number): number {
  const v = flags.get(k)
  if (v === undefined) return dflt
  const n = Number(v)
  if (!/^[0-9]+$/.test(v) || n < min || n > max) throw new UsageError(`--${k}: expected an integer from ${min} to ${max}, got ${v}`)
  return n
}

function address (k: string, v: string): string {
  if (!ethers.isAddress(v)) throw new UsageError(`--${k}: not a 0x address: ${v}`)
  return ethers.getAddress(v)
}

const to41 = (evm: string): string => '41' + evm.slice(2).toLowerCase()

async function main (argv: string[]): Promise<number> {
  const flags = parse(argv)
  if (flags.has('help')) { process.stdout.write(HELP); return 0 }
  const port = int(flags, 'port', 0, 0, 65_535)
  const blockMs = int(flags, 'block-ms', 3_000, 10, 600_000)
  const signers = flags.get('signers')?.split(',').map((s) => address('signers', s.trim())) ?? [...DEV_DISBURSERS]
  if (signers.length !== 3 || new Set(signers).size !== 3) throw new UsageError(`--signers: expected 3 distinct addresses, got ${signers.length}`)
  const compliance = address('compliance', flags.get('compliance') ?? DEV_COMPLIANCE)
  const trx = int(flags, 'trx', 10_000, 1, 1_000_000_000)
  const usd = (k: string, d: number): bigint => BigInt(int(flags, k, d, 1, 1_000_000_000_000)) * USD6
  const payerKeysFile = flags.get('payer-keys') === undefined ? undefined : resolve(flags.get('payer-keys')!)
  const contractsDir = resolve(flags.get('contracts-dir') ?? DEFAULT_CONTRACTS_DIR)

  const log = (m: string): void => { process.stderr.write(`lucid-tron-stand-in: ${m}\n`) }
  // before anything starts: a malformed LUCID_STOP_WITH_PARENT is refused like a bad flag
  stopWithParent(process.env, (starter) => { log(`the process that started it (${starter}) is gone: stopping`) })
  const payer = [0, 1, 2].map(() => new ethers.Wallet(ethers.hexlify(randomBytes(32))))
  const tron = await TronStandIn.start({ blockMs, port })
  try {
    const local = (label: string): string => ethers.computeAddress(ethers.keccak256(ethers.toUtf8Bytes(`lucid/tron-stand-in/${label}`)))
    const s = await setUpPayouts(tron.chain, {
      contractsDir,
      signers,
      compliance,
      feePayer41: to41(payer[0].address),
      activeKeys41: payer.map((k) => to41(k.address)),
      threshold: 2,
      feePayerTrx: trx * 1_000_000,
      deployer41: to41(local('deployer')),
      governance: local('governance'),
      pauser: local('pauser'),
      maxPerTxUsd6: usd('max-per-tx', 10_000),
      dailyCapUsd6: usd('daily-cap', 100_000),
      mintUsd6: usd('mint', 1_000_000)
    })
    if (payerKeysFile !== undefined) writeFileSync(payerKeysFile, payer.map((k) => k.privateKey).join('\n') + '\n', { mode: 0o600 })
    // the log names every block that carries transactions
    const produce = tron.chain.produceBlock.bind(tron.chain)
    tron.chain.produceBlock = async () => {
      const b = await produce()
      for (const id of b.txids) {
        const info = tron.chain.txs.get(id)?.info
        log(`block ${b.number}: ${id} ${info?.receipt.result as string} (energy ${info?.receipt.energy_usage_total as number}, fee ${info?.fee ?? 0} sun)`)
      }
      return b
    }
    const info = {
      url: tron.url,
      chainId: tron.chain.chainId.toString(),
      blockMs,
      token: hexToBase58(s.token41),
      v0Router: hexToBase58(s.v0Router41),
      kycRouter: hexToBase58(s.kycRouter41),
      feePayer: hexToBase58(s.feePayer41),
      permissionId: 2,
      payerKeys: payerKeysFile ?? null,
      payerAddresses: payer.map((k) => hexToBase58(to41(k.address))),
      signers,
      compliance
    }
    log(`TRON stand-in on ${tron.url} (chain id ${info.chainId}, a block every ${blockMs} ms): token ${info.token} (6 decimals), PayoutRouterV0 ${info.v0Router}, PayoutRouterKYC ${info.kycRouter}, fee payer ${info.feePayer} with ${trx} TRX`)
    process.stdout.write(JSON.stringify(info) + '\n')
  } catch (e) {
    await tron.stop()
    throw e
  }
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve())
  })
  await tron.stop()
  log(`stopped at block ${tron.chain.head.number}`)
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (e: Error) => {
  process.stderr.write(`lucid-tron-stand-in: ${e.message}\n`)
  process.exitCode = e instanceof UsageError ? 2 : 1
})
