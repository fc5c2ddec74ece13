/**
 * A small pool of worker threads for chunk sealing and opening, so compression, encryption and hashing use every
 * core while the main thread reads and writes. Jobs go to the least-busy worker; replies resolve by job id.
 */
import { Worker } from 'node:worker_threads'
import { setFlagsFromString } from 'node:v8'
import { availableParallelism } from 'node:os'
import { SessionError, type SessionErrorCode } from '../../../protocols/session/errors.js'
import type { Job, JobReply, OpenResult, SealResult } from './worker-protocol.js'
import { workerEntry } from '../runtime/worker-bundle.js'

type Pending = { resolve: (r: JobReply) => void, reject: (e: Error) => void }
type JobInput<T extends Job> = T extends Job ? Omit<T, 'id'> : never

// The workers collect their garbage after each job (worker-main.ts): they get V8's `gc` at bootstrap when the flag is
// on before they start. It is turned on here, once, on the main thread; a worker that turned it on itself and made a
// new context to reach `gc` sometimes failed to bootstrap that context, and V8 printed the failure to stdout (into
// `lucid unseal --out -`'s output).
setFlagsFromString('--expose-gc')

export function defaultPoolSize (): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

export class WorkerPool {
  private readonly workers: Array<{ worker: Worker, busy: number }> = []
  private readonly pending = new Map<number, Pending>()
  private readonly started: Promise<void>
  private nextId = 1
  private failure: Error | undefined
  private closed = false

  constructor (readonly size = defaultPoolSize()) {
    this.started = workerEntry('seal-worker', new URL('./worker-main.ts', import.meta.url), new URL('./worker.mjs', import.meta.url)).then((entry) => {
      if (this.closed) return
      for (let i = 0; i < size; i++) this.startWorker(entry)
    })
  }

  private startWorker (entry: URL): void {
    const worker = new Worker(entry, { execArgv: [] })
    const slot = { worker, busy: 0 }
    worker.on('message', (reply: JobReply) => {
      slot.busy--
      const p = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (p === undefined) return
      if ('error' in reply) p.reject(new SessionError(reply.error.code as SessionErrorCode, reply.error.message, reply.error.chunk))
      else p.resolve(reply)
    })
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => { if (code !== 0 && !this.closed) this.fail(new Error(`seal worker exited with code ${code}`)) })
    this.workers.push(slot)
  }

  private fail (err: Error): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }

  private async submit (job: JobInput<Job>, transfer: ArrayBuffer[]): Promise<JobReply> {
    await this.started
    if (this.failure !== undefined) throw this.failure
    if (this.closed) throw new Error('the seal worker pool is closed')
    const id = this.nextId++
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a))
    slot.busy++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      slot.worker.postMessage({ ...job, id }, transfer)
    })
  }

  /** Seals one chunk. `plaintext` is transferred to the worker and comes back in the result, for reuse. */
  async seal (job: Omit<Extract<Job, { op: 'seal' }>, 'id' | 'op'>): Promise<SealResult> {
    const transfer = [job.plaintext.buffer as ArrayBuffer]
    if (job.spare !== undefined) transfer.push(job.spare.buffer as ArrayBuffer)
    return await this.submit({ op: 'seal', ...job }, transfer) as SealResult
  }

  /**
   * Opens one chunk. The blob's buffer is transferred when the blob is all of it; a blob that is a view into a larger
   * buffer (a network message holding several blocks) is copied first, so the other views stay intact.
   */
  async open (job: Omit<Extract<Job, { op: 'open' }>, 'id' | 'op'>): Promise<OpenResult> {
    const whole = job.blob.byteOffset === 0 && job.blob.byteLength === job.blob.buffer.byteLength && !(job.blob.buffer instanceof SharedArrayBuffer)
    const blob = whole ? job.blob : job.blob.slice()
    return await this.submit({ op: 'open', ...job, blob }, [blob.buffer as ArrayBuffer]) as OpenResult
  }

  async close (): Promise<void> {
    this.closed = true
    await this.started
    await Promise.all(this.workers.map(async (w) => await w.worker.terminate()))
  }
}
