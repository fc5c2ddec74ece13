/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, --json). */
export interface Progress {
  update: (done: number) => void
  finish: () => void
}

const MB = 1e6

export function createProgress (label: string, total: number | undefined, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update () {}, finish () {} }
  const started = performance.now()
  let last = 0
  let current = 0
  const render = (): void => {
    const seconds = Math.max(1e-3, (performance.now() - started) / 1000)
    const rate = `${(current / MB / seconds).toFixed(0)} MB/s`
    let line: string
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, current / total)
      const width = 30
      const filled = Math.round(fraction * width)
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${(current / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB ${rate}`
    } else {
      line = `${label} ${(current / MB).toFixed(1)} MB ${rate}`
    }
    process.stderr.write(`\r${line}\u001b[K`)
  }
  return {
    update (done) {
      current = done
      const now = performance.now()
      if (now - last > 100) { last = now; render() }
    },
    finish () { render(); process.stderr.write('\n') }
  }
}
