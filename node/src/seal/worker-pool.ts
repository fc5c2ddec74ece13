/**
 * A small pool of worker threads for chunk sealing and opening, so compression, encryption and hashing use every
 * core while the main thread reads and writes. Jobs go to the least-busy worker; replies resolve by job id.
 */
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { SessionError, type SessionErrorCode } from '../../../protocols/session/errors.js'
import type { Job, JobReply, OpenResult, SealResult } from './worker-protocol.js'

type Pending = { resolve: (r: JobReply) => void, reject: (e: Error) => void }
type JobInput<T extends Job> = T extends Job ? Omit<T, 'id'> : never

export function defaultPoolSize (): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

export class WorkerPool {
  private readonly workers: Array<{ worker: Worker, busy: number }> = []
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private failure: Error | undefined

  constructor (readonly size = defaultPoolSize()) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), { execArgv: [] })
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
      worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`seal worker exited with code ${code}`)) })
      this.workers.push(slot)
    }
  }

  private fail (err: Error): void {
    this.failure ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }

  private submit (job: JobInput<Job>, transfer: ArrayBuffer[]): Promise<JobReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    const id = this.nextId++
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a))
    slot.busy++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      slot.worker.postMessage({ ...job, id }, transfer)
    })
  }

  /** Seals one chunk; `plaintext` is transferred to the worker (the caller must not reuse it). */
  async seal (job: Omit<Extract<Job, { op: 'seal' }>, 'id' | 'op'>): Promise<SealResult> {
    return await this.submit({ op: 'seal', ...job }, [job.plaintext.buffer as ArrayBuffer]) as SealResult
  }

  async open (job: Omit<Extract<Job, { op: 'open' }>, 'id' | 'op'>): Promise<OpenResult> {
    return await this.submit({ op: 'open', ...job }, [job.blob.buffer as ArrayBuffer]) as OpenResult
  }

  async close (): Promise<void> {
    await Promise.all(this.workers.map(async (w) => await w.worker.terminate()))
  }
}
