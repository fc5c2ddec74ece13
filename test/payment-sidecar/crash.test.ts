// Crash injection on the payout path. In process: the sidecar "dies" at a chosen hit of a chosen point (no ledger
// write and no TRON request after it) and a fresh instance restarts from the same data directory, over and over,
// in randomised runs, sometimes with the TRON clock moved past every open transaction's expiration before the
// restart. As processes: SIGKILL at each point, then restart. Always: zero double payments, zero missing.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ethers } from 'ethers'
import { sealKeys, writeKeystore } from '../../payment-sidecar/src/keystore.js'
import { CRASH_POINTS, CrashError, Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import type { PayoutService } from '../../payment-sidecar/src/service/service.js'
import { batchState, tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, sidecarConfigJson, USD, type World } from './support/world.js'

/** mulberry32: the runs are reproducible from their seed */
function rng (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function paidEvents (w: World): Map<string, number> {
  const topic = ethers.id('Paid(bytes32,address,uint256,uint256)').slice(2)
  const out = new Map<string, number>()
  for (const { info } of w.tron.chain.txs.values()) {
    for (const l of info.log as Array<{ topics: string[] }>) if (l.topics[0] === topic) out.set(l.topics[1] + l.topics[3], (out.get(l.topics[1] + l.topics[3]) ?? 0) + 1)
  }
  return out
}

async function assertExactlyOnce (w: World, batch: Awaited<ReturnType<typeof makeBatch>>): Promise<void> {
  for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `entry ${e.index} (${e.address}) paid exactly its entitlement`)
  const events = [...paidEvents(w)].filter(([k]) => k.startsWith(batch.root.slice(2)))
  assert.equal(events.length, batch.entries.length, 'one Paid event per entry')
  assert.ok(events.every(([, n]) => n === 1), 'no nonce paid twice')
}

describe('payment sidecar: crash injection', function () {
  this.timeout(300_000)
  let w: World
  before(async () => { w = await openWorld() })
  after(async () => { await w?.close() })
  const keys = (): string[] => [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey]
  let epoch = 100

  it('randomised runs: a crash at any point, restarted any number of times, pays every entry exactly once', async () => {
    const runs = Number(process.env.LUCID_CRASH_RUNS ?? 24)
    const crashesAt = new Map<string, number>()
    for (let run = 0; run < runs; run++) {
      const rand = rng(1000 + run)
      const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(3 + Math.floor(rand() * 6), `crash run ${run}`), distributableUsd: 2_000n * USD })
      const block = await commitBatch(w, batch)
      const config = sidecarConfig(w, { confirmations: 2, fromBlock: block, tron: { expirationMs: 30_000 } })
      const crashes = 1 + Math.floor(rand() * 4)
      let s: PayoutService | undefined
      for (let life = 0; ; life++) {
        const last = life >= crashes
        const at = last ? undefined : { point: CRASH_POINTS[Math.floor(rand() * CRASH_POINTS.length)], n: 1 + Math.floor(rand() * 3) }
        s = openService(config, { keys: keys(), guard: new Guard(at) })
        try {
          await tickUntil(s, () => batchState(s!, batch.root) === 'paid', 3_000, 5)
          s.d.ledger.close()
          break
        } catch (e) {
          s.d.ledger.close()
          if (!(e instanceof CrashError)) throw e
          crashesAt.set(e.point, (crashesAt.get(e.point) ?? 0) + 1)
          // sometimes the restart comes late: everything signed but unsent has expired meanwhile
          if (rand() < 0.3) { w.tron.timeOffsetMs += 31_000; await w.tron.mine(1) }
        }
      }
      await assertExactlyOnce(w, batch)
    }
    // the runs did crash at every point of the path
    for (const p of CRASH_POINTS) assert.ok((crashesAt.get(p) ?? 0) > 0, `no run crashed at ${p}: ${JSON.stringify([...crashesAt])}`)
  })

  it('a transaction signed but never broadcast is rebuilt only after it provably expired', async () => {
    const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(2, 'expired rebuild', 100), distributableUsd: 500n * USD })
    const block = await commitBatch(w, batch)
    const config = sidecarConfig(w, { confirmations: 1, fromBlock: block, tron: { expirationMs: 20_000 } })
    const s1 = openService(config, { keys: keys(), guard: new Guard({ point: 'signed', n: 1 }) })
    await assert.rejects(tickUntil(s1, () => false, 50, 5), CrashError)
    s1.d.ledger.close()
    const [signed] = [...s1.state.txs.values()].filter((t) => t.state === 'signed')
    assert.ok(signed?.txid !== undefined)
    // not yet expired: the restart broadcasts the very transaction it signed (same txID), it does not rebuild
    const s2 = openService(config, { keys: keys(), guard: new Guard({ point: 'broadcast-recorded', n: 1 }) })
    await assert.rejects(tickUntil(s2, () => false, 50, 5), CrashError)
    s2.d.ledger.close()
    assert.equal(s2.state.txs.get(signed.key)?.txid, signed.txid)
    assert.equal(s2.state.txs.get(signed.key)?.attempt, 1)
    const s3 = openService(config, { keys: keys(), guard: new Guard() })
    await tickUntil(s3, () => batchState(s3, batch.root) === 'paid')
    s3.d.ledger.close()
    await assertExactlyOnce(w, batch)

    // now the other case: signed, never sent, and the node's clock passes its expiration before the restart
    const batch2 = await makeBatch(w, { epoch: ++epoch, holders: holders(2, 'expired rebuild 2', 100), distributableUsd: 500n * USD })
    const block2 = await commitBatch(w, batch2)
    const config2 = sidecarConfig(w, { confirmations: 1, fromBlock: block2, tron: { expirationMs: 20_000 } })
    const t1 = openService(config2, { keys: keys(), guard: new Guard({ point: 'signed', n: 1 }) })
    await assert.rejects(tickUntil(t1, () => false, 50, 5), CrashError)
    t1.d.ledger.close()
    const first = [...t1.state.txs.values()].find((t) => t.state === 'signed')!
    w.tron.timeOffsetMs += 21_000
    await w.tron.mine(1)
    const t2 = openService(config2, { keys: keys(), guard: new Guard() })
    await tickUntil(t2, () => batchState(t2, batch2.root) === 'paid')
    t2.d.ledger.close()
    const rebuilt = t2.state.txs.get(first.key)!
    assert.notEqual(rebuilt.txid, first.txid, 'rebuilt with a new reference block')
    assert.equal(rebuilt.attempt, 2)
    assert.ok(t2.d.ledger.records.some((r) => r.key === first.key && r.state === 'expired'))
    assert.equal(w.tron.chain.txs.has(first.txid!), false, 'the expired transaction never landed')
    await assertExactlyOnce(w, batch2)
  })

  it('SIGKILL of the real process at each point, then restart: exactly once', async function () {
    this.timeout(300_000)
    const points = process.env.LUCID_SIGKILL_POINTS?.split(',') ?? [...CRASH_POINTS]
    const batch = await makeBatch(w, { epoch: ++epoch, holders: holders(8, 'sigkill'), distributableUsd: 1_000n * USD })
    const block = await commitBatch(w, batch)
    // enough confirmations that a restarted process still finds transactions waiting for them
    const raw = sidecarConfigJson(w, { confirmations: 40, fromBlock: block, api: { port: 0 } })
    const dataDir = raw.dataDir as string
    writeKeystore(join(dataDir, 'keystore.json'), sealKeys(keys(), 'test passphrase', 1 << 10))
    const configPath = join(dataDir, 'config.json')
    writeFileSync(configPath, JSON.stringify(raw))
    const bin = join(process.cwd(), 'payment-sidecar', 'bin', 'lucid-payout.js')
    for (const point of points) {
      const child = spawn(process.execPath, [bin, 'start', '--config', configPath], { env: { ...process.env, LUCID_PAYOUT_CRASH_AT: `${point}:1`, LUCID_PAYOUT_PASSPHRASE: 'test passphrase' }, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      const killer = setTimeout(() => child.kill('SIGTERM'), 30_000)
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
      clearTimeout(killer)
      assert.equal(signal, 'SIGKILL', `the sidecar should have been killed at ${point} (exit ${String(code)}): ${stderr}`)
    }
    const s = openService(sidecarConfig(w, { dataDir, confirmations: 2, fromBlock: block }), { keys: keys(), guard: new Guard() })
    await tickUntil(s, () => batchState(s, batch.root) === 'paid')
    s.d.ledger.close()
    await assertExactlyOnce(w, batch)
  })
})
