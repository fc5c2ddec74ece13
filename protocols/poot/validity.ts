/** Every PoOT rule returns its verdict as a value: valid, or invalid with a machine-readable reason. */
export type Validity = { ok: true } | { ok: false, reason: string }

export const VALID: Validity = Object.freeze({ ok: true })

export function invalid (reason: string): { ok: false, reason: string } {
  return { ok: false, reason }
}

/** A rule that also produces a value when it passes. */
export type Result<T> = { ok: true, value: T } | { ok: false, reason: string }

export function okValue<T> (value: T): Result<T> {
  return { ok: true, value }
}
