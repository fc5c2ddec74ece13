// Crash injection for tests. A named point on the payout path calls `hit(point)`. In a child process run with
// LUCID_PAYOUT_CRASH_AT=point:n the n-th hit kills the process with SIGKILL. In process, a Guard set to crash makes
// the n-th hit throw and then refuses every later ledger write and TRON request, as if the process had died there.
export const CRASH_POINTS = ['batch-accepted', 'planned', 'signed', 'broadcast-sent', 'broadcast-recorded', 'included', 'confirming', 'confirmed'] as const
export type CrashPoint = typeof CRASH_POINTS[number]

export class CrashError extends Error {
  constructor (readonly point: string) { super(`injected crash at ${point}`) }
}

export class Guard {
  private dead = false
  private hits = new Map<string, number>()
  constructor (private readonly at?: { point: string, n: number }, private readonly kill = false) {}

  static fromEnv (): Guard {
    const spec = process.env.LUCID_PAYOUT_CRASH_AT
    if (spec === undefined || spec === '') return new Guard()
    const [point, n] = spec.split(':')
    return new Guard({ point, n: Number(n ?? 1) }, true)
  }

  get isDead (): boolean { return this.dead }

  hit (point: CrashPoint): void {
    this.check()
    if (this.at === undefined || this.at.point !== point) return
    const n = (this.hits.get(point) ?? 0) + 1
    this.hits.set(point, n)
    if (n !== this.at.n) return
    if (this.kill) process.kill(process.pid, 'SIGKILL')
    this.dead = true
    throw new CrashError(point)
  }

  check (): void {
    if (this.dead) throw new CrashError('after crash')
  }
}
