/**
 * This process's peak resident memory in MB, worker threads included. On Linux it is VmHWM from /proc/self/status:
 * getrusage's ru_maxrss can carry the parent's high-water mark across fork + exec, so a small `lucid seal` started
 * by a large process would report the parent's peak. Elsewhere, ru_maxrss.
 */
import { readFileSync } from 'node:fs'

export function peakRssMB (): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m !== null) return Math.round(Number(m[1]) / 1024)
  } catch {}
  return Math.round(process.resourceUsage().maxRSS / 1024)
}
