// Stops a program whose starter is gone: `lucid demo` starts the stand-in and the sidecar and stops them with
// SIGTERM; a demo killed outright (SIGKILL, a crash) cannot, so when the environment names the starter
// (LUCID_STOP_WITH_PARENT, the same contract as a devnet's nodes; this package imports nothing of node/), the program
// raises SIGTERM on itself once its parent PID is no longer the starter's (Linux gives an orphan a new parent).
const ENV = 'LUCID_STOP_WITH_PARENT'

/** Watches the starter the environment names (checked every second); a malformed value is an error naming it. */
export function stopWithParent (env: NodeJS.ProcessEnv, onGone: (starter: number) => void = () => {}): void {
  const raw = env[ENV]
  if (raw === undefined || raw === '') return
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw new Error(`${ENV}: not a process ID (${JSON.stringify(raw.slice(0, 40))})`)
  const starter = Number(raw)
  const timer = setInterval(() => {
    if (process.ppid === starter) return
    clearInterval(timer)
    // output into pipes the starter held now fails (EPIPE): ignored, so the stop still runs to its end
    for (const out of [process.stdout, process.stderr]) out.on('error', () => {})
    onGone(starter)
    process.kill(process.pid, 'SIGTERM')
  }, 1000)
  timer.unref()
}
