// The Slicer gives the event loop a turn once its slice is spent, and not before (on an injected clock).
import { strict as assert } from 'node:assert'
import { Slicer } from '../../../node/src/chain/slicer.js'

/** A turn of the slicer; whether a macrotask queued before it ran by the time it returned. */
async function yielded (s: Slicer): Promise<boolean> {
  let ran = false
  setImmediate(() => { ran = true })
  await s.turn()
  return ran
}

describe('chain: Slicer', () => {
  it('yields once the slice is spent and starts a new slice after the turn', async () => {
    let t = 0
    const s = new Slicer(5, () => t)
    t = 4.9
    assert.equal(await yielded(s), false, 'yielded within the slice')
    t = 5
    assert.equal(await yielded(s), true, 'did not yield once the slice was spent')
    t = 9
    assert.equal(await yielded(s), false, 'the slice did not restart at the turn')
    t = 10
    assert.equal(await yielded(s), true)
  })

  it('with a zero slice, yields at every turn', async () => {
    const s = new Slicer(0, () => 0)
    for (let i = 0; i < 3; i++) assert.equal(await yielded(s), true)
  })
})
