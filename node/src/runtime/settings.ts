/**
 * The effective config: config.json, then environment variables, then command-line flags (later wins), validated
 * once with the config schema. Every bad value is reported on its own line, naming where it came from.
 */
import { readFile } from 'node:fs/promises'
import { configSchema, ConfigError, type Config } from '../home/config.js'

export interface Overrides {
  listen?: string[]
  bootstrap?: string[]
  mdns?: boolean
  api?: string
  logLevel?: string
  rpc?: string
}

type Layer = Array<{ path: string[], value: unknown, source: string }>

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '')
const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text))
const bool = (text: string): boolean | string => (/^(1|true|yes|on)$/i.test(text) ? true : /^(0|false|no|off)$/i.test(text) ? false : text)

function hostPort (text: string): { host: string | number, port: number | string } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim())
  if (m === null) return { host: text, port: 'expected HOST:PORT' }
  return { host: m[1] ?? m[2], port: Number(m[3]) }
}

/** Environment variables and the config keys they set. */
export const ENV_KEYS: Record<string, { path: string[], parse: (t: string) => unknown }> = {
  LUCID_LISTEN: { path: ['node', 'listen'], parse: list },
  LUCID_BOOTSTRAP: { path: ['node', 'bootstrap'], parse: list },
  LUCID_MDNS: { path: ['node', 'mdns'], parse: bool },
  LUCID_MAX_PEERS: { path: ['node', 'maxPeers'], parse: num },
  LUCID_API: { path: ['api'], parse: hostPort },
  LUCID_MAX_UPLOAD_BYTES: { path: ['api', 'maxUploadBytes'], parse: num },
  LUCID_LOG_LEVEL: { path: ['log', 'level'], parse: (t) => t },
  LUCID_REPLICATION: { path: ['swarm', 'replication'], parse: num },
  LUCID_HEARTBEAT_MS: { path: ['swarm', 'heartbeatMs'], parse: num },
  LUCID_REPAIR_GRACE_MS: { path: ['swarm', 'repairGraceMs'], parse: num },
  LUCID_GOSSIP_IP_COLOCATION_WEIGHT: { path: ['swarm', 'ipColocationWeight'], parse: num },
  LUCID_CHUNK_SIZE: { path: ['seal', 'chunkSize'], parse: num },
  LUCID_SWARM_CHUNK_SIZE: { path: ['swarm', 'chunkSize'], parse: num },
  LUCID_OWNER: { path: ['owner'], parse: (t) => t },
  LUCID_RPC: { path: ['chain', 'rpc'], parse: hostPort },
  LUCID_CHAIN_DEV_SERVER: { path: ['chain', 'devServer'], parse: bool }
}

function setPath (target: Record<string, unknown>, path: string[], value: unknown): void {
  let obj = target
  for (const key of path.slice(0, -1)) {
    if (obj[key] === null || typeof obj[key] !== 'object' || Array.isArray(obj[key])) obj[key] = {}
    obj = obj[key] as Record<string, unknown>
  }
  const last = path[path.length - 1]
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof obj[last] === 'object' && obj[last] !== null) {
    obj[last] = { ...(obj[last] as object), ...(value as object) }
  } else {
    obj[last] = value
  }
}

export function envLayer (env: NodeJS.ProcessEnv): Layer {
  const out: Layer = []
  for (const [name, { path, parse }] of Object.entries(ENV_KEYS)) {
    const raw = env[name]
    if (raw !== undefined && raw !== '') out.push({ path, value: parse(raw), source: name })
  }
  return out
}

export function flagLayer (o: Overrides): Layer {
  const out: Layer = []
  if (o.listen !== undefined && o.listen.length > 0) out.push({ path: ['node', 'listen'], value: o.listen, source: '--listen' })
  if (o.bootstrap !== undefined && o.bootstrap.length > 0) out.push({ path: ['node', 'bootstrap'], value: o.bootstrap, source: '--bootstrap' })
  if (o.mdns === true) out.push({ path: ['node', 'mdns'], value: true, source: '--mdns' })
  if (o.api !== undefined) out.push({ path: ['api'], value: hostPort(o.api), source: '--api' })
  if (o.logLevel !== undefined) out.push({ path: ['log', 'level'], value: o.logLevel, source: '--log-level' })
  if (o.rpc !== undefined) out.push({ path: ['chain', 'rpc'], value: hostPort(o.rpc), source: '--rpc' })
  return out
}

/** Merges the layers over the file's value and validates; errors name the layer that set the bad value. */
export function effectiveConfig (fileValue: unknown, fileName: string, layers: Layer): Config {
  const root = fileValue ?? {}
  if (typeof root !== 'object' || Array.isArray(root)) throw new ConfigError(`${fileName}: (root): expected a JSON object, got ${Array.isArray(root) ? 'an array' : typeof root}`)
  const merged = structuredClone(root as Record<string, unknown>)
  const sources = new Map<string, string>()
  for (const l of layers) {
    setPath(merged, l.path, l.value)
    if (l.value !== null && typeof l.value === 'object' && !Array.isArray(l.value)) {
      for (const k of Object.keys(l.value)) sources.set([...l.path, k].join('.'), l.source)
    } else {
      sources.set(l.path.join('.'), l.source)
    }
  }
  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const path = i.path.map(String)
      let source = fileName
      for (let n = path.length; n > 0; n--) {
        const s = sources.get(path.slice(0, n).join('.'))
        if (s !== undefined) { source = s; break }
      }
      return `${source}: ${path.join('.') || '(root)'}: ${i.message}`
    })
    throw new ConfigError(lines.join('\n'))
  }
  return result.data
}

export async function loadEffectiveConfig (configPath: string, env: NodeJS.ProcessEnv, flags: Overrides): Promise<Config> {
  let text: string
  try { text = await readFile(configPath, 'utf8') } catch (err) {
    throw new ConfigError(`cannot read config ${configPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run 'lucid init' to create it`)
  }
  let value: unknown
  try { value = JSON.parse(text) } catch (err) { throw new ConfigError(`${configPath}: not valid JSON (${(err as Error).message})`) }
  return effectiveConfig(value, configPath, [...envLayer(env), ...flagLayer(flags)])
}
