// Vote equivocation on a real in-process chain: two conflicting votes of one node (a double vote, then a surround
// vote of another node) become evidence, the next block carries it in its envelope, a follower re-executing the
// block agrees, and the offender's entity is jailed; evidence that no longer applies is dropped, not fatal.
import { strict as assert } from 'node:assert'
import { bytesToHex } from '@ethereumjs/util'
import { makeAttestation } from '../../../protocols/poot/index.js'
import { decodeEnvelope, devNodeKeys } from '../../../node/src/chain/index.js'
import { openDevChain, produce, removeChainDirs } from './support.js'

describe('chain: vote equivocation evidence', function () {
  this.timeout(60_000)
  after(removeChainDirs)

  it('a double vote and a surround vote are included as evidence and jail the voters\' entities on every node', async () => {
    const leader = await openDevChain()
    const follower = await openDevChain()
    const step = async (): Promise<ReturnType<typeof decodeEnvelope>> => {
      const block = await produce(leader)
      const env = (await leader.envelopeOf(block))!
      const r = await follower.importEnvelope(env, Number.MAX_SAFE_INTEGER)
      assert.ok(r.ok, r.ok ? '' : r.reason)
      assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
      return decodeEnvelope(env)
    }
    for (let i = 0; i < 4; i++) await step()
    const [double, surround] = [devNodeKeys(9)[2], devNodeKeys(9)[3]]
    const g = { epoch: 0, hash: leader.genesis.pootGenesis.hash }
    const head = leader.headPoot
    const a = makeAttestation(double, head.slot, head.hash, g)
    const b = makeAttestation(double, head.slot, '77'.repeat(32), g)
    assert.equal(leader.addVoteEvidence({ a, b: a }), false, 'one vote twice is no evidence')
    assert.equal(leader.addVoteEvidence({ a, b }), true)
    // a surround vote: (source 1 → target 4) surrounds (source 2 → target 3)
    const outer = makeAttestation(surround, 4, head.hash, { epoch: 1, hash: '11'.repeat(32) })
    const inner = makeAttestation(surround, 3, head.hash, { epoch: 2, hash: '22'.repeat(32) })
    assert.equal(leader.addVoteEvidence({ a: makeAttestation(surround, 4, head.hash, g), b: makeAttestation(surround, 5, head.hash, g) }), false, 'neither double nor surrounding')
    assert.equal(leader.addVoteEvidence({ a: outer, b: inner }), true)
    const env = await step()
    assert.equal(env.poot.body.voteEvidence.length, 2)
    const entityOf = (id: string): string => leader.genesis.poot.registry.entityOfNode.get(id)!
    for (const chain of [leader, follower]) {
      for (const k of [double, surround]) assert.ok((chain.headPoot.jailedUntil.get(entityOf(k.id)) ?? -1) > chain.headPoot.slot, 'the voter\'s entity is not jailed')
    }
    // the same evidence again applies no more (already jailed): dropped, and the next block is still made
    assert.equal(leader.addVoteEvidence({ a, b }), true)
    assert.equal((await step()).poot.body.voteEvidence.length, 0)
    assert.equal(leader.pendingVoteEvidence.length, 0)
  })
})
