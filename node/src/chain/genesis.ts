/**
 * The genesis state: the allocation, plus the Lucid contracts deployed INTO it. Their constructors write storage
 * and immutables, so each one is run once in a scratch VM (in-memory SimpleStateManager) and the resulting code,
 * storage and nonce are copied into the genesis state, the same way on every node. The Timelock is wired as
 * `lucid contracts deploy` wires it: the Governor proposes and cancels, anyone executes, no admin remains.
 * PayoutBatches (the payout batch commitments the TRON sidecar follows) reads its committers from ParamRegistry and
 * also accepts the system address; it exists only in genesis (`lucid contracts deploy` does not deploy it).
 */
import { ethers } from 'ethers'
import { createVM } from '@ethereumjs/vm'
import { SimpleStateManager } from '@ethereumjs/statemanager'
import { createAddressFromString, bytesToHex, hexToBytes, type Address } from '@ethereumjs/util'
import type { Common, GenesisState } from '@ethereumjs/common'
import { loadArtifact, type ContractName } from '../../../contracts/index.js'
import { buildRegistry, genesisState as pootGenesisState, poolEntity, soloEntity, verifyInclusion, type PayoutParams, type PootConfig, type ChainState } from '../../../protocols/poot/index.js'
import { makeCommon, type CommonSpec } from './common.js'
import { payoutParamsOf, type GenesisSpec } from './genesis-spec.js'

export const GENESIS_CONTRACTS = ['LucidAnchors', 'NodeEligibility', 'LucidTimelock', 'LucidGovernor', 'ParamRegistry', 'PayoutBatches'] as const
export type GenesisContract = typeof GENESIS_CONTRACTS[number]

/** Deploys nothing after genesis and holds no key: contract addresses are CREATE addresses of its nonces 0…5. */
export const GENESIS_DEPLOYER = ethers.getAddress('0x' + ethers.keccak256(ethers.toUtf8Bytes('lucid/genesis-deployer')).slice(26))

export interface Genesis {
  spec: GenesisSpec
  common: Common
  /** what `common` is made from (the execution worker makes its own) */
  commonSpec: CommonSpec
  state: GenesisState
  contracts: Record<GenesisContract, string>
  poot: PootConfig
  pootGenesis: ChainState
  /** entity id → reward address */
  rewardAddresses: Map<string, string>
  /** the payout computation's parameters (the system write of each payout epoch's entitlements) */
  payout: PayoutParams
}

export async function buildGenesis (spec: GenesisSpec): Promise<Genesis> {
  const entities = spec.entities.map((e) => e.members.length === 1 && e.threshold === 1 ? soloEntity(e.members[0]) : poolEntity(e.members, e.threshold))
  const registry = buildRegistry(entities, spec.server.node)
  if (!registry.ok) throw new Error(`genesis: entities: ${registry.reason}`)
  const poot: PootConfig = {
    params: spec.params,
    registry: registry.value,
    catalog: [],
    genesisMs: spec.genesisMs,
    genesisSeed: hexToBytes(spec.genesisSeed as `0x${string}`),
    verifyInclusion
  }
  const pootGenesis = pootGenesisState(poot)
  const rewardAddresses = new Map<string, string>([[registry.value.server.id, spec.server.rewardAddress]])
  entities.forEach((e, i) => rewardAddresses.set(e.id, spec.entities[i].rewardAddress))

  const commonSpec: CommonSpec = {
    chainId: spec.chainId,
    hardfork: spec.hardfork,
    gasLimit: BigInt(spec.gasLimit),
    baseFeePerGas: BigInt(spec.baseFeePerGas),
    timestamp: Math.floor(spec.genesisMs / 1000),
    // the EVM genesis names the PoOT genesis it starts from
    extraData: '0x' + pootGenesis.hash
  }
  const common = makeCommon(commonSpec)
  const { state, contracts } = await deployIntoGenesis(common, spec)
  for (const [address, balance] of Object.entries(spec.alloc)) {
    const key = address.toLowerCase() as `0x${string}`
    if (key in state) throw new Error(`genesis: alloc.${address}: collides with a genesis contract`)
    state[key] = ethers.toQuantity(BigInt(balance)) as `0x${string}`
  }
  return { spec, common, commonSpec, state, contracts, poot, pootGenesis, rewardAddresses, payout: payoutParamsOf(spec) }
}

