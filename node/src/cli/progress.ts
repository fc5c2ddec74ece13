/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, --json). */
export interface Progress {
  update: (done: number) => void
  finish: () => void
}

/** What the bar counts: bytes shown in MB by default. */
export interface ProgressUnit { name: string, size: number, decimals: number }
const MB: ProgressUnit = { name: 'MB', size: 1e6, decimals: 1 }

export function createProgress (label: string, total: number | undefined, enabled = process.stderr.isTTY === true, unit: ProgressUnit = MB): Progress {
  if (!enabled) return { update () {}, finish () {} }
  const started = performance.now()
  let last = 0
  let current = 0
  const render = (): void => {
    const seconds = Math.max(1e-3, (performance.now() - started) / 1000)
    const amount = (n: number): string => (n / unit.size).toFixed(unit.decimals)
    const rate = `${(current / unit.size / seconds).toFixed(unit.decimals === 0 ? 1 : 0)} ${unit.name}/s`
    let line: string
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, current / total)
      const width = 30
      const filled = Math.round(fraction * width)
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${amount(current)}/${amount(total)} ${unit.name} ${rate}`
    } else {
      line = `${label} ${amount(current)} ${unit.name} ${rate}`
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
