// `lucid payout income` against a real dev chain over its JSON-RPC: the disbursers' declaration (keystores or --dev)
// is what PayoutBatches.incomeOf reads back, and what the system write shares out at the next payout epoch; a second
// declaration, a non-disburser key, an epoch whose entitlements are written and bad flags are refused with one
// clear line (a UsageError with its exit code), never a stack trace.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAddressFromString } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { payoutBatchesInterface } from '../../../node/src/chain/payout-system.js'
import type { Chain } from '../../../node/src/chain/index.js'
import { devDisburserKeys } from '../../../node/src/chain/index.js'
import { startRpcServer, type RpcServer } from '../../../node/src/rpc/server.js'
import { describeIncome, runPayoutIncome, type PayoutIncomeFlags } from '../../../node/src/cli/commands/payout-income.js'
import { UsageError } from '../../../node/src/cli/usage-error.js'
import { openDevChain, produce, removeChainDirs } from './support.js'

const iface = payoutBatchesInterface()

async function view (chain: Chain, fn: string, args: unknown[]): Promise<unknown[]> {
  const r = await chain.call({ to: createAddressFromString(chain.genesis.contracts.PayoutBatches), data: ethers.getBytes(iface.encodeFunctionData(fn, args)) }, chain.head)
  assert.ok(r.ok, `${fn} failed`)
  return [...iface.decodeFunctionResult(fn, r.returnValue)]
}

