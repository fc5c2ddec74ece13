// The image's HEALTHCHECK (distroless has no shell or curl, so this is a small Node script, run as
// `/nodejs/bin/node /opt/lucid/payment-sidecar/healthcheck.mjs`). It finds the sidecar's API the way the sidecar
// does (payment-sidecar/src/config.ts): the config file from LUCID_PAYOUT_CONFIG, paths relative to the config's
// folder, api.host (default 127.0.0.1; a wildcard host is asked on 127.0.0.1), api.port (default 8787), the bearer
// token from api.tokenFile (default <dataDir>/api-token). Exit 0 only when GET /health answers 200: the sidecar
// answers 503 while its last tick failed (TRON node or chain unreachable, ...), which makes the container unhealthy.
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'

function fail (why) {
  process.stderr.write(`healthcheck: ${why}\n`)
  process.exit(1)
}

const configPath = process.env.LUCID_PAYOUT_CONFIG
if (configPath === undefined || configPath === '') fail('LUCID_PAYOUT_CONFIG is not set')
let config
try { config = JSON.parse(readFileSync(configPath, 'utf8')) } catch (e) { fail(`cannot read the config ${configPath}: ${e.code ?? e.message}`) }
const abs = (p) => isAbsolute(p) ? p : resolve(dirname(resolve(configPath)), p)
const api = config.api ?? {}
const port = api.port ?? 8787
if (port === 0) fail('api.port is 0 (a random port): give the API a fixed port to health-check it')
const host = [undefined, '0.0.0.0', '::', '[::]'].includes(api.host) ? '127.0.0.1' : api.host
const tokenFile = abs(api.tokenFile ?? join(abs(String(config.dataDir ?? '.')), 'api-token'))
let token
try { token = readFileSync(tokenFile, 'utf8').trim() } catch (e) { fail(`no API token at ${tokenFile} (${e.code ?? e.message}): the sidecar has not started yet`) }

try {
  const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/health`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(4000) })
  const body = await res.text()
  if (res.status !== 200) fail(`/health answered ${res.status}: ${body.trim().slice(0, 300)}`)
  process.stdout.write(body)
} catch (e) {
  fail(`/health on ${host}:${port}: ${e.cause?.code ?? e.message}`)
}
