// lucid-payout: the TRON payout sidecar's command line.
//   lucid-payout start            [--config FILE]   follow the chain and pay (HTTP API on 127.0.0.1)
//   lucid-payout status           [--config FILE]   ledger summary (no TRON access needed)
//   lucid-payout batch show ID    [--config FILE]   one batch and its transactions
//   lucid-payout reconcile        [--config FILE]   ledger vs TRON; exit 1 if they differ
//   lucid-payout keys init [--count N] [--import FILE]   create the encrypted keystore
//   lucid-payout keys list                          the keystore's TRON addresses
//   lucid-payout pause | resume                     the pause switch (a PAUSED file in the data directory)
// The config comes from --config or LUCID_PAYOUT_CONFIG; the keystore passphrase from keystore.passphraseFile or
// LUCID_PAYOUT_PASSPHRASE, never from a flag.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ethers } from 'ethers'
import { loadConfig, type Config } from '../config.js'
import { passphraseFrom, readKeystore, sealKeys, writeKeystore } from '../keystore.js'
import { startApi } from '../service/api.js'
import { openService, pauseFile } from '../service/open.js'
import { reconcile } from '../service/reconcile.js'
import { stopWithParent } from '../stop-with-parent.js'

class UsageError extends Error {}

const USAGE = `usage: lucid-payout <command> [--config FILE]

  start            [--config FILE]        follow the On-System chain's final payout batches and pay them on TRON
                                          (HTTP API and /metrics on 127.0.0.1, token in api.tokenFile)
  status           [--config FILE]        ledger summary (no TRON access needed)
  batch show ID    [--config FILE]        one batch and its transactions
  reconcile        [--config FILE]        ledger vs TRON; exit 1 if they differ, listing every difference
  keys init [--count N] [--import FILE]   create the encrypted keystore (N = 3 keys by default)
  keys list                               the keystore's TRON addresses
  pause | resume   [--config FILE]        the pause switch (a PAUSED file in the data directory)

The config comes from --config or LUCID_PAYOUT_CONFIG; the keystore passphrase from keystore.passphraseFile or
LUCID_PAYOUT_PASSPHRASE, never from a flag. docs/payment-sidecar.md has the config reference.
`

/** --help, -h or help anywhere: the usage (the lines of the command named, if one is). */
function help (argv: string[]): string | null {
  if (!argv.some((a) => a === '--help' || a === '-h' || a === 'help')) return null
  const named = argv.find((a) => !a.startsWith('-') && a !== 'help')
  if (named === undefined) return USAGE
  const lines = USAGE.split('\n').filter((l) => l.trimStart().startsWith(named) || (named === 'pause' || named === 'resume' ? l.includes('pause | resume') : false))
  return lines.length === 0 ? USAGE : `usage: lucid-payout ${lines.map((l) => l.trim()).join('\n       lucid-payout ')}\n`
}

function parse (argv: string[]): { cmd: string[], flags: Map<string, string> } {
  const cmd: string[] = []
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2)
      if (!['config', 'count', 'import'].includes(k)) throw new UsageError(`unknown flag --${k}`)
      const value = v ?? argv[++i]
      if (value === undefined) throw new UsageError(`--${k} needs a value`)
      flags.set(k, value)
    } else cmd.push(a)
  }
  return { cmd, flags }
}

function config (flags: Map<string, string>): Config {
  const path = flags.get('config') ?? process.env.LUCID_PAYOUT_CONFIG
  if (path === undefined) throw new UsageError('no config: pass --config FILE or set LUCID_PAYOUT_CONFIG')
  return loadConfig(path)
}

function apiToken (c: Config): string {
  if (existsSync(c.api.tokenFile)) return readFileSync(c.api.tokenFile, 'utf8').trim()
  const token = randomBytes(24).toString('base64url')
  mkdirSync(dirname(c.api.tokenFile), { recursive: true })
  writeFileSync(c.api.tokenFile, token + '\n', { mode: 0o600 })
  return token
}

