/**
 * Stops a node whose starter is gone. `lucid devnet` starts its nodes in their own process groups (so that a
 * terminal's Ctrl-C reaches only the devnet, which stops each node cleanly); a devnet killed outright (SIGKILL, a
 * crash) can stop none of them, so each node it starts watches it instead: Linux gives an orphan a new parent, and
 * once the parent PID is no longer the starter's the node stops as on SIGTERM.
 */
export const STOP_WITH_PARENT_ENV = 'LUCID_STOP_WITH_PARENT'

/**
 * Calls `onGone` once, when this process's parent is no longer `starter` (checked every `everyMs`); returns the
 * function that stops watching. The timer does not keep the process alive.
 */
export function watchParent (starter: number, onGone: () => void, everyMs = 1000, parentPid: () => number = () => process.ppid): () => void {
  const timer = setInterval(() => {
    if (parentPid() === starter) return
    clearInterval(timer)
    onGone()
  }, everyMs)
  timer.unref()
  return () => { clearInterval(timer) }
}

/** The starter's PID from the environment (STOP_WITH_PARENT_ENV), or null when unset; a bad value is an error. */
export function starterFromEnv (env: NodeJS.ProcessEnv): number | null {
  const raw = env[STOP_WITH_PARENT_ENV]
  if (raw === undefined || raw === '') return null
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw new Error(`${STOP_WITH_PARENT_ENV}: not a process ID (${JSON.stringify(raw.slice(0, 40))})`)
  return Number(raw)
}
