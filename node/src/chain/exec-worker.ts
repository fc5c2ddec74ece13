/**
 * The chain's side of its execution worker (exec-worker-main.ts): builds this node's blocks and re-executes received
 * ones on another thread, and serves the worker's reads and writes of the state trie from this thread's LevelDB
 * (which the process can open once). Started by `warm()` or the first block; a worker that dies fails the block in
 * flight with the reason and is started again at the next one.
 */
import { Worker } from 'node:worker_threads'
import { workerEntry } from '../runtime/worker-bundle.js'
import type { CommonSpec } from './common.js'
import type { BuildReply, BuildRequest, ExecSystemWrite, ImportReply, MainMessage, WorkerAsk, WorkerMessage } from './exec-protocol.js'
import type { Sublevel } from './level-db.js'
import type { StoredReceipt } from './store.js'

export type ExecResult = { ok: true, receipts: StoredReceipt[], written: Uint8Array[] } | { ok: false, message: string }
export type BuildResult = Omit<Extract<BuildReply, { ok: true }>, 'kind' | 'id'> | { ok: false, message: string }
type Reply = ImportReply | BuildReply

/** The worker's TypeScript entry, and the tsx loader that runs it where no bundle can be built (runtime/worker-bundle.ts). */
export const EXEC_WORKER_ENTRY = new URL('./exec-worker-main.ts', import.meta.url)
export const EXEC_WORKER_FALLBACK = new URL('./exec-worker.mjs', import.meta.url)

export class ExecWorker {
  private worker: Worker | undefined
  private ready: Promise<void> | undefined
  private nextId = 1
  private readonly pending = new Map<number, (r: Reply | { ok: false, message: string }) => void>()
  /** the worker's reads and writes, served one after another in arrival order */
  private served: Promise<unknown> = Promise.resolve()
  private writeError: Error | undefined

  /**
   * `state`: the state trie's sublevel; `batchOps`: operations per LevelDB batch when the worker writes (the event loop
   * turns between batches); `blockHash`: the hash of the block at a height on the branch ending at a block (BLOCKHASH).
   */
  constructor (
    private readonly common: CommonSpec,
    private readonly state: Sublevel,
    private readonly batchOps: number,
    private readonly blockHash: (n: bigint, parent: Uint8Array) => Promise<Uint8Array | undefined>
  ) {}

  /** Runs the system writes on `root`, then the block (ethereumjs' runBlock: every root and receipt checked). */
  async import (block: Uint8Array, root: Uint8Array, writes: ExecSystemWrite[]): Promise<ExecResult> {
    const r = await this.request((id) => ({ kind: 'import', id, block, root, writes }))
    if (!r.ok) return { ok: false, message: r.message }
    const { receipts, written } = r as ImportReply & { ok: true }
    return { ok: true, receipts, written }
  }

  /** Builds a block (exec-protocol.ts' BuildRequest); its trie nodes are stored when this resolves. */
  async build (req: Omit<BuildRequest, 'kind' | 'id'>): Promise<BuildResult> {
    const r = await this.request((id) => ({ kind: 'build', id, ...req }))
    if (!r.ok) return { ok: false, message: r.message }
    const { kind, id, ...built } = r as BuildReply & { ok: true }
    return built
  }

  private async request (message: (id: number) => MainMessage): Promise<Reply | { ok: false, message: string }> {
    const worker = await this.start()
    worker.ref() // the process waits for a block being executed (the worker is unreferenced when idle)
    try {
      await this.ready
    } catch (e) {
      if (this.pending.size === 0) worker.unref()
      return { ok: false, message: `execution worker did not start: ${(e as Error).message}` }
    }
    const id = this.nextId++
    return await new Promise((resolve) => {
      this.pending.set(id, (r) => { if (this.pending.size === 0) worker.unref(); resolve(r) })
      worker.postMessage(message(id))
    })
  }

  /** Starts the worker now rather than at the first block (~0.4 s: loading ethereumjs on its thread). */
  async warm (): Promise<void> {
    const worker = await this.start()
    worker.ref()
    try { await this.ready } finally { if (this.pending.size === 0) worker.unref() }
  }

  async close (): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w !== undefined) await w.terminate()
  }

  private async start (): Promise<Worker> {
    const entry = await workerEntry('exec-worker', EXEC_WORKER_ENTRY, EXEC_WORKER_FALLBACK)
    // (from here on synchronous: two callers that awaited the entry together start one worker)
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(entry, { workerData: { common: this.common } })
    this.worker = worker
    this.writeError = undefined // a failed write of a worker that died fails no block of the next
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', (m: WorkerMessage) => { if (m.kind === 'ready') resolve(); else reject(new Error(`execution worker: unexpected first message ${m.kind}`)) })
      worker.once('error', reject)
    })
    this.ready.catch(() => {})
    worker.on('message', (m: WorkerMessage) => { this.onMessage(worker, m) })
    const fail = (why: string): void => {
      if (this.worker === worker) this.worker = undefined
      for (const [id, resolve] of this.pending) { this.pending.delete(id); resolve({ ok: false, message: `execution worker: ${why}` }) }
    }
    worker.on('error', (e) => { fail(e.message) })
    worker.on('exit', (code) => { fail(`exited with code ${code}`) })
    worker.unref()
    return worker
  }

  private onMessage (worker: Worker, m: WorkerMessage): void {
    if (m.kind === 'ready') return
    if (m.kind === 'imported' || m.kind === 'built') {
      const resolve = this.pending.get(m.id)
      this.pending.delete(m.id)
      resolve?.(m)
      return
    }
    if (m.kind === 'write') {
      this.served = this.served.then(async () => {
        for (let i = 0; i < m.ops.length; i += this.batchOps) await this.state.batch(m.ops.slice(i, i + this.batchOps))
      }).catch((e: Error) => { this.writeError ??= e })
      return
    }
    this.served = this.served.then(async () => {
      let answer: MainMessage
      try {
        answer = { kind: 'answer', id: m.id, value: await this.serve(m) }
      } catch (e) {
        answer = { kind: 'answer', id: m.id, value: null, error: (e as Error).message }
      }
      worker.postMessage(answer)
    })
  }

  private async serve (m: WorkerAsk): Promise<Uint8Array | null> {
    if (m.kind === 'get') return (await this.state.get(m.key)) ?? null
    if (m.kind === 'blockHash') return (await this.blockHash(m.number, m.parent)) ?? null
    // flush: the writes before it are done; one that failed fails the block (and is reported once)
    const e = this.writeError
    this.writeError = undefined
    if (e !== undefined) throw e
    return null
  }
}

