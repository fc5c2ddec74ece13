// The README's start command: `lucid demo` as a real process runs its whole story and exits 0.
import { strict as assert } from 'node:assert'
import { runLucid } from '../support/run-lucid.js'

describe('lucid demo (the README start command)', function () {
  this.timeout(300_000)

  it('seals, gossips, replicates, fetches byte-identical, anchors on the chain and finalizes, pays an epoch in sandbox mode, then stops cleanly', async () => {
    const r = await runLucid(['demo'])
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const line = (step: string): string => r.stdout.split('\n').find((l) => l.startsWith(step)) ?? assert.fail(`no "${step}" line in:\n${r.stdout}`)
    assert.match(line('chain'), /finalized #[1-9]/)
    assert.match(line('anchored'), /registerSession 0x[0-9a-f]{16}… accepted/)
    assert.match(line('announced'), /all 3 nodes validated/)
    assert.match(line('fetched'), /byte-identical/)
    assert.match(line('final'), /the anchor is in block #\d+/)
    assert.match(line('committed'), /signed by 2 of the 3 dev disbursers and committed to PayoutBatches in block #\d+/)
    assert.match(line('paid'), /all confirmed 20 blocks deep/)
    assert.match(line('balances'), /every balance equals its entitlement to the unit/)
    assert.match(line('stopped'), /stopped cleanly/)
  })
})
