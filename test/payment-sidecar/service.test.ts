// Modes and switches (dry-run, pause, TRX buffer, local daily cap), reconcile, the HTTP API and the CLI.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { startApi } from '../../payment-sidecar/src/service/api.js'
import { openService, pauseFile } from '../../payment-sidecar/src/service/open.js'
import { reconcile } from '../../payment-sidecar/src/service/reconcile.js'
import { batchState, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, sidecarConfigJson, USD, type World } from './support/world.js'

describe('payment sidecar: modes, switches, API and CLI', function () {
  this.timeout(120_000)
  let w: World
  before(async () => { w = await openWorld() })
  after(async () => { await w?.close() })
  let epoch = 600
  const keys = (): string[] => [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey]
  async function committed (n = 3): Promise<{ batch: Awaited<ReturnType<typeof makeBatch>>, block: number }> {
    const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(n, `svc ${epoch}`), distributableUsd: 600n * USD })
    return { batch, block: await commitBatch(w, batch) }
  }

  it('dry-run: builds and signs every transaction, broadcasts none', async () => {
    const { batch, block } = await committed()
    const before = w.tron.requests.get('/wallet/broadcasttransaction') ?? 0
    const s = openService(sidecarConfig(w, { mode: 'dry-run', fromBlock: block }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'dry-run')
    assert.equal(w.tron.requests.get('/wallet/broadcasttransaction') ?? 0, before)
    const txs = [...s.state.txs.values()].filter((t) => t.batch === batch.root)
    assert.equal(txs.length, batch.entries.length + batch.approvals.length)
    assert.ok(txs.every((t) => t.state === 'dry-run' && /^[0-9a-f]{64}$/.test(t.txid ?? '')))
    for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), 0n)
    s.d.ledger.close()
  })

  it('pause switch: accepts batches but sends nothing until resumed', async () => {
    const { batch, block } = await committed()
    const config = sidecarConfig(w, { fromBlock: block, confirmations: 1 })
    writeFileSync(pauseFile(config), 'paused\n')
    const s = openService(config, { keys: keys(), guard: new Guard() })
    for (let i = 0; i < 5; i++) await s.tick()
    assert.equal(batchState(s, batch.root), 'accepted')
    assert.equal([...s.state.txs.values()].filter((t) => t.batch === batch.root).length, 0)
    rmSync(pauseFile(config))
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    s.d.ledger.close()
  })

  it('TRX buffer: with too little TRX for the fee limit it waits, says why, and sends nothing', async () => {
    const { batch, block } = await committed()
    const acct = w.tron.chain.accounts.get(w.feePayer41)!
    const saved = acct.balance
    acct.balance = 2_000_000
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 1 }), { keys: keys(), guard: new Guard() })
    for (let i = 0; i < 3; i++) await s.tick()
    assert.match([...s.blocked.values()].join(';'), /TRX balance 2000000 sun is below fee limit \+ bandwidth \+ buffer/)
    assert.equal([...s.state.txs.values()].filter((t) => t.batch === batch.root && t.txid !== undefined).length, 0)
    acct.balance = saved
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    s.d.ledger.close()
  })

  it('local daily cap: payouts beyond it wait for the next UTC day', async () => {
    const a = await committed(3)
    const b = await committed(3)
    const s = openService(sidecarConfig(w, { fromBlock: a.block, confirmations: 1, caps: { maxPerTxUsd6: String(600n * USD), dailyCapUsd6: String(900n * USD) } }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, a.batch.root) === 'paid' && [...s.blocked.values()].some((v) => /daily cap/.test(v)))
    let paid = 0n
    for (const e of [...a.batch.entries, ...b.batch.entries]) paid += await w.tokenBalance(e.address)
    assert.ok(paid <= 900n * USD, `paid ${paid} today, cap 900 USD`)
    assert.equal(batchState(s, b.batch.root), 'accepted')
    s.d.ledger.close()
  })

  it('reconcile: agrees after a payout, lists a ledger entry TRON does not know', async () => {
    const { batch, block } = await committed()
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 1 }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    assert.deepEqual(await reconcile(s), [])
    const key = `${batch.root}/pay/0`
    s.d.ledger.append({ k: 'tx', key, state: 'confirmed', txid: 'ee'.repeat(32) })
    s.state.apply(s.d.ledger.records[s.d.ledger.records.length - 1])
    const diffs = await reconcile(s)
    assert.deepEqual(diffs, [{ key, ledger: `confirmed ${'ee'.repeat(32)}`, tron: 'no such transaction in a block' }])
    s.d.ledger.close()
  })

  it('HTTP API: token required, health, payouts, batches, metrics', async () => {
    const { batch, block } = await committed()
    const s = openService(sidecarConfig(w, { fromBlock: block, confirmations: 1 }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    const api = await startApi(s, { host: '127.0.0.1', port: 0, token: 'secret-token', isPaused: () => false })
    try {
      const get = async (path: string, token = 'secret-token', method = 'GET'): Promise<Response> => await fetch(api.url + path, { method, headers: { authorization: `Bearer ${token}` } })
      assert.equal((await get('/health', 'wrong')).status, 401)
      assert.equal((await fetch(api.url + '/health')).status, 401)
      const health = await (await get('/health')).json() as Record<string, unknown>
      assert.equal(health.ok, true)
      assert.equal(health.mode, 'sandbox')
      const payouts = await (await get('/payouts?state=confirmed')).json() as { payouts: Array<{ key: string, tx?: unknown }> }
      assert.equal(payouts.payouts.length, batch.entries.length)
      assert.ok(payouts.payouts.every((p) => p.tx === undefined), 'signed transactions are not served')
      const view = await (await get(`/batches/${batch.root.slice(2)}`)).json() as { state: string, transactions: unknown[] }
      assert.equal(view.state, 'paid')
      assert.equal(view.transactions.length, batch.entries.length + batch.approvals.length)
      assert.equal((await get('/batches/abcdef0123')).status, 404)
      assert.equal((await get('/batches/xyz')).status, 400)
      assert.equal((await get('/health', 'secret-token', 'POST')).status, 405)
      // a request target that is no URL (fetch would normalise it: sent raw) gets a 400, and the API keeps serving
      const raw = await new Promise<{ status: number, body: string }>((resolve, reject) => {
        const { port } = new URL(api.url)
        const req = httpRequest({ host: '127.0.0.1', port, path: '//[', headers: { authorization: 'Bearer secret-token' } }, (res) => {
          let body = ''
          res.on('data', (d: Buffer) => { body += d.toString() })
          res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
        })
        req.on('error', reject)
        req.end()
      })
      assert.equal(raw.status, 400, raw.body)
      assert.match(raw.body, /malformed request target/)
      assert.equal((await get('/health')).status, 200)
      const metrics = await (await get('/metrics')).text()
      assert.match(metrics, new RegExp(`^lucid_payout_payouts_confirmed_total ${batch.entries.length}$`, 'm'))
      const paid = batch.entries.reduce((x, e) => x + e.netUsd, 0n)
      assert.match(metrics, new RegExp(`^lucid_payout_usdt_paid_usd6_total ${paid}$`, 'm'))
      assert.match(metrics, /^lucid_payout_trx_balance_sun [1-9]\d*$/m)
      assert.match(metrics, /^lucid_payout_energy_used_total [1-9]\d*$/m)
      assert.match(metrics, /^lucid_payout_batches_seen_total 1$/m)
    } finally { await api.close(); s.d.ledger.close() }
  })

  it('CLI: status, batch show, reconcile, keys, bad input', async () => {
    const { batch, block } = await committed()
    const raw = sidecarConfigJson(w, { fromBlock: block, confirmations: 1 })
    const dataDir = raw.dataDir as string
    const configPath = join(dataDir, 'config.json')
    writeFileSync(configPath, JSON.stringify(raw))
    const s = openService(sidecarConfig(w, { dataDir, fromBlock: block, confirmations: 1 }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    s.d.ledger.close()
    const bin = join(process.cwd(), 'payment-sidecar', 'bin', 'lucid-payout.js')
    // asynchronous: the TRON stand-in answers from this very process
    const run = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, out: string, err: string }> => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      return { code, out, err }
    }
    const status = await run(['status', '--config', configPath])
    assert.equal(status.code, 0, status.err)
    const st = JSON.parse(status.out)
    assert.equal(st.batches[0].state, 'paid')
    assert.equal(st.payouts.confirmed, batch.entries.length)
    const show = await run(['batch', 'show', batch.root.slice(0, 12)], { LUCID_PAYOUT_CONFIG: configPath })
    assert.equal(show.code, 0, show.err)
    assert.equal(JSON.parse(show.out).id, batch.root)
    const rec = await run(['reconcile', '--config', configPath])
    assert.equal(rec.code, 0, rec.err)
    assert.deepEqual(JSON.parse(rec.out).differences, [])
    const init = await run(['keys', 'init', '--count', '3', '--config', configPath], { LUCID_PAYOUT_PASSPHRASE: 'a long passphrase' })
    assert.equal(init.code, 0, init.err)
    const addrs = JSON.parse(init.out).addresses as string[]
    assert.equal(addrs.length, 3)
    assert.deepEqual(JSON.parse((await run(['keys', 'list', '--config', configPath])).out).addresses, addrs)
    const bad = await run(['frobnicate', '--config', configPath])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /^lucid-payout: unknown command 'frobnicate'/)
    assert.match((await run(['status', '--colour', 'x'])).err, /unknown flag --colour/)
    const usage = await run(['--help'])
    assert.equal(usage.code, 0)
    for (const c of ['start', 'status', 'batch show', 'reconcile', 'keys init', 'keys list', 'pause | resume']) assert.match(usage.out, new RegExp(`^  ${c}`, 'm'))
    assert.match((await run(['reconcile', '--help'])).out, /^usage: lucid-payout reconcile .*ledger vs TRON/)
    assert.match((await run(['status'])).err, /no config: pass --config FILE or set LUCID_PAYOUT_CONFIG/)
    assert.match((await run(['keys', 'init', '--config', configPath], { LUCID_PAYOUT_PASSPHRASE: 'a long passphrase' })).err, /a keystore already exists/)
  })
})