const out = (v: unknown): void => { process.stdout.write((typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '\n') }

async function main (argv: string[]): Promise<number> {
  const usage = help(argv)
  if (usage !== null) { process.stdout.write(usage); return 0 }
  const { cmd, flags } = parse(argv)
  const [c0, c1, c2] = cmd
  if (c0 === 'start' && cmd.length === 1) {
    const c = config(flags)
    // before anything starts (a malformed value is refused like a bad flag); the SIGTERM it raises stops the run below
    stopWithParent(process.env, (starter) => { process.stderr.write(`lucid-payout: the process that started it (${starter}) is gone: stopping\n`) })
    const s = openService(c, { log: (m) => process.stderr.write(`lucid-payout: ${m}\n`) })
    const api = await startApi(s, { host: c.api.host, port: c.api.port, token: apiToken(c), isPaused: () => c.paused || existsSync(pauseFile(c)) })
    process.stderr.write(`lucid-payout: ${c.mode} mode, API on ${api.url}, TRON ${c.tron.fullNode}, chain ${c.chain.rpcUrl}\n`)
    const stop = new AbortController()
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort())
    await s.run(stop.signal)
    await api.close()
    s.d.ledger.close()
    return 0
  }
  if ((c0 === 'status' && cmd.length === 1) || (c0 === 'batch' && c1 === 'show' && c2 !== undefined && cmd.length === 3)) {
    const c = config(flags)
    const s = openService(c, { keys: [] })
    if (c0 === 'batch') {
      const v = s.batchView(c2.replace(/^0x/, '').toLowerCase())
      if (v === undefined) { process.stderr.write(`lucid-payout: no batch ${c2} in the ledger\n`); return 1 }
      out(v)
      return 0
    }
    const byState: Record<string, number> = {}
    for (const t of s.state.txs.values()) if (t.kind === 'pay') byState[t.state] = (byState[t.state] ?? 0) + 1
    out({ mode: c.mode, paused: c.paused || existsSync(pauseFile(c)), cursor: s.state.cursor, batches: [...s.state.batches.values()].map((b) => ({ id: b.id, epoch: b.epoch, state: b.state, reason: b.reason })), payouts: byState, paidUsd6: s.state.counters.paidUsd6.toString() })
    return 0
  }
  if (c0 === 'reconcile' && cmd.length === 1) {
    const c = config(flags)
    const s = openService(c, { keys: [] })
    const diffs = await reconcile(s)
    out({ differences: diffs })
    return diffs.length === 0 ? 0 : 1
  }
  if (c0 === 'keys' && c1 === 'init' && cmd.length === 2) {
    const c = config(flags)
    if (existsSync(c.keystore.path)) throw new UsageError(`a keystore already exists at ${c.keystore.path}`)
    let keys: string[]
    if (flags.has('import')) keys = readFileSync(flags.get('import')!, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '')
    else {
      const n = Number(flags.get('count') ?? '1')
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new UsageError('--count must be an integer from 1 to 10')
      keys = Array.from({ length: n }, () => ethers.Wallet.createRandom().privateKey)
    }
    const file = sealKeys(keys, passphraseFrom(c.keystore.passphraseFile))
    writeKeystore(c.keystore.path, file)
    out({ keystore: c.keystore.path, addresses: file.addresses })
    return 0
  }
  if (c0 === 'keys' && c1 === 'list' && cmd.length === 2) {
    out({ addresses: readKeystore(config(flags).keystore.path).addresses })
    return 0
  }
  if ((c0 === 'pause' || c0 === 'resume') && cmd.length === 1) {
    const c = config(flags)
    mkdirSync(c.dataDir, { recursive: true })
    if (c0 === 'pause') writeFileSync(pauseFile(c), new Date().toISOString() + '\n')
    else rmSync(pauseFile(c), { force: true })
    out({ paused: c0 === 'pause' })
    return 0
  }
  throw new UsageError(`unknown command '${cmd.join(' ')}': use start | status | batch show ID | reconcile | keys init | keys list | pause | resume`)
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (e: Error) => {
  process.stderr.write(`lucid-payout: ${e.message}\n`)
  process.exitCode = e instanceof UsageError ? 2 : 1
})
