// `lucid sim`: the harness for researchers from the command line: deterministic for a seed, Byzantine behaviours
// evidenced and refused, the safety counters, clear errors for bad flags.
import { strict as assert } from 'node:assert'
import { runLucid } from '../support/run-lucid.js'

interface Summary {
  nodes: number, slots: number, seed: number, wallSeconds: number, blocksProposed: number, canonicalByRank: Record<string, number>, serverBlocks: number
  headHeight: { min: number, max: number }, finalizedHeight: { min: number, max: number }, finalityAgreed: boolean, finalityReverts: number
  forgedProofsAccepted: number, rejectedForgedProofs: Record<string, number>, equivocationsEvidenced: number, doubleVotesEvidenced: number
}

async function sim (args: string[]): Promise<Summary> {
  const r = await runLucid(['sim', '--json', ...args])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as Summary
}

describe('lucid sim', function () {
  this.timeout(120_000)

  it('is deterministic for a seed, and every slot gets a block that finalizes', async () => {
    const args = ['--nodes', '30', '--slots', '16', '--seed', '7', '--drop', '0.05']
    const a = await sim(args)
    const b = await sim(args)
    assert.deepEqual({ ...a, wallSeconds: 0 }, { ...b, wallSeconds: 0 })
    assert.notDeepEqual({ ...a, wallSeconds: 0 }, { ...(await sim(['--nodes', '30', '--slots', '16', '--seed', '8', '--drop', '0.05'])), wallSeconds: 0 })
    assert.equal(a.nodes, 30)
    assert.equal(Object.values(a.canonicalByRank).reduce((x, y) => x + y, 0) + a.serverBlocks, a.headHeight.max)
    assert.ok(a.headHeight.min >= 15, JSON.stringify(a.headHeight))
    assert.ok(a.finalizedHeight.min > 0 && a.finalityAgreed && a.finalityReverts === 0)
  })

  it('Byzantine nodes are evidenced and refused; the safety counters stay at 0', async () => {
    const s = await sim(['--nodes', '12', '--slots', '30', '--seed', '3', '--behaviour', 'equivocate:2', '--behaviour', 'forge:1', '--behaviour', 'double-vote:1'])
    assert.ok(s.equivocationsEvidenced > 0, 'equivocations evidenced')
    assert.ok(s.doubleVotesEvidenced > 0, 'double votes evidenced')
    assert.ok((s.rejectedForgedProofs['bad-signature'] ?? 0) > 0)
    assert.equal(s.forgedProofsAccepted, 0)
    assert.equal(s.finalityReverts, 0)
    assert.ok(s.finalityAgreed)
  })

  it('with more than a third silent, nothing finalizes; with the primary crashed, its slot falls to the next rank', async () => {
    const stalled = await sim(['--nodes', '9', '--slots', '12', '--behaviour', 'silent:4'])
    assert.equal(stalled.finalizedHeight.max, 0)
    const crashed = await sim(['--nodes', '8', '--slots', '20', '--crash', '0:1', '--param', 'slotTimeoutMs=3000'])
    assert.equal((crashed as unknown as { params: { slotTimeoutMs: number, cooldownSlots: number } }).params.slotTimeoutMs, 3000, 'the run reports the parameters it ran with')
    assert.equal((crashed as unknown as { params: { cooldownSlots: number } }).params.cooldownSlots, 8)
    assert.ok(Object.keys(crashed.canonicalByRank).some((r) => r !== '0') || crashed.serverBlocks > 0, JSON.stringify(crashed.canonicalByRank))
  })

  it('--trace: one JSON line per slot before the summary, heights never moving back', async () => {
    const r = await runLucid(['sim', '--nodes', '15', '--slots', '10', '--trace', '--crash', '2:3:6'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { slot?: number, headHeight: { min: number, max: number }, finalizedHeight: { min: number, max: number }, online?: number })
    assert.equal(lines.length, 11)
    assert.deepEqual(lines.slice(0, 10).map((l) => l.slot), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert.deepEqual(lines.slice(0, 10).map((l) => l.online), [16, 16, 15, 15, 15, 16, 16, 16, 16, 16], 'node 2 down for slots 3 to 5')
    for (let i = 1; i < 10; i++) assert.ok(lines[i].finalizedHeight.max >= lines[i - 1].finalizedHeight.max)
    assert.deepEqual(lines[10].finalizedHeight, lines[9].finalizedHeight, 'the summary ends where the last slot did')
  })

  it('prints a report, and refuses bad flags naming them', async () => {
    const r = await runLucid(['sim', '--nodes', '10', '--slots', '5'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^simulated 10 nodes \(\+ the Server\) for 5 slots/)
    assert.match(r.stdout, /safety {6}finality agreed, 0 finality reverts, 0 forged proofs accepted/)
    const bad: Array<[string[], RegExp]> = [
      [['--nodes', '0'], /--nodes must be a whole number from 1/],
      [['--drop', '1.5'], /--drop must be a number from 0 to below 1/],
      [['--behaviour', 'evil:2'], /--behaviour 'evil:2': expected KIND:COUNT/],
      [['--nodes', '5', '--crash', '9:1'], /--crash: node 9 does not exist/],
      [['--crash', '1:5:3'], /--crash '1:5:3'/],
      [['--min-delay', '500', '--max-delay', '10'], /--min-delay 500 is above --max-delay 10/],
      [['--nodes', '4', '--behaviour', 'silent:5'], /5 misbehaving nodes, --nodes is 4/],
      [['--pool', '3:4'], /--pool '3:4'/],
      [['--param', 'nope=1'], /--param 'nope=1': expected NAME=WHOLE_NUMBER with NAME one of slotMs, /],
      [['--param', 'cooldownSlots=0'], /--param: param-out-of-bounds:cooldownSlots \(from \d+ to \d+\)/],
      [['--param', 'slotTimeoutMs=9000'], /--param: param-relation:fallbacks-exceed-slot/]
    ]
    for (const [args, message] of bad) {
      const run = await runLucid(['sim', ...args])
      assert.notEqual(run.code, 0, args.join(' '))
      assert.match(run.stderr, message)
    }
  })
})
