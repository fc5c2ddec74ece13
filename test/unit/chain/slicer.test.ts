// The Slicer gives the event loop a turn once its slice is spent, and not before.
import { strict as assert } from 'node:assert'
import { Slicer } from '../../../node/src/chain/slicer.js'

const busy = (ms: number): void => { const end = performance.now() + ms; while (performance.now() < end) { /* spin */ } }

describe('chain: Slicer', () => {
  it('lets a queued macrotask run once the slice is spent', async () => {
    const s = new Slicer(5)
    let ran = false
    setImmediate(() => { ran = true })
    busy(6)
    await s.turn()
    assert.equal(ran, true)
  })

  it('does not yield within the slice', async () => {
    const s = new Slicer(1000)
    let ran = false
    setImmediate(() => { ran = true })
    for (let i = 0; i < 100; i++) await s.turn()
    assert.equal(ran, false)
  })
})
