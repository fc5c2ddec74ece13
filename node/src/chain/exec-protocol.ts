/**
 * Messages between the chain and its execution worker (exec-worker.ts, exec-worker-main.ts). The worker builds this
 * node's blocks and re-executes received ones off the node's event loop; the state trie's LevelDB stays with the
 * main thread, so the worker asks
 * it for trie nodes (`get`) and hands it the nodes a block writes (`batch`), keys and values already in
 * level-db.ts' encoding; BLOCKHASH asks for a canonical block's hash.
 */
import type { StoredReceipt } from './store.js'

/** A system call before the block's transactions (Chain's SystemWrite with plain values). */
export interface ExecSystemWrite { caller: string, to: string, data: Uint8Array, gas: bigint }

export interface ImportRequest { kind: 'import', id: number, block: Uint8Array, root: Uint8Array, writes: ExecSystemWrite[] }
/**
 * Build a block on `parentHeader` (its RLP) at state `root`: the system writes, then `txs` (serialized, in the
 * mempool's order) while they fit the block's gas and `maxBuildMs` has not passed, then the block's tries.
 */
export interface BuildRequest {
  kind: 'build'
  id: number
  parentHeader: Uint8Array
  root: Uint8Array
  writes: ExecSystemWrite[]
  header: { timestamp: bigint, coinbase: string, extraData: Uint8Array, mixHash: Uint8Array, gasLimit: bigint }
  withdrawals: Array<{ index: bigint, validatorIndex: bigint, address: string, amount: bigint }>
  txs: Uint8Array[]
  maxBuildMs: number
}
/**
 * The built block's header (RLP), which of the request's transactions it holds (`included`, in order) and which
 * failed to execute (`dropped`: the mempool removes them); a transaction left out for gas or time is in neither.
 */
export type BuildReply =
  | { kind: 'built', id: number, ok: true, header: Uint8Array, included: number[], dropped: number[], receipts: StoredReceipt[], written: Uint8Array[] }
  | { kind: 'built', id: number, ok: false, message: string }

export type ImportReply =
  | { kind: 'imported', id: number, ok: true, receipts: StoredReceipt[], written: Uint8Array[] }
  | { kind: 'imported', id: number, ok: false, message: string }

/**
 * What the worker asks the main thread (answered by an `answer` of the same id). The main thread serves them in
 * arrival order, so a `get` sees every `write` sent before it; writes are not answered one by one (a block's trie
 * writes would each cost a round trip): `flush` is answered once every write before it is stored, or with the
 * first one's error.
 */
export type WorkerAsk =
  | { kind: 'get', key: Uint8Array }
  | { kind: 'flush' }
  /** BLOCKHASH: the hash of the block at `number` on the branch ending at `parent` (the executed block's parent) */
  | { kind: 'blockHash', number: bigint, parent: Uint8Array }
export type WriteOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

/** worker → main */
export type WorkerMessage = (WorkerAsk & { id: number }) | { kind: 'write', ops: WriteOp[] } | ImportReply | BuildReply | { kind: 'ready' }

/** main → worker */
export type MainMessage = ImportRequest | BuildRequest | { kind: 'answer', id: number, value: Uint8Array | null, error?: string }
