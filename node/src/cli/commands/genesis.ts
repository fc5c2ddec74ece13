/**
 * `lucid genesis create`: writes a chain's genesis file (docs/chain.md), checked and built once (contracts
 * deployed into the state) before it is written, and prints the genesis block hash every node must agree on.
 */
import { Command } from 'commander'
import { existsSync } from 'node:fs'
import { bytesToHex } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { createBlockchain } from '@ethereumjs/blockchain'
import { DEFAULT_PARAMS } from '../../../../protocols/poot/index.js'
import { UsageError } from '../usage-error.js'
import { buildGenesis } from '../../chain/genesis.js'
import { checkGenesisSpec, type GenesisSpec } from '../../chain/genesis-spec.js'
import { devGenesisSpec, timingFor } from '../../chain/dev.js'
import { writeGenesisFile } from '../../chain/open.js'
import { SYSTEM_ADDRESS } from '../../chain/system.js'

const collect = (v: string, prev: string[]): string[] => [...prev, v]

function pair (flag: string, text: string, sep: string): [string, string] {
  const i = text.lastIndexOf(sep)
  if (i <= 0) throw new UsageError(`${flag}: expected A${sep}B, got ${text}`)
  return [text.slice(0, i), text.slice(i + 1)]
}

function addr (flag: string, text: string): string {
  if (!ethers.isAddress(text)) throw new UsageError(`${flag}: not an address: ${text}`)
  return ethers.getAddress(text)
}

interface Opts { out: string, dev?: boolean, force?: boolean, chainId: string, slotMs: string, genesisTime?: string, server?: string, entity: string[], alloc: string[], disbursers?: string }

export function genesisCommand (): Command {
  const cmd = new Command('genesis').description('the chain\'s genesis file')
  cmd.command('create')
    .description('write a genesis file: entities, Server, allocation, slot length; the Lucid contracts are deployed in its state')
    .requiredOption('--out <file>', 'where to write the genesis JSON')
    .option('--dev', 'the development genesis (well-known keys; all other flags but --slot-ms and --genesis-time ignored)')
    .option('--chain-id <n>', 'EIP-155 chain id', '4141')
    .option('--slot-ms <n>', 'slot length in ms, fixed for the life of the chain', String(DEFAULT_PARAMS.slotMs))
    .option('--genesis-time <ms|iso>', 'when slot 0 starts (default: now, rounded down to the second)')
    .option('--server <nodeId:rewardAddress>', 'the Server entity\'s node (64 hex) and reward address')
    .option('--entity <nodeId:rewardAddress>', 'a solo entity (repeatable)', collect, [])
    .option('--alloc <address=wei>', 'an initial balance (repeatable)', collect, [])
    .option('--disbursers <a,b,c>', 'the 2-of-3 payout disbursers')
    .option('--force', 'overwrite an existing file')
    .action(async (o: Opts) => {
      if (existsSync(o.out) && o.force !== true) throw new UsageError(`--out: ${o.out} exists (use --force to overwrite)`)
      const slotMs = Number(o.slotMs)
      if (!Number.isInteger(slotMs) || slotMs < 1001) throw new UsageError(`--slot-ms: expected an integer ≥ 1001, got ${o.slotMs}`)
      let genesisMs = Date.now()
      if (o.genesisTime !== undefined) {
        genesisMs = /^\d+$/.test(o.genesisTime) ? Number(o.genesisTime) : Date.parse(o.genesisTime)
        if (!Number.isSafeInteger(genesisMs)) throw new UsageError(`--genesis-time: not a time: ${o.genesisTime}`)
      }
      genesisMs -= genesisMs % 1000
      let spec: GenesisSpec
      if (o.dev === true) spec = devGenesisSpec({ slotMs, genesisMs })
      else {
        const chainId = Number(o.chainId)
        if (!Number.isSafeInteger(chainId) || chainId < 1) throw new UsageError(`--chain-id: not a positive integer: ${o.chainId}`)
        if (o.server === undefined) throw new UsageError('--server is required (or --dev)')
        if (o.disbursers === undefined) throw new UsageError('--disbursers is required (or --dev)')
        const [serverNode, serverReward] = pair('--server', o.server, ':')
        const disbursers = o.disbursers.split(',').map((d) => addr('--disbursers', d.trim()))
        if (disbursers.length !== 3) throw new UsageError('--disbursers: expected three addresses')
        spec = {
          version: 1,
          chainId,
          hardfork: 'cancun',
          genesisMs,
          genesisSeed: ethers.hexlify(ethers.randomBytes(32)),
          gasLimit: '30000000',
          baseFeePerGas: '1000000000',
          params: { ...DEFAULT_PARAMS, ...timingFor(slotMs) },
          server: { node: serverNode, rewardAddress: addr('--server', serverReward) },
          entities: o.entity.map((e) => { const [node, reward] = pair('--entity', e, ':'); return { members: [node], threshold: 1, rewardAddress: addr('--entity', reward) } }),
          alloc: Object.fromEntries(o.alloc.map((a) => { const [k, v] = pair('--alloc', a, '='); if (!/^\d+$/.test(v)) throw new UsageError(`--alloc: not a wei amount: ${v}`); return [addr('--alloc', k), v] })),
          contracts: { disbursers: disbursers as [string, string, string], systemAddress: SYSTEM_ADDRESS, timelockDelay: 2 * 86400, votingDelay: 720, votingPeriod: 5040, quorumPercent: 10 }
        }
      }
      let checked: GenesisSpec
      try { checked = checkGenesisSpec(spec) } catch (e) { throw new UsageError((e as Error).message, 1) }
      const g = await buildGenesis(checked)
      const blockchain = await createBlockchain({ common: g.common, genesisState: g.state })
      await writeGenesisFile(o.out, checked)
      process.stdout.write(`genesis ${o.out}: chain ${checked.chainId}, genesis block ${bytesToHex(blockchain.genesisBlock.hash())}\n`)
      for (const [name, a] of Object.entries(g.contracts)) process.stdout.write(`  ${name} ${a}\n`)
    })
  return cmd
}