describe('lucid payout income: declaring an epoch\'s income on a real dev chain', function () {
  this.timeout(300_000)
  let chain: Chain
  let rpc: RpcServer
  let dir: string
  const passphrase = 'payout income test'
  const env = { LUCID_DISBURSER_PASSPHRASE: passphrase }
  const files: Record<'d0' | 'd1' | 'stranger', string> = { d0: '', d1: '', stranger: '' }
  // a block is built whenever a transaction waits (the CLI waits for its receipt); the payout epoch moves only on demand
  let producing: Promise<void> | undefined
  let stop = false

  before(async () => {
    chain = await openDevChain()
    rpc = await startRpcServer(chain, { port: 0 })
    dir = mkdtempSync(join(tmpdir(), 'lucid-payout-income-'))
    const [k0, k1] = devDisburserKeys()
    for (const [name, key] of [['d0', k0], ['d1', k1], ['stranger', ethers.id('not a disburser')]] as const) {
      const w = new ethers.Wallet(key)
      files[name] = join(dir, `${name}.json`)
      writeFileSync(files[name], await ethers.encryptKeystoreJson({ address: w.address, privateKey: w.privateKey }, passphrase, { scrypt: { N: 1 << 10 } }))
    }
    producing = (async () => {
      while (!stop) {
        if (chain.mempool.size > 0) await produce(chain)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
  })
  after(async () => {
    stop = true
    await producing
    await rpc.close()
    await chain.close()
    removeChainDirs()
    rmSync(dir, { recursive: true, force: true })
  })

  const flags = (more: Partial<PayoutIncomeFlags>): PayoutIncomeFlags => ({ rpc: rpc.url, gross: '50000.5', networkFee: '0.25', keyFile: [files.d0, files.d1], ...more })
  const refused = async (epoch: string, f: Partial<PayoutIncomeFlags>, want: RegExp, exitCode: number): Promise<void> => {
    await assert.rejects(runPayoutIncome(epoch, flags(f), env, () => {}), (e: Error) => {
      if (!(e instanceof UsageError)) assert.fail(`not a UsageError: ${e.stack ?? e.message}`)
      if (!want.test(e.message)) assert.fail(e.message)
      assert.equal(e.exitCode, exitCode, e.message)
      return true
    })
  }

  it('refuses bad flags, each naming its flag, before sending anything', async () => {
    await refused('one', {}, /^<epoch>: expected a non-negative integer \(a payout epoch\), got one$/, 2)
    await refused('-1', {}, /^<epoch>: expected a non-negative integer/, 2)
    await refused('1.5', {}, /^<epoch>: expected a non-negative integer/, 2)
    await refused('1', { gross: '-5' }, /^--gross: a USD amount cannot be negative, got -5$/, 2)
    await refused('1', { gross: '1.1234567' }, /^--gross: at most 6 decimals \(USD is counted in millionths\), got 1\.1234567$/, 2)
    await refused('1', { gross: '12abc' }, /^--gross: expected a USD amount like 1234\.5/, 2)
    await refused('1', { gross: '1,000' }, /^--gross: expected a USD amount/, 2)
    await refused('1', { networkFee: '1e3' }, /^--network-fee: expected a USD amount like 1234\.5/, 2)
    await refused('1', { networkFee: '' }, /^--network-fee: expected a USD amount/, 2)
    await refused('1', { networkFee: '-0.5' }, /^--network-fee: a USD amount cannot be negative/, 2)
    await refused('1', { rpc: 'ftp://localhost' }, /^--rpc: expected an http\(s\) URL/, 2)
    await refused('1', { contract: '0x1234' }, /^--contract: not an address: 0x1234$/, 2)
    await refused('1', { dev: true }, /^--dev and --key-file exclude each other$/, 2)
    await refused('1', { keyFile: [files.d0] }, /^the declaration needs 2 of the 3 disbursers: pass --key-file twice/, 2)
    await refused('1', { keyFile: [files.d0, files.d0] }, /^--key-file: the same key was given twice$/, 2)
    await refused('1', { keyFile: [files.d0, join(dir, 'absent.json')] }, /^--key-file .*absent\.json: cannot read: ENOENT$/, 1)
    await assert.rejects(runPayoutIncome('1', flags({}), { LUCID_DISBURSER_PASSPHRASE: 'wrong' }, () => {}), /^UsageError: --key-file .*d0\.json: cannot decrypt \(wrong passphrase\)$/)
    assert.deepEqual(await view(chain, 'incomeOf', [1]), [false, 0n, 0n], 'nothing was declared')
  })

  it('declares with two keystores: a dry run sends nothing, then incomeOf reads the declaration back', async () => {
    const dry = await runPayoutIncome('0', flags({ dryRun: true }), env, () => {})
    assert.equal(dry.dryRun, true)
    assert.equal(dry.txHash, undefined)
    assert.deepEqual(await view(chain, 'incomeOf', [0]), [false, 0n, 0n], 'a dry run declares nothing')

    const r = await runPayoutIncome('0', flags({}), env, () => {})
    assert.deepEqual([r.epoch, r.grossUsd6, r.networkFeeUsd6, r.sharedAtEpoch, r.dryRun], [0, '50000500000', '250000', 1, false])
    assert.equal(r.contract, chain.genesis.contracts.PayoutBatches)
    assert.equal(r.sender, new ethers.Wallet(devDisburserKeys()[0]).address, 'sent by the first key')
    assert.deepEqual(r.signers, [...r.signers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)), 'signatures ascending by signer')
    assert.ok(r.txHash !== undefined && r.blockNumber !== undefined)
    assert.deepEqual(await view(chain, 'incomeOf', [0]), [true, 50_000_500_000n, 250_000n])
    assert.match(describeIncome(r).join('\n'), /^epoch 0: income declared, 50000\.5 USD gross, 0\.25 USD network fee per payout transfer\n {2}block \d+, tx 0x[0-9a-f]{64}/)
  })

  it('refuses a second declaration, a key that is not a disburser\'s, and an epoch whose entitlements are written', async () => {
    await refused('0', { keyFile: undefined, dev: true, gross: '1' },
      /^PayoutBatches refused epoch 0's income declaration: IncomeAlreadyDeclared: epoch 0's income is already declared \(50000\.5 USD gross, 0\.25 USD network fee\): one declaration per epoch$/, 1)
    const stranger = new ethers.Wallet(ethers.id('not a disburser')).address
    await refused('3', { keyFile: [files.stranger, files.d0] }, new RegExp(`^PayoutBatches refused epoch 3's income declaration: NotDisburser: the sender ${stranger} \\(the first key\\) is not a current disburser`), 1)
    await refused('3', { keyFile: [files.d0, files.stranger] }, new RegExp(`^PayoutBatches refused epoch 3's income declaration: UnknownSigner: ${stranger} is not a current disburser`), 1)
    assert.deepEqual(await view(chain, 'incomeOf', [3]), [false, 0n, 0n])

    // the first block of payout epoch 1 shares epoch 0's declared income out (a non-zero root)
    const P = chain.genesis.payout
    assert.ok(chain.headPoot.slot < P.epochSlots, 'declared within payout epoch 0')
    while (chain.headPoot.slot < P.epochSlots) await produce(chain)
    const [written, root] = await view(chain, 'entitlementsOf', [0])
    assert.equal(written, true)
    assert.notEqual(root, ethers.ZeroHash, 'the declared income is shared out')
    await refused('0', { keyFile: undefined, dev: true },
      /^PayoutBatches refused epoch 0's income declaration: EntitlementsAlreadyWritten: the chain already wrote epoch 0's entitlements \(at the first block of epoch 1\)/, 1)
  })
})
