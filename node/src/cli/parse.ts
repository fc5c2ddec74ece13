/** Parsers for command-line values; each throws a UsageError that names the flag and what it expects. */
import { InvalidArgumentError } from 'commander'
import { checkChunkSize } from '../../../protocols/session/manifest.js'
import { isSessionId } from '../../../protocols/session/session-id.js'

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 }

/** "8MiB", "64KiB", "8M" (binary), "1048576" → bytes. */
export function parseByteSize (text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  const unit = m === null ? undefined : UNITS[m[2].toLowerCase()]
  if (m === null || unit === undefined) throw new InvalidArgumentError(`'${text}' is not a size (examples: 8MiB, 512KiB, 1048576)`)
  const bytes = Number(m[1]) * unit
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError(`'${text}' is not a whole number of bytes`)
  return bytes
}

/** A parser for a flag taking a whole number from `min` to `max` (commander calls it with the flag's text). */
export function parseWholeFlag (flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}`)
    return n
  }
}

export function parseChunkSizeFlag (text: string): number {
  try {
    return checkChunkSize(parseByteSize(text))
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
}

export function parseSessionIdFlag (text: string): string {
  const lower = text.toLowerCase()
  if (!isSessionId(lower)) throw new InvalidArgumentError(`'${text}' is not a UUIDv4 session ID`)
  return lower
}
