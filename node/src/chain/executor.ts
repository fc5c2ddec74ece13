/**
 * One queue for everything that touches the live VM's state (build, import, reorg): ethereumjs keeps one state
 * root in the VM, so two of these interleaving would execute on each other's state.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve()
  private pending = 0

  run<T> (job: () => Promise<T>): Promise<T> {
    this.pending++
    const next = this.tail.then(job, job).finally(() => { this.pending-- })
    this.tail = next.catch(() => {})
    return next
  }

  get queued (): number { return this.pending }

  /** Resolves when every job queued so far has finished. */
  async idle (): Promise<void> { await this.tail }
}
