// The sessions a block lists (what pays its proposer) bound to LucidAnchors registrations, on a real in-process
// chain and an importing follower: a registration is listed by the next ranked block and pays its proposer; a
// forged block listing an unregistered session, other bytes, or a registration an earlier block listed is refused
// naming it; the builder leaves such sessions out; a chain reopened from its store replays to the same state.
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { bytesToHex } from '@ethereumjs/util'
import { SERVER_ENTITY, type SessionAnchor } from '../../../protocols/poot/index.js'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom, type Proposal } from '../../../node/src/chain/index.js'
import { decodeEnvelope } from '../../../node/src/chain/envelope.js'
import { reforge } from './reforge.js'
import { openDevChain, removeChainDirs, sessionAnchoring, slotTime } from './support.js'

describe('chain: listed sessions bound to LucidAnchors registrations', function () {
  this.timeout(120_000)
  after(removeChainDirs)

  let leader: Chain
  let follower: Chain
  let anchoring: ReturnType<typeof sessionAnchoring>
  const proposal = (): Proposal => {
    const slot = leader.headPoot.slot + 1
    const p = localProposer(signersFrom(leader, [...devNodeKeys(9), devServerKey()]))(leader, slot, slotTime(slot))
    assert.ok(p !== null && p.proposer !== SERVER_ENTITY, `a ranked proposer for slot ${slot}`)
    return p
  }
  const listedIn = async (c: Chain): Promise<SessionAnchor[]> => decodeEnvelope((await c.envelopeOf(c.head))!).poot.body.sessions.map((s) => ({ ...s }))

  /** Builds the next block listing `sessions`; offers the follower each forgery first (each must be refused with its reason), then the block. */
  async function step (sessions: SessionAnchor[], forgeries: Array<[SessionAnchor[], string]> = []): Promise<void> {
    const p = proposal()
    const block = await leader.build({ ...p, sessions })
    const env = decodeEnvelope((await leader.envelopeOf(block))!)
    for (const [listed, reason] of forgeries) {
      assert.deepEqual(await follower.importEnvelope(reforge(leader.common, env, { signers: p.signers, body: { sessions: listed } }), Number.MAX_SAFE_INTEGER), { ok: false, reason })
    }
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
  }

  it('a registration is listed by the next block, which pays its proposer', async () => {
    leader = await openDevChain()
    follower = await openDevChain()
    anchoring = sessionAnchoring(leader)
    const a = await anchoring.register()
    await step([])
    assert.equal(leader.headPoot.rewardTo, SERVER_ENTITY, 'nothing listed: the Server is paid')
    const listed = await anchoring.listed(proposal().proposer)
    assert.deepEqual(listed, [{ sessionId: a, bytes: 0 }])
    const ghost = randomUUID()
    await step(listed, [
      [[...listed, { sessionId: ghost, bytes: 0 }], 'poot:session-1:not-registered'],
      [[{ sessionId: a, bytes: 5_000_000 }], 'poot:session-0:bytes-5000000-not-registered-0']
    ])
    assert.deepEqual(await listedIn(follower), listed)
    assert.equal(follower.headPoot.rewardTo, follower.headPoot.header!.proposer)
    assert.equal(follower.headPoot.sessionsFrom, Number(follower.head.header.number))
  })

  it('a registration listed once is refused a second time; the builder leaves such sessions out', async () => {
    const [first] = await listedIn(leader)
    const b = await anchoring.register()
    await step([]) // registers b; lists nothing (b is not registered in its parent yet)
    const at = Number(leader.head.header.number)
    await step([{ sessionId: b, bytes: 0 }], [
      // block 1 registered the first session, block 2 listed it
      [[{ sessionId: b, bytes: 0 }, first], `poot:session-1:registered-at-1-not-in-${at}..${at}`]
    ])
    assert.deepEqual(await listedIn(follower), [{ sessionId: b, bytes: 0 }])
    // offered the spent registrations, an unknown session and a malformed ID, the builder lists none of them
    await step([first, { sessionId: b, bytes: 0 }, { sessionId: randomUUID(), bytes: 0 }, { sessionId: 'not-a-uuid', bytes: 0 }])
    assert.deepEqual(await listedIn(leader), [])
    assert.equal(leader.headPoot.rewardTo, SERVER_ENTITY)
  })

  it('a chain reopened from its store replays the listed sessions to the same state', async () => {
    const dir = (follower as unknown as { level: { location: string } }).level.location
    const head = follower.headPoot
    await follower.close()
    follower = await Chain.open({ dir, genesis: leader.genesis })
    assert.equal(follower.headPoot.hash, head.hash)
    assert.equal(follower.headPoot.sessionsFrom, head.sessionsFrom)
    assert.equal(follower.headPoot.totalMinted, head.totalMinted)
    assert.deepEqual([...follower.headPoot.earned], [...head.earned])
    await follower.close()
    await leader.close()
  })
})
