/** A node started by a devnet stops once the devnet is gone (its parent PID changed), and only then. */
import { strict as assert } from 'node:assert'
import { starterFromEnv, watchParent, STOP_WITH_PARENT_ENV } from '../../../node/src/runtime/parent-watch.js'

const tick = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

describe('runtime: stop with the starter (parent-watch)', () => {
  it('calls back once, when the parent PID is no longer the starter\'s', async () => {
    let parent = 4242
    let gone = 0
    const stop = watchParent(4242, () => { gone++ }, 5, () => parent)
    await tick(30)
    assert.equal(gone, 0, 'the starter is still the parent')
    parent = 1 // reparented: the starter died
    await tick(30)
    parent = 4242
    await tick(30)
    assert.equal(gone, 1, 'once')
    stop()
  })

  it('stops watching when told to', async () => {
    let gone = 0
    const stop = watchParent(4242, () => { gone++ }, 5, () => 1)
    stop()
    await tick(30)
    assert.equal(gone, 0)
  })

  it('reads the starter from the environment; a bad value is named', () => {
    assert.equal(starterFromEnv({}), null)
    assert.equal(starterFromEnv({ [STOP_WITH_PARENT_ENV]: '' }), null)
    assert.equal(starterFromEnv({ [STOP_WITH_PARENT_ENV]: '31337' }), 31337)
    for (const bad of ['0', '-1', 'abc', '1e3', '12345678901', ' 12']) {
      assert.throws(() => starterFromEnv({ [STOP_WITH_PARENT_ENV]: bad }), new RegExp(`^Error: ${STOP_WITH_PARENT_ENV}: not a process ID`))
    }
  })
})
