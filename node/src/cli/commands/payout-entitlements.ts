/**
 * An epoch's entitlements file, the input of `lucid payout commit` (JSON; amounts as decimal strings):
 *
 *   { "epoch": 1,
 *     "distributableUsd6": "3000000000",              USD with 6 decimals to share out this epoch
 *     "networkFeeUsd6": "0",                          optional: estimated TRON fee charged to each paid entry
 *     "holders": [{ "address": "0x…", "balance": "…wei", "role": "node-worker" | "end-user" }],
 *     "carried": { "0x…": "…usd6" },                  optional: rolled over from earlier epochs (each a holder)
 *     "kyc": { "0x…": { "kycHash": "0x…", "expiry": 1767225600, "signature": "0x…" } } }
 *                                                     the compliance signer's KycAttestation per node worker
 *
 * Every problem is reported with the field that has it: `entitlements: holders[3].balance: …`.
 */
import type { Holder } from '../../../../protocols/poot/payouts.js'

export interface KycAttestationInput { kycHash: string, expiry: bigint, signature: string }

export interface Entitlements {
  epoch: number
  distributableUsd: bigint
  networkFeeUsd: bigint
  holders: Holder[]
  carried: Map<string, bigint>
  kyc: Map<string, KycAttestationInput>
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const UINT = /^[0-9]+$/

export function parseEntitlements (raw: unknown): Entitlements {
  const fail = (field: string, what: string): never => { throw new Error(`entitlements: ${field}: ${what}`) }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(root)', 'not a JSON object')
  const o = raw as Record<string, unknown>
  const known = new Set(['epoch', 'distributableUsd6', 'networkFeeUsd6', 'holders', 'carried', 'kyc'])
  for (const k of Object.keys(o)) if (!known.has(k)) fail(k, `unknown field (expected ${[...known].join(', ')})`)
  const amount = (v: unknown, field: string): bigint => {
    if (typeof v !== 'string' || !UINT.test(v)) fail(field, `expected a non-negative integer as a decimal string, got ${JSON.stringify(v)?.slice(0, 60)}`)
    return BigInt(v as string)
  }
  const address = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !ADDRESS.test(v)) fail(field, `not a 20-byte 0x address: ${JSON.stringify(v)?.slice(0, 60)}`)
    return (v as string).toLowerCase()
  }
  // epochs are uint64 on chain, and the router nonce is epoch · 2^32 + index (uint256): any safe integer fits
  if (!Number.isSafeInteger(o.epoch) || (o.epoch as number) < 0) fail('epoch', `expected a non-negative integer, got ${JSON.stringify(o.epoch)}`)
  const distributableUsd = amount(o.distributableUsd6, 'distributableUsd6')
  const networkFeeUsd = o.networkFeeUsd6 === undefined ? 0n : amount(o.networkFeeUsd6, 'networkFeeUsd6')
  if (!Array.isArray(o.holders) || o.holders.length === 0) fail('holders', 'expected a non-empty array')
  const seen = new Set<string>()
  const holders = (o.holders as unknown[]).map((h, i): Holder => {
    if (typeof h !== 'object' || h === null) fail(`holders[${i}]`, 'not an object')
    const x = h as Record<string, unknown>
    const a = address(x.address, `holders[${i}].address`)
    if (seen.has(a)) fail(`holders[${i}].address`, `${a} is listed twice`)
    seen.add(a)
    if (x.role !== 'node-worker' && x.role !== 'end-user') fail(`holders[${i}].role`, `expected "node-worker" or "end-user", got ${JSON.stringify(x.role)}`)
    return { address: a, balance: amount(x.balance, `holders[${i}].balance`), role: x.role as Holder['role'] }
  })
  const carried = new Map<string, bigint>()
  if (o.carried !== undefined) {
    if (typeof o.carried !== 'object' || o.carried === null || Array.isArray(o.carried)) fail('carried', 'expected an object { address: usd6 }')
    for (const [k, v] of Object.entries(o.carried as Record<string, unknown>)) {
      const a = address(k, `carried.${k}`)
      if (!seen.has(a)) fail(`carried.${k}`, 'not one of the holders (list it with its balance, even 0)')
      carried.set(a, amount(v, `carried.${k}`))
    }
  }
  const kyc = o.kyc === undefined ? new Map<string, KycAttestationInput>() : parseKycAttestations(o.kyc, 'entitlements: ')
  return { epoch: o.epoch as number, distributableUsd, networkFeeUsd, holders, carried, kyc }
}

/** The `kyc` object of an entitlements file (also the --kyc file of `--from-chain`): { address: attestation }. */
export function parseKycAttestations (raw: unknown, prefix = ''): Map<string, KycAttestationInput> {
  const fail = (field: string, what: string): never => { throw new Error(`${prefix}${field}: ${what}`) }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('kyc', 'expected an object { address: attestation }')
  const kyc = new Map<string, KycAttestationInput>()
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!ADDRESS.test(k)) fail(`kyc.${k}`, `not a 20-byte 0x address: ${JSON.stringify(k).slice(0, 60)}`)
    if (typeof v !== 'object' || v === null) fail(`kyc.${k}`, 'not an object')
    const x = v as Record<string, unknown>
    if (typeof x.kycHash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(x.kycHash)) fail(`kyc.${k}.kycHash`, 'expected 32 bytes of 0x hex')
    if (!Number.isSafeInteger(x.expiry) || (x.expiry as number) <= 0) fail(`kyc.${k}.expiry`, 'expected a positive integer (unix seconds)')
    if (typeof x.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(x.signature)) fail(`kyc.${k}.signature`, 'expected a 65-byte 0x hex signature')
    kyc.set(k.toLowerCase(), { kycHash: (x.kycHash as string).toLowerCase(), expiry: BigInt(x.expiry as number), signature: x.signature as string })
  }
  return kyc
}
