// `lucid contracts deploy`: flag validation (before any network use) and a real deployment over JSON-RPC.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { ethers } from 'ethers'
import { contractsCommand, readDeployerKey, runContractsDeploy, type ContractsDeployFlags } from '../../node/src/cli/commands/contracts.js'
import { loadArtifact } from '../../contracts/index.js'
import { getChain } from './support/chain.js'
import { wallets } from './support/contracts.js'

const signers = wallets(3, 'cli').map((w) => w.address)
const pauser = wallets(1, 'cli/pauser')[0].address

function program (): { prog: Command, out: () => string, err: () => string } {
  let out = ''
  let err = ''
  const prog = new Command('lucid').exitOverride().configureOutput({ writeOut: (s) => { out += s }, writeErr: (s) => { err += s } })
  const cmd = contractsCommand()
  cmd.exitOverride().configureOutput({ writeOut: (s) => { out += s }, writeErr: (s) => { err += s } })
  for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: (s) => { out += s }, writeErr: (s) => { err += s } })
  prog.addCommand(cmd)
  return { prog, out: () => out, err: () => err }
}

function flags (over: Partial<ContractsDeployFlags> = {}): ContractsDeployFlags {
  return { rpc: 'http://127.0.0.1:8545', out: 'contracts.json', disbursers: signers.join(','), pauser, system: '0xfffffffffffffffffffffffffffffffffffffffe', timelockDelay: '172800', votingDelay: '720', votingPeriod: '5040', quorumPercent: '10', ...over }
}

const KEY = '0x' + '11'.repeat(32)

describe('contracts: lucid contracts deploy (CLI)', function () {
  this.timeout(120_000)
  let dir: string
  beforeEach(function () { dir = mkdtempSync(join(tmpdir(), 'lucid-contracts-cli-')) })
  afterEach(function () { rmSync(dir, { recursive: true, force: true }) })

  it('--help names every flag and says where the key comes from', async function () {
    const { prog, out } = program()
    await assert.rejects(prog.parseAsync(['node', 'lucid', 'contracts', 'deploy', '--help']), (e: { code?: string }) => e.code === 'commander.helpDisplayed')
    for (const flag of ['--rpc', '--key-file', '--out', '--disbursers', '--pauser', '--token', '--compliance', '--system', '--timelock-delay', '--voting-delay', '--voting-period', '--quorum-percent', 'LUCID_DEPLOYER_KEY']) {
      assert.ok(out().includes(flag), `help lacks ${flag}`)
    }
  })

  it('has no flag that takes a private key, and needs --rpc', async function () {
    const { prog } = program()
    await assert.rejects(prog.parseAsync(['node', 'lucid', 'contracts', 'deploy', '--rpc', 'http://x', '--disbursers', signers.join(','), '--pauser', pauser, '--key', KEY]), (e: { code?: string }) => e.code === 'commander.unknownOption')
    const p2 = program()
    await assert.rejects(p2.prog.parseAsync(['node', 'lucid', 'contracts', 'deploy', '--disbursers', signers.join(','), '--pauser', pauser]), (e: { code?: string }) => e.code === 'commander.missingMandatoryOptionValue')
  })

  it('refuses bad flags with one clear message, before touching the network', async function () {
    const env = { LUCID_DEPLOYER_KEY: KEY }
    const cases: Array<[Partial<ContractsDeployFlags>, RegExp]> = [
      [{ rpc: 'not a url' }, /^--rpc: not a URL: not a url$/],
      [{ rpc: 'ftp://host/' }, /^--rpc: expected an http\(s\) or ws\(s\) URL/],
      [{ disbursers: signers.slice(0, 2).join(',') }, /^--disbursers: expected three/],
      [{ disbursers: `${signers[0]},${signers[1]},0x12` }, /^--disbursers: not an address: 0x12$/],
      [{ pauser: 'alice' }, /^--pauser: not an address/],
      [{ token: signers[0] }, /^--token needs --compliance/],
      [{ quorumPercent: '0' }, /^--quorum-percent: 0 is outside \[1, 100\]$/],
      [{ votingPeriod: '-3' }, /^--voting-period: expected an integer/]
    ]
    for (const [over, re] of cases) {
      await assert.rejects(runContractsDeploy(flags(over), env, () => {}), (e: Error) => re.test(e.message) && !e.message.includes('\n'), JSON.stringify(over))
    }
    await assert.rejects(runContractsDeploy(flags(), {}, () => {}), /^Error: no deployer key: pass --key-file FILE or set LUCID_DEPLOYER_KEY$/)
    await assert.rejects(runContractsDeploy(flags({ rpc: 'http://127.0.0.1:1' }), env, () => {}), /^Error: --rpc: cannot reach http:\/\/127\.0\.0\.1:1/)
  })

  it('reads the key from --key-file (with or without 0x, trailing newline) before the environment', function () {
    const file = join(dir, 'key')
    writeFileSync(file, '22'.repeat(32) + '\n')
    assert.equal(readDeployerKey(file, { LUCID_DEPLOYER_KEY: KEY }), '0x' + '22'.repeat(32))
    assert.equal(readDeployerKey(undefined, { LUCID_DEPLOYER_KEY: KEY }), KEY)
    assert.throws(() => readDeployerKey(join(dir, 'missing'), {}), /^Error: --key-file: cannot read/)
    writeFileSync(file, 'abc')
    assert.throws(() => readDeployerKey(file, {}), /32 bytes of hex/)
  })

  it('deploys and wires everything over JSON-RPC and writes the addresses', async function () {
    const chain = await getChain()
    if (!chain.external) {
      const addrs = await Promise.all(chain.accounts.map(async (a) => await a.getAddress()))
      assert.ok(addrs.includes(new ethers.Wallet(chain.fundedKey).address), 'the fixed test key is one of EDR\'s accounts')
    }
    const token = ethers.Wallet.createRandom().address // any address will do: the routers only store it
    const keyFile = join(dir, 'deployer.key')
    writeFileSync(keyFile, chain.fundedKey + '\n')
    const out = join(dir, 'contracts.json')
    const lines: string[] = []
    const d = await runContractsDeploy(flags({ rpc: await chain.rpcUrl(), keyFile, out, token, compliance: signers[0], timelockDelay: '60', votingDelay: '1', votingPeriod: '10' }), {}, (l) => lines.push(l))
    const written = JSON.parse(readFileSync(out, 'utf8')) as typeof d
    assert.deepEqual(written, JSON.parse(JSON.stringify(d)))
    assert.deepEqual(Object.keys(written.contracts).sort(), ['LucidAnchors', 'LucidGovernor', 'LucidTimelock', 'NodeEligibility', 'ParamRegistry', 'PayoutRouterKYC', 'PayoutRouterV0'])
    assert.equal(written.deployer, new ethers.Wallet(chain.fundedKey).address)
    for (const [name, address] of Object.entries(written.contracts)) {
      assert.notEqual(await chain.provider.getCode(address!), '0x', `${name} has no code`)
    }
    // LucidAnchors has no immutables, so its code on chain is exactly the committed runtime bytecode
    assert.equal(await chain.provider.getCode(written.contracts.LucidAnchors!), loadArtifact('LucidAnchors').deployedBytecode)
    const tl = new ethers.Contract(written.contracts.LucidTimelock!, loadArtifact('LucidTimelock').abi as ethers.InterfaceAbi, chain.provider)
    assert.equal(await tl.hasRole(await tl.DEFAULT_ADMIN_ROLE(), written.deployer), false)
    assert.equal(await tl.getMinDelay(), 60n)
    assert.ok(lines.some((l) => l.startsWith('LucidGovernor 0x')))
  })
})
