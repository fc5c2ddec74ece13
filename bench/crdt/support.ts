/** Shared helpers of the crdt benchmarks: deterministic keys, IDs and CIDs, a median timer, heap measurement. */
import { SwarmState } from '../../crdt/index.js'
import { opensslVerify } from '../../node/src/state/ed25519-verify.js'

export function key (n: number): Uint8Array { const k = new Uint8Array(32); new DataView(k.buffer).setUint32(0, n + 1); k[31] = 9; return k }
export function replica (n: number): SwarmState {
  let r = n * 7919 + 1
  return new SwarmState({ secretKey: key(n), random: () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0), verify: opensslVerify })
}
export const sid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
/** A realistic CIDv1 raw sha2-256 in base32 (59 characters). */
export const cid = (n: number): string => 'bafkrei' + (n.toString(32).replace(/[01]/g, 'q').replace(/[89]/g, 'z') + 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst').slice(0, 52)
export const SESSION = { owner: 'alice', participants: ['bob'], policyHash: '00'.repeat(32), createdAt: 1 }

export function median (xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
export function timeMs (fn: () => void, runs = 5): number {
  const out: number[] = []
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); fn(); out.push(performance.now() - t0) }
  return Number(median(out).toFixed(1))
}
export function heapUsed (): number {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) { g(); g() }
  return process.memoryUsage().heapUsed
}
export function emit (o: Record<string, unknown>): void { process.stdout.write(JSON.stringify(o) + '\n') }
