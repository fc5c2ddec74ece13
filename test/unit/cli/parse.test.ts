// The shared parser for whole-number flags, and the devnet flags that use it naming themselves in their errors.
import { strict as assert } from 'node:assert'
import { parseWholeFlag } from '../../../node/src/cli/parse.js'
import { runLucid } from '../../support/run-lucid.js'

describe('cli: whole-number flags', () => {
  it('takes whole numbers in range and refuses the rest naming the flag', () => {
    const parse = parseWholeFlag('--nodes', 1, 64)
    assert.equal(parse('5'), 5)
    assert.equal(parse('64'), 64)
    for (const bad of ['0', '65', '-1', '1.5', '1e1', '', 'five', '0x10']) assert.throws(() => parse(bad), /--nodes must be a whole number from 1 to 64/, bad)
  })

  it('lucid devnet --replication 0 names --replication (it used to say --nodes)', async function () {
    this.timeout(30_000)
    const r = await runLucid(['devnet', '--replication', '0'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /--replication must be a whole number from 1 to 64/)
  })
})
