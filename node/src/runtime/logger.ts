/** Structured JSON logs (pino), one object per line on stdout; the level comes from the effective config. */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger (level: string, base: Record<string, unknown> = {}, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { ...base }, timestamp: pino.stdTimeFunctions.isoTime }, (destination ?? process.stdout) as any)
}
