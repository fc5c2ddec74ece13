/**
 * The genesis file (`lucid genesis create` writes it, every node of a chain reads the same one): chain id, fork,
 * block gas limit, slot timing and PoOT parameters, the entities and the Server, the initial allocation and the
 * settings of the contracts deployed into the genesis state. Checked field by field; errors name the field.
 */
import { DEFAULT_PARAMS, DEFAULT_PAYOUT_PARAMS, checkParams, checkPayoutParams, type PayoutParams, type PootParams } from '../../../protocols/poot/index.js'
import type { ChainHardfork } from './common.js'

export interface GenesisEntity {
  /** Ed25519 node ids (64 hex chars), ordered; one member = a solo entity */
  members: string[]
  threshold: number
  /** where this entity's block rewards are minted (EVM address) */
  rewardAddress: string
}

export interface GenesisSpec {
  version: 1
  chainId: number
  hardfork: ChainHardfork
  /** wall-clock ms at which slot 0 starts; the EVM genesis timestamp is ⌊genesisMs / 1000⌋ */
  genesisMs: number
  /** hex, ≥ 16 bytes */
  genesisSeed: string
  gasLimit: string
  baseFeePerGas: string
  params: PootParams
  /**
   * The chain's payout computation (protocols/poot/payouts.ts): the payout epoch in slots, the minimum entitlement
   * (USD, 6 decimals, decimal string) and the platform fee; absent fields are the defaults (monthly epochs, $10, 0).
   */
  payout?: { epochSlots?: number, minPayoutUsd6?: string, platformFeeBps?: number }
  server: { node: string, rewardAddress: string }
  entities: GenesisEntity[]
  /** address → balance in wei (decimal string) */
  alloc: Record<string, string>
  contracts: {
    disbursers: [string, string, string]
    systemAddress: string
    timelockDelay: number
    votingDelay: number
    votingPeriod: number
    quorumPercent: number
  }
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/
const NODE_ID = /^[0-9a-f]{64}$/

/** Returns the spec typed, or throws one error naming the first bad field. */
export function checkGenesisSpec (raw: unknown): GenesisSpec {
  const fail = (field: string, what: string): never => { throw new Error(`genesis: ${field}: ${what}`) }
  if (typeof raw !== 'object' || raw === null) fail('(root)', 'not an object')
  const s = raw as Record<string, any>
  if (s.version !== 1) fail('version', 'must be 1')
  if (!Number.isSafeInteger(s.chainId) || s.chainId < 1) fail('chainId', 'not a positive integer')
  if (s.hardfork !== 'cancun' && s.hardfork !== 'prague') fail('hardfork', "must be 'cancun' or 'prague'")
  if (!Number.isSafeInteger(s.genesisMs) || s.genesisMs < 0) fail('genesisMs', 'not a non-negative integer')
  if (typeof s.genesisSeed !== 'string' || !/^0x([0-9a-f]{2}){16,}$/.test(s.genesisSeed)) fail('genesisSeed', 'not hex of at least 16 bytes')
  for (const f of ['gasLimit', 'baseFeePerGas']) if (typeof s[f] !== 'string' || !/^[0-9]+$/.test(s[f]) || BigInt(s[f]) <= 0n) fail(f, 'not a positive decimal string')
  if (BigInt(s.gasLimit) < 5000n || BigInt(s.gasLimit) > 2n ** 50n) fail('gasLimit', 'out of range')
  const params = { ...DEFAULT_PARAMS, ...(s.params ?? {}) }
  const p = checkParams(params)
  if (!p.ok) fail('params', p.reason)
  if (s.payout !== undefined) payoutParamsOf(s as GenesisSpec)
  if (typeof s.server?.node !== 'string' || !NODE_ID.test(s.server.node)) fail('server.node', 'not a node id')
  if (typeof s.server?.rewardAddress !== 'string' || !HEX_ADDRESS.test(s.server.rewardAddress)) fail('server.rewardAddress', 'not an address')
  if (!Array.isArray(s.entities)) fail('entities', 'not an array')
  s.entities.forEach((e: any, i: number) => {
    if (!Array.isArray(e?.members) || e.members.length === 0 || !e.members.every((m: unknown) => typeof m === 'string' && NODE_ID.test(m))) fail(`entities[${i}].members`, 'not a list of node ids')
    if (!Number.isSafeInteger(e.threshold)) fail(`entities[${i}].threshold`, 'not an integer')
    // each member signs one header per slot: a majority threshold keeps two leaders of a slot from both reaching it
    if (e.members.length > 1 && 2 * e.threshold <= e.members.length) fail(`entities[${i}].threshold`, `a pool of ${e.members.length} members needs more than half of them (at least ${Math.floor(e.members.length / 2) + 1}), or two of its members could each gather a block for one slot: an equivocation`)
    if (typeof e.rewardAddress !== 'string' || !HEX_ADDRESS.test(e.rewardAddress)) fail(`entities[${i}].rewardAddress`, 'not an address')
  })
  if (typeof s.alloc !== 'object' || s.alloc === null) fail('alloc', 'not an object')
  for (const [a, v] of Object.entries(s.alloc)) {
    if (!HEX_ADDRESS.test(a)) fail(`alloc.${a}`, 'not an address')
    if (typeof v !== 'string' || !/^[0-9]+$/.test(v)) fail(`alloc.${a}`, 'balance is not a decimal string')
  }
  const c = s.contracts
  if (!Array.isArray(c?.disbursers) || c.disbursers.length !== 3 || !c.disbursers.every((d: unknown) => typeof d === 'string' && HEX_ADDRESS.test(d))) fail('contracts.disbursers', 'not three addresses')
  if (new Set(c.disbursers.map((d: string) => d.toLowerCase())).size !== 3) fail('contracts.disbursers', 'not distinct')
  if (typeof c.systemAddress !== 'string' || !HEX_ADDRESS.test(c.systemAddress)) fail('contracts.systemAddress', 'not an address')
  for (const f of ['timelockDelay', 'votingDelay', 'votingPeriod', 'quorumPercent']) if (!Number.isSafeInteger(c[f]) || c[f] < 0) fail(`contracts.${f}`, 'not a non-negative integer')
  return { ...s, params } as GenesisSpec
}

/** The payout parameters of a genesis (checked; errors name the field). */
export function payoutParamsOf (spec: GenesisSpec): PayoutParams {
  const fail = (field: string, what: string): never => { throw new Error(`genesis: payout.${field}: ${what}`) }
  const o = spec.payout ?? {}
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('(root)', 'not an object')
  for (const k of Object.keys(o)) if (!['epochSlots', 'minPayoutUsd6', 'platformFeeBps'].includes(k)) fail(k, 'unknown field (expected epochSlots, minPayoutUsd6, platformFeeBps)')
  if (o.epochSlots !== undefined && (!Number.isSafeInteger(o.epochSlots) || o.epochSlots < 1)) fail('epochSlots', 'not a positive integer')
  if (o.minPayoutUsd6 !== undefined && (typeof o.minPayoutUsd6 !== 'string' || !/^[0-9]+$/.test(o.minPayoutUsd6))) fail('minPayoutUsd6', 'not a decimal string')
  if (o.platformFeeBps !== undefined && (!Number.isSafeInteger(o.platformFeeBps) || o.platformFeeBps < 0 || o.platformFeeBps > 10_000)) fail('platformFeeBps', 'not an integer in [0, 10000]')
  const p: PayoutParams = {
    ...DEFAULT_PAYOUT_PARAMS,
    ...(o.epochSlots !== undefined ? { epochSlots: o.epochSlots } : {}),
    ...(o.minPayoutUsd6 !== undefined ? { minPayoutUsd: BigInt(o.minPayoutUsd6) } : {}),
    ...(o.platformFeeBps !== undefined ? { platformFeeBps: o.platformFeeBps } : {})
  }
  const v = checkPayoutParams(p)
  if (!v.ok) fail('(root)', v.reason)
  return p
}
