/**
 * The node's config file (`config.json` in the node home), validated at start. Every bad value is reported with its
 * path and what is expected. Later layers (environment variables, flags) override it in that order.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../../../protocols/session/constants.js'

export const configSchema = z.strictObject({
  version: z.literal(1),
  /** Who recordings belong to by default (an account address or a name). */
  owner: z.string().min(1).max(256).optional(),
  seal: z.strictObject({
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE).default(DEFAULT_CHUNK_SIZE)
  }).default({ chunkSize: DEFAULT_CHUNK_SIZE }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
  }).default({ level: 'info' })
})

export type Config = z.infer<typeof configSchema>

export function defaultConfig (): Config {
  return configSchema.parse({ version: 1 })
}

export class ConfigError extends Error {
  constructor (message: string) { super(message); this.name = 'ConfigError' }
}

export function parseConfig (value: unknown, source: string): Config {
  const result = configSchema.safeParse(value)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new ConfigError(lines.join('\n'))
  }
  return result.data
}

export async function loadConfig (path: string): Promise<Config> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run 'lucid init' to create it`)
  }
  let value: unknown
  try { value = JSON.parse(text) } catch (err) { throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`) }
  return parseConfig(value, path)
}
