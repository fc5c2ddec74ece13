// Drives a sidecar instance tick by tick until a condition holds (bounded by a tick count, not by time).
import type { PayoutService } from '../../../payment-sidecar/src/service/service.js'

export const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

export async function tickUntil (s: PayoutService, done: () => boolean, maxTicks = 2_000, pauseMs = 15): Promise<void> {
  for (let i = 0; i < maxTicks; i++) {
    await s.tick()
    if (done()) return
    await sleep(pauseMs)
  }
  throw new Error(`condition not reached after ${maxTicks} ticks; last error: ${s.lastError ?? 'none'}; blocked: ${JSON.stringify([...s.blocked])}`)
}

export function batchState (s: PayoutService, id: string): string | undefined {
  return s.state.batches.get(id)?.state
}
