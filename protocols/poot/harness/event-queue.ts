/** Virtual time: a binary heap of events ordered by (time, insertion order), so equal times run in a fixed order. */
export interface SimEvent { readonly time: number, readonly seq: number, readonly run: () => void }

export class EventQueue {
  private readonly heap: SimEvent[] = []
  private seq = 0
  now = 0

  get size (): number { return this.heap.length }

  at (time: number, run: () => void): void {
    const e = { time: Math.max(time, this.now), seq: this.seq++, run }
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  /** Runs every event with time < `until`, in order; the clock ends at `until`. */
  runUntil (until: number): void {
    const h = this.heap
    while (h.length > 0 && h[0].time < until) {
      const top = h[0]
      const last = h.pop() as SimEvent
      if (h.length > 0) {
        h[0] = last
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < h.length && less(h[l], h[m])) m = l
          if (r < h.length && less(h[r], h[m])) m = r
          if (m === i) break
          ;[h[i], h[m]] = [h[m], h[i]]
          i = m
        }
      }
      this.now = top.time
      top.run()
    }
    this.now = Math.max(this.now, until)
  }
}

function less (a: SimEvent, b: SimEvent): boolean {
  return a.time !== b.time ? a.time < b.time : a.seq < b.seq
}
