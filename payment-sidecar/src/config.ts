// The sidecar's own configuration (a JSON file; nothing is read from the node's config or data directory).
// Every field is checked and a bad one is named: "config: tron.confirmations: must be an integer ≥ 1 (got 0)".
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { base58ToHex, isTronAddress } from './tron/address.js'

export type Mode = 'sandbox' | 'mainnet' | 'dry-run'
export const MAINNET_USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'

export interface Config {
  mode: Mode
  dataDir: string
  /** where contracts/build/*.json are read at runtime (default: the repository's contracts/build) */
  contractsDir: string
  paused: boolean
  chain: { rpcUrl: string, batchContract: string, registry: string, fromBlock: number, finality: 'finalized' | number, pollMs: number }
  tron: {
    fullNode: string, apiKey?: string, v0Router: string, kycRouter: string, token: string, feePayer: string,
    permissionId: number, confirmations: number, expirationMs: number, expiryGraceMs: number,
    timeoutMs: number, retries: number, backoffMs: number, energyPriceSun: number, maxFeeLimitSun: number,
    minTrxBufferSun: number, maxAttempts: number
  }
  caps: { maxPerTxUsd6: bigint, dailyCapUsd6: bigint }
  minPayoutUsd6: bigint
  /** refuse batches whose approval deadline or KYC expiry is closer than this */
  marginS: number
  concurrency: number
  api: { host: string, port: number, tokenFile: string }
  keystore: { path: string, passphraseFile?: string }
}

export class ConfigError extends Error {
  constructor (field: string, what: string) { super(`config: ${field}: ${what}`) }
}

const here = dirname(fileURLToPath(import.meta.url))
export const DEFAULT_CONTRACTS_DIR = resolve(here, '..', '..', 'contracts', 'build')

type Obj = Record<string, unknown>
function obj (v: unknown, field: string): Obj {
  if (v === undefined) return {}
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(field, 'must be an object')
  return v as Obj
}
function str (o: Obj, k: string, field: string, def?: string): string {
  const v = o[k] ?? def
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${field}.${k}`.replace(/^\./, ''), v === undefined ? 'is required' : `must be a non-empty string (got ${JSON.stringify(v)})`)
  return v
}
function int (o: Obj, k: string, field: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k] ?? def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${field}.${k}`.replace(/^\./, ''), `must be an integer in [${min}, ${max}] (got ${JSON.stringify(v)})`)
  return v
}
function usd6 (o: Obj, k: string, field: string, def: bigint): bigint {
  const v = o[k] ?? def.toString()
  if ((typeof v !== 'string' && typeof v !== 'number') || !/^[0-9]+$/.test(String(v)) || BigInt(v) <= 0n) throw new ConfigError(`${field}.${k}`, `must be a positive integer amount in USD micro-units (got ${JSON.stringify(v)})`)
  return BigInt(v)
}
function url (o: Obj, k: string, field: string): string {
  const v = str(o, k, field)
  if (!/^https?:\/\/[^\s]+$/.test(v)) throw new ConfigError(`${field}.${k}`, `not an http(s) URL: '${v}'`)
  return v
}
function evmAddr (o: Obj, k: string, field: string): string {
  const v = str(o, k, field)
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw new ConfigError(`${field}.${k}`, `not a 0x 20-byte address: '${v}'`)
  return v.toLowerCase()
}
function tronAddr (o: Obj, k: string, field: string): string {
  const v = str(o, k, field)
  if (!isTronAddress(v)) throw new ConfigError(`${field}.${k}`, `not a base58check TRON address (T…): '${v}'`)
  return base58ToHex(v)
}