async function deployIntoGenesis (common: Common, spec: GenesisSpec): Promise<{ state: GenesisState, contracts: Record<GenesisContract, string> }> {
  const stateManager = new SimpleStateManager({ common })
  const vm = await createVM({ common: common.copy(), stateManager })
  const caller = createAddressFromString(GENESIS_DEPLOYER)
  const contracts = {} as Record<GenesisContract, string>
  const run = async (label: string, data: string, to?: Address): Promise<Address | undefined> => {
    const r = await vm.evm.runCall({ caller, to, data: hexToBytes(data as `0x${string}`), gasLimit: 100_000_000n })
    if (r.execResult.exceptionError !== undefined) throw new Error(`genesis: ${label} failed: ${r.execResult.exceptionError.error}`)
    return r.createdAddress
  }
  const deploy = async (name: GenesisContract, ...args: unknown[]): Promise<string> => {
    const a = loadArtifact(name as ContractName)
    const data = a.bytecode + new ethers.Interface(a.abi as ethers.InterfaceAbi).encodeDeploy(args).slice(2)
    const created = await run(name, data)
    if (created === undefined) throw new Error(`genesis: ${name} created no contract`)
    contracts[name] = ethers.getAddress(created.toString())
    return contracts[name]
  }
  const c = spec.contracts
  await deploy('LucidAnchors')
  const eligibility = await deploy('NodeEligibility', c.systemAddress)
  const timelock = await deploy('LucidTimelock', c.timelockDelay, [], [ethers.ZeroAddress], GENESIS_DEPLOYER)
  const governor = await deploy('LucidGovernor', eligibility, timelock, c.votingDelay, c.votingPeriod, c.quorumPercent)
  const tl = new ethers.Interface(loadArtifact('LucidTimelock').abi as ethers.InterfaceAbi)
  const role = (name: string): string => ethers.keccak256(ethers.toUtf8Bytes(name))
  const tlAddress = createAddressFromString(timelock)
  await run('grant proposer', tl.encodeFunctionData('grantRole', [role('PROPOSER_ROLE'), governor]), tlAddress)
  await run('grant canceller', tl.encodeFunctionData('grantRole', [role('CANCELLER_ROLE'), governor]), tlAddress)
  await run('renounce admin', tl.encodeFunctionData('renounceRole', [ethers.ZeroHash, GENESIS_DEPLOYER]), tlAddress)
  const registry = await deploy('ParamRegistry', timelock, c.disbursers)
  // last, so that the addresses of the contracts above stay what they were before it existed
  await deploy('PayoutBatches', registry, c.systemAddress)

  // copy code, storage and nonce of each contract (SimpleStateManager keys storage as `${address}_${slot}`)
  const storage = (stateManager as unknown as { topStorageStack: () => Map<string, Uint8Array> }).topStorageStack()
  const state: GenesisState = {}
  for (const address of Object.values(contracts)) {
    const addr = createAddressFromString(address)
    const account = await stateManager.getAccount(addr)
    const code = await stateManager.getCode(addr)
    const prefix = addr.toString() + '_'
    const slots: Array<[`0x${string}`, `0x${string}`]> = []
    for (const [k, v] of storage) {
      if (!k.startsWith(prefix) || v.every((b) => b === 0)) continue
      slots.push([k.slice(prefix.length) as `0x${string}`, bytesToHex(v)])
    }
    slots.sort((a, b) => a[0] < b[0] ? -1 : 1)
    state[address.toLowerCase() as `0x${string}`] = ['0x0', bytesToHex(code), slots, ethers.toQuantity(account?.nonce ?? 1n) as `0x${string}`]
  }
  return { state, contracts }
}
