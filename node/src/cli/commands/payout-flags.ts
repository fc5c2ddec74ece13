/**
 * Flag values of the `lucid payout` commands, checked before anything is read or sent; each error names its flag
 * and is a UsageError (one line `lucid: …`, exit code 2 unless given).
 */
import { ethers } from 'ethers'
import { UsageError } from '../usage-error.js'

export const fail = (message: string, code = 2): never => { throw new UsageError(message, code) }

export function rpcUrl (value: string): string {
  let url: URL
  try { url = new URL(value) } catch { return fail(`--rpc: not a URL: ${value}`) }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`--rpc: expected an http(s) URL, got ${value}`)
  return value
}

export function nonNegativeInt (flag: string, value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n)) fail(`${flag}: expected a non-negative integer (a payout epoch), got ${value}`)
  return n
}

export function evmAddress (flag: string, value: string): string {
  if (!ethers.isAddress(value)) fail(`${flag}: not an address: ${value}`)
  return ethers.getAddress(value)
}

/** A USD amount as a decimal string (`1234.5`, `0.000001`, `12`) to exact 6-decimal units; no sign, exponent or grouping. */
export function usd6 (flag: string, value: string): bigint {
  const v = value.trim()
  if (v.startsWith('-')) return fail(`${flag}: a USD amount cannot be negative, got ${value}`)
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(v)
  if (m === null) return fail(`${flag}: expected a USD amount like 1234.5 (digits, an optional point and up to 6 decimals), got ${JSON.stringify(value)}`)
  const decimals = m[2] ?? ''
  if (decimals.length > 6) return fail(`${flag}: at most 6 decimals (USD is counted in millionths), got ${value}`)
  return BigInt(m[1]) * 1_000_000n + BigInt(decimals.padEnd(6, '0'))
}

/** 6-decimal units back to the shortest decimal string (1234500000n → `1234.5`). */
export function formatUsd6 (units: bigint): string {
  const s = ethers.formatUnits(units, 6)
  return s.endsWith('.0') ? s.slice(0, -2) : s
}

/** Commander's collector for a repeatable flag (--key-file a --key-file b). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v]
