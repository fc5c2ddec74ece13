/**
 * The development chain: well-known keys (like Hardhat's and Anvil's), never for value. A dev chain has
 * `cooldownSlots + 1` solo entities whose keys the one process holds, so every slot has an eligible primary.
 */
import { ethers } from 'ethers'
import { DEFAULT_PARAMS, nodeKeyFromSeed, soloEntity, type NodeKey, type PootParams } from '../../../protocols/poot/index.js'
import type { GenesisSpec } from './genesis-spec.js'
import { SYSTEM_ADDRESS } from './system.js'

export const DEV_CHAIN_ID = 4141
/** printed by `lucid chain run --dev` */
export const DEV_ACCOUNT_COUNT = 10
/** funded in the dev genesis: the printed ten and more for parallel test runs (devAccountKeys(DEV_FUNDED_ACCOUNTS)) */
export const DEV_FUNDED_ACCOUNTS = 128
const DEV_BALANCE = 10n ** 24n // one million LUCID

const seed = (label: string): Uint8Array => ethers.getBytes(ethers.sha256(ethers.toUtf8Bytes(label)))

export function devAccountKeys (n = DEV_ACCOUNT_COUNT): string[] {
  return Array.from({ length: n }, (_, i) => ethers.keccak256(ethers.toUtf8Bytes(`lucid/dev/account/${i}`)))
}

/** The dev genesis's ParamRegistry disbursers are dev accounts 7, 8 and 9 (`lucid payout commit --dev` signs with them). */
export const DEV_DISBURSER_ACCOUNTS = [7, 8, 9] as const

export function devDisburserKeys (): [string, string, string] {
  const keys = devAccountKeys(DEV_ACCOUNT_COUNT)
  return DEV_DISBURSER_ACCOUNTS.map((i) => keys[i]) as [string, string, string]
}

export function devNodeKeys (n: number): NodeKey[] {
  return Array.from({ length: n }, (_, i) => nodeKeyFromSeed(seed(`lucid/dev/node/${i}`)))
}

export const devServerKey = (): NodeKey => nodeKeyFromSeed(seed('lucid/dev/server'))

/** Slot timing inside PoOT's bounds: (maxFallbacks + 1) · slotTimeoutMs < slotMs, timeout in [1000, 5000]. */
export function timingFor (slotMs: number): Pick<PootParams, 'slotMs' | 'slotTimeoutMs' | 'maxFallbacks'> {
  const slotTimeoutMs = Math.max(1000, Math.min(5000, Math.floor(slotMs / 4)))
  const maxFallbacks = Math.max(0, Math.min(8, Math.ceil(slotMs / slotTimeoutMs) - 2))
  return { slotMs, slotTimeoutMs, maxFallbacks }
}

export const DEV_PAYOUT_EPOCH_SLOTS = 32

export interface DevOptions { slotMs?: number, genesisMs: number, chainId?: number, entities?: number }

export function devGenesisSpec (o: DevOptions): GenesisSpec {
  const params: PootParams = { ...DEFAULT_PARAMS, ...timingFor(o.slotMs ?? 1500), cooldownSlots: 8, creditWindowDays: 3, heartbeatIntervalMs: 10_000, epochSlots: 16 }
  const nodes = devNodeKeys(o.entities ?? params.cooldownSlots + 1)
  const accounts = devAccountKeys(DEV_FUNDED_ACCOUNTS).map((k) => ethers.computeAddress(k))
  return {
    version: 1,
    chainId: o.chainId ?? DEV_CHAIN_ID,
    hardfork: 'cancun',
    genesisMs: o.genesisMs,
    genesisSeed: ethers.hexlify(seed('lucid/dev/genesis-seed')),
    gasLimit: '30000000',
    baseFeePerGas: '1000000000',
    params,
    // payout epochs of 32 slots (48 s at 1.5 s), so tests and `lucid devnet` see the payout system write
    payout: { epochSlots: DEV_PAYOUT_EPOCH_SLOTS },
    server: { node: devServerKey().id, rewardAddress: accounts[0] },
    entities: nodes.map((k, i) => ({ members: soloEntity(k.id).members as string[], threshold: 1, rewardAddress: accounts[i % DEV_ACCOUNT_COUNT] })),
    alloc: Object.fromEntries([...accounts.map((a) => [a, DEV_BALANCE.toString()]), [SYSTEM_ADDRESS, '0']]),
    contracts: {
      disbursers: DEV_DISBURSER_ACCOUNTS.map((i) => accounts[i]) as [string, string, string],
      systemAddress: SYSTEM_ADDRESS,
      timelockDelay: 60,
      votingDelay: 1,
      votingPeriod: 20,
      quorumPercent: 10
    }
  }
}
