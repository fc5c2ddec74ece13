/**
 * Idle-time major GC. `lucid start` runs V8 with 2 MB semi-spaces (node/bin/lucid.js), so short-lived objects that
 * outlive two scavenges, the 5–10 s AbortSignal timeouts of every libp2p ping, identify and inbound stream among them
 * (their FinalizationRegistry cells keep them through scavenges), are promoted to the old generation, where only a
 * major GC frees them. An idle node allocates too little to reach the next major GC for tens of minutes, so its heap
 * and RSS climb ~1 MB a minute with garbage meanwhile (docs/swarm.md, "Idle RSS"). Browsers collect in idle time;
 * Node does not, so the node does it itself: when no major GC has run for `intervalMs`, it runs one.
 *
 * The decision is pure (`IdleGcPolicy`, clock injected); `startIdleGc` wires it to V8's GC notifications and the
 * `gc` function that `--expose-gc` installs.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'

export class IdleGcPolicy {
  private lastMajorAt: number

  constructor (private readonly intervalMs: number, now: number) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`idle GC interval must be a positive number of ms, got ${intervalMs}`)
    this.lastMajorAt = now
  }

  /** A major GC ran (V8's own, or ours). */
  majorGcAt (now: number): void { this.lastMajorAt = Math.max(this.lastMajorAt, now) }

  /** Whether to collect now: no major GC for a whole interval. */
  due (now: number): boolean { return now - this.lastMajorAt >= this.intervalMs }
}

export interface IdleGc { readonly collections: () => number, stop: () => void }

/**
 * Checks every `intervalMs / 4` and collects when due. Returns null when the process has no `gc` (not started with
 * --expose-gc): nothing to do then.
 */
export function startIdleGc (intervalMs: number, gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc): IdleGc | null {
  if (typeof gc !== 'function') return null
  const policy = new IdleGcPolicy(intervalMs, performance.now())
  let collections = 0
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) policy.majorGcAt(e.startTime + e.duration)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const timer = setInterval(() => {
    const now = performance.now()
    if (!policy.due(now)) return
    gc()
    collections++
    policy.majorGcAt(performance.now())
  }, Math.max(1, Math.floor(intervalMs / 4)))
  timer.unref()
  return { collections: () => collections, stop: () => { clearInterval(timer); observer.disconnect() } }
}