export function parseConfig (raw: unknown, baseDir: string): Config {
  const root = obj(raw, 'config')
  const known = new Set(['mode', 'dataDir', 'contractsDir', 'paused', 'chain', 'tron', 'caps', 'minPayoutUsd6', 'marginS', 'concurrency', 'api', 'keystore'])
  for (const k of Object.keys(root)) if (!known.has(k)) throw new ConfigError(k, 'unknown setting')
  const mode = str(root, 'mode', '')
  if (mode !== 'sandbox' && mode !== 'mainnet' && mode !== 'dry-run') throw new ConfigError('mode', `must be sandbox, mainnet or dry-run (got '${mode}')`)
  const abs = (p: string): string => isAbsolute(p) ? p : resolve(baseDir, p)
  const dataDir = abs(str(root, 'dataDir', ''))
  const c = obj(root.chain, 'chain')
  const finalityRaw = c.finality ?? 'finalized'
  if (finalityRaw !== 'finalized' && !(typeof finalityRaw === 'number' && Number.isInteger(finalityRaw) && finalityRaw >= 0)) {
    throw new ConfigError('chain.finality', `must be "finalized" or a block depth ≥ 0 (got ${JSON.stringify(finalityRaw)})`)
  }
  const t = obj(root.tron, 'tron')
  const tron = {
    fullNode: url(t, 'fullNode', 'tron'),
    apiKey: t.apiKey === undefined ? undefined : str(t, 'apiKey', 'tron'),
    v0Router: tronAddr(t, 'v0Router', 'tron'),
    kycRouter: tronAddr(t, 'kycRouter', 'tron'),
    token: tronAddr(t, 'token', 'tron'),
    feePayer: tronAddr(t, 'feePayer', 'tron'),
    permissionId: int(t, 'permissionId', 'tron', 0, 0, 255),
    confirmations: int(t, 'confirmations', 'tron', 20, 1, 10_000),
    expirationMs: int(t, 'expirationMs', 'tron', 60_000, 1_000, 86_400_000),
    expiryGraceMs: int(t, 'expiryGraceMs', 'tron', 6_000, 0, 600_000),
    timeoutMs: int(t, 'timeoutMs', 'tron', 10_000, 50, 120_000),
    retries: int(t, 'retries', 'tron', 3, 0, 20),
    backoffMs: int(t, 'backoffMs', 'tron', 500, 0, 60_000),
    energyPriceSun: int(t, 'energyPriceSun', 'tron', 210, 1, 100_000),
    maxFeeLimitSun: int(t, 'maxFeeLimitSun', 'tron', 100_000_000, 1, 15_000_000_000),
    minTrxBufferSun: int(t, 'minTrxBufferSun', 'tron', 50_000_000, 0),
    maxAttempts: int(t, 'maxAttempts', 'tron', 3, 1, 100)
  }
  if (mode === 'mainnet') {
    if (base58ToHex(MAINNET_USDT) !== tron.token) throw new ConfigError('tron.token', `mainnet pays USDT-TRC20 only (${MAINNET_USDT})`)
    if (!tron.fullNode.startsWith('https://')) throw new ConfigError('tron.fullNode', 'mainnet needs an https:// full node')
  }
  const caps = obj(root.caps, 'caps')
  const maxPerTxUsd6 = usd6(caps, 'maxPerTxUsd6', 'caps', 10_000_000_000n)
  const dailyCapUsd6 = usd6(caps, 'dailyCapUsd6', 'caps', 100_000_000_000n)
  if (maxPerTxUsd6 > dailyCapUsd6) throw new ConfigError('caps.maxPerTxUsd6', 'exceeds caps.dailyCapUsd6')
  const api = obj(root.api, 'api')
  const ks = obj(root.keystore, 'keystore')
  if (typeof root.paused !== 'undefined' && typeof root.paused !== 'boolean') throw new ConfigError('paused', 'must be true or false')
  const minPayout = root.minPayoutUsd6 ?? '10000000'
  if (!/^[0-9]+$/.test(String(minPayout))) throw new ConfigError('minPayoutUsd6', `must be an integer (got ${JSON.stringify(minPayout)})`)
  return {
    mode,
    dataDir,
    contractsDir: root.contractsDir === undefined ? DEFAULT_CONTRACTS_DIR : abs(str(root, 'contractsDir', '')),
    paused: root.paused === true,
    chain: {
      rpcUrl: url(c, 'rpcUrl', 'chain'),
      batchContract: evmAddr(c, 'batchContract', 'chain'),
      registry: evmAddr(c, 'registry', 'chain'),
      fromBlock: int(c, 'fromBlock', 'chain', 0, 0),
      finality: finalityRaw as 'finalized' | number,
      pollMs: int(c, 'pollMs', 'chain', 2_000, 10, 3_600_000)
    },
    tron,
    caps: { maxPerTxUsd6, dailyCapUsd6 },
    minPayoutUsd6: BigInt(minPayout as string),
    marginS: int(root, 'marginS', '', 600, 0, 30 * 86_400),
    concurrency: int(root, 'concurrency', '', 16, 1, 256),
    api: { host: str(api, 'host', 'api', '127.0.0.1'), port: int(api, 'port', 'api', 8787, 0, 65_535), tokenFile: abs(str(api, 'tokenFile', 'api', join(dataDir, 'api-token'))) },
    keystore: { path: abs(str(ks, 'path', 'keystore', join(dataDir, 'keystore.json'))), passphraseFile: ks.passphraseFile === undefined ? undefined : abs(str(ks, 'passphraseFile', 'keystore')) }
  }
}

export function loadConfig (path: string): Config {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) { throw new Error(`config: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`) }
  let raw: unknown
  try { raw = JSON.parse(text) } catch (e) { throw new Error(`config: ${path} is not JSON: ${(e as Error).message}`) }
  return parseConfig(raw, dirname(resolve(path)))
}
