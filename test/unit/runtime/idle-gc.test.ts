import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import fc from 'fast-check'
import { IdleGcPolicy, startIdleGc } from '../../../node/src/runtime/idle-gc.js'

const run = promisify(execFile)

/** Runs startIdleGc in a fresh Node with --expose-gc (real V8 GC notifications); returns its collections. */
async function childCollections (intervalMs: number, ownGcEveryMs: number | null, forMs: number): Promise<number> {
  const script = `
    import { startIdleGc } from ${JSON.stringify(new URL('../../../node/src/runtime/idle-gc.ts', import.meta.url).pathname)}
    const idle = startIdleGc(${intervalMs})
    if (idle === null) { console.log('no-gc'); process.exit(1) }
    const own = ${ownGcEveryMs === null ? 'null' : `setInterval(() => globalThis.gc(), ${ownGcEveryMs})`}
    setTimeout(() => { if (own) clearInterval(own); idle.stop(); console.log(idle.collections()) }, ${forMs})
  `
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 })
  return Number(stdout.trim())
}

describe('idle GC', () => {
  it('is due only after a whole interval without a major GC', () => {
    const p = new IdleGcPolicy(60_000, 1_000)
    assert.equal(p.due(60_999), false)
    assert.equal(p.due(61_000), true)
    p.majorGcAt(50_000)
    assert.equal(p.due(109_999), false)
    assert.equal(p.due(110_000), true)
  })

  it('property: due exactly when the latest major GC (never moved back by an older report) is an interval old', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(fc.integer({ min: 0, max: 1e7 }), { maxLength: 20 }), fc.integer({ min: 0, max: 2e7 }), (interval, majors, now) => {
      const p = new IdleGcPolicy(interval, 0)
      for (const m of majors) p.majorGcAt(m)
      const latest = Math.max(0, ...majors)
      assert.equal(p.due(now), now - latest >= interval)
    }))
  })

  it('refuses an interval that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => new IdleGcPolicy(bad, 0), /idle GC interval must be a positive number/)
  })

  it('does nothing in a process without gc, and collects through the given gc when due', async () => {
    assert.equal(startIdleGc(1000, undefined), null)
    let calls = 0
    const idle = startIdleGc(40, () => { calls++ })
    assert.ok(idle !== null)
    try {
      const deadline = Date.now() + 10_000
      while (calls < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.ok(calls >= 2, `gc called ${calls} times`)
      assert.equal(idle.collections(), calls)
    } finally { idle.stop() }
    const after = calls
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.equal(calls, after, 'stop() ends the collections')
  })

  it('in a real V8: collects when the process runs no major GC, and not while V8 runs its own', async function () {
    this.timeout(60_000)
    const idle = await childCollections(300, null, 2000)
    assert.ok(idle >= 2, `idle process: ${idle} collections`)
    const busy = await childCollections(1500, 100, 2500)
    assert.equal(busy, 0, 'a process whose major GCs run anyway gets none from the idle GC')
  })
})
