/**
 * Log criteria (eth_getLogs, eth_newFilter) and installed filters (eth_newFilter, eth_newBlockFilter,
 * eth_newPendingTransactionFilter; ethers polls them for `contract.on`). A filter collects changes as heads
 * arrive and is dropped after 5 minutes without a poll.
 */
import { randomBytes } from 'node:crypto'
import { invalidParams } from './errors.js'
import { address, blockTag, hash, object, type BlockTag } from './params.js'

export interface LogCriteria {
  fromBlock: BlockTag
  toBlock: BlockTag
  blockHash?: Uint8Array
  addresses: Set<string> | null
  /** per position: null = any, else one of */
  topics: Array<Set<string> | null>
}

export function parseCriteria (x: unknown, name: string): LogCriteria {
  const o = object(x ?? {}, name)
  const addresses = o.address === undefined || o.address === null
    ? null
    : new Set((Array.isArray(o.address) ? o.address : [o.address]).map((a, i) => address(a, `${name}.address[${i}]`).toString()))
  if (!Array.isArray(o.topics ?? [])) throw invalidParams(`${name}.topics: expected an array`)
  const topicsIn = (o.topics ?? []) as unknown[]
  if (topicsIn.length > 4) throw invalidParams(`${name}.topics: at most 4 positions`)
  const topics = topicsIn.map((t, i) => t === null
    ? null
    : new Set((Array.isArray(t) ? t : [t]).map((v, j) => '0x' + Buffer.from(hash(v, `${name}.topics[${i}]${Array.isArray(t) ? `[${j}]` : ''}`)).toString('hex'))))
  if (o.blockHash !== undefined && (o.fromBlock !== undefined || o.toBlock !== undefined)) throw invalidParams(`${name}: blockHash excludes fromBlock and toBlock`)
  return {
    fromBlock: blockTag(o.fromBlock, `${name}.fromBlock`),
    toBlock: blockTag(o.toBlock, `${name}.toBlock`),
    blockHash: o.blockHash === undefined ? undefined : hash(o.blockHash, `${name}.blockHash`),
    addresses,
    topics
  }
}

export interface RpcLog { address: string, topics: string[], [k: string]: unknown }

export function matches (log: RpcLog, c: LogCriteria): boolean {
  if (c.addresses !== null && !c.addresses.has(log.address)) return false
  for (let i = 0; i < c.topics.length; i++) {
    const want = c.topics[i]
    if (want === null) continue
    const got = log.topics[i]
    if (got === undefined || !want.has(got)) return false
  }
  return true
}

type Filter =
  | { kind: 'logs', criteria: LogCriteria, pending: unknown[], polled: number }
  | { kind: 'blocks', pending: string[], polled: number }
  | { kind: 'transactions', pending: string[], polled: number }

export const FILTER_TTL_MS = 5 * 60_000
export const MAX_FILTERS = 1000
const MAX_PENDING = 10_000

export class FilterManager {
  private readonly filters = new Map<string, Filter>()
  constructor (private readonly now: () => number = Date.now) {}

  private install (f: Filter): string {
    this.expire()
    if (this.filters.size >= MAX_FILTERS) throw invalidParams(`too many filters installed (${MAX_FILTERS})`)
    const id = '0x' + randomBytes(16).toString('hex')
    this.filters.set(id, f)
    return id
  }

  newLogFilter (criteria: LogCriteria): string { return this.install({ kind: 'logs', criteria, pending: [], polled: this.now() }) }
  newBlockFilter (): string { return this.install({ kind: 'blocks', pending: [], polled: this.now() }) }
  newPendingTxFilter (): string { return this.install({ kind: 'transactions', pending: [], polled: this.now() }) }
  uninstall (id: string): boolean { return this.filters.delete(id) }
  criteria (id: string): LogCriteria | undefined { const f = this.filters.get(id); return f?.kind === 'logs' ? f.criteria : undefined }

  /** Changes since the last poll; undefined for an unknown (or expired) filter. */
  changes (id: string): unknown[] | undefined {
    const f = this.filters.get(id)
    if (f === undefined) return undefined
    f.polled = this.now()
    const out = f.pending
    f.pending = []
    return out
  }

  onBlock (blockHash: string, logs: RpcLog[]): void {
    this.expire()
    for (const f of this.filters.values()) {
      if (f.kind === 'blocks') f.pending.push(blockHash)
      else if (f.kind === 'logs') for (const l of logs) if (matches(l, f.criteria)) f.pending.push(l)
      if (f.pending.length > MAX_PENDING) f.pending.splice(0, f.pending.length - MAX_PENDING)
    }
  }

  onPendingTx (txHash: string): void {
    for (const f of this.filters.values()) if (f.kind === 'transactions' && f.pending.length < MAX_PENDING) f.pending.push(txHash)
  }

  private expire (): void {
    const cutoff = this.now() - FILTER_TTL_MS
    for (const [id, f] of this.filters) if (f.polled < cutoff) this.filters.delete(id)
  }
}
