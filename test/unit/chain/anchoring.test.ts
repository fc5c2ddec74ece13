/**
 * The node's anchoring over a scripted chain and a real LevelDB datastore: a submission the node refuses is kept and
 * sent again once it can be; a restart (a new Anchoring on the same datastore and state) takes up unsent and sent
 * anchors; a transaction the chain lost is sent again once from the pending nonce, a second loss is given up (and the
 * session's registration looked for, also after a restart); a lost or failed transaction is settled by the session's
 * registration (ours: followed; another account's: reported).
 */
import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { Anchoring, type AnchorState } from '../../../node/src/chainnet/anchoring.js'
import { LOST_AFTER_LOOKS } from '../../../node/src/chainnet/anchor-tracker.js'
import { PendingAnchors, UNREADABLE_PREFIX } from '../../../node/src/chainnet/pending-anchors.js'
import type { AnchorFinality, AnchorRecord } from '../../../crdt/schema.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import { ScriptedChain, hashOf } from './scripted-chain.js'

const ADDRESS = '0x' + '11'.repeat(20)
const RIVAL = '0x' + '22'.repeat(20)

/** Makes `tx` another account's registration of the session (with another root); returns `tx`. */
function rivalRegisters (chain: ScriptedChain, tx: string, sessionId: string): string {
  chain.registers.set(tx, { sessionId, registrant: RIVAL, merkleRoot: '0x' + '33'.repeat(32) })
  return tx
}

/** The node's side: a sender that puts transactions in the scripted chain's mempool, the state, the stored manifests. */
class Node {
  funded = true
  /** the next accepted transaction never reaches the mempool (the node was killed before gossiping it) */
  loseNext = 0
  /** the transactions lost so far */
  readonly lost: string[] = []
  resets = 0
  sent: string[] = []
  warnings: string[] = []
  /** the last warning about each session */
  readonly warned = new Map<string, string>()
  readonly anchors = new Map<string, AnchorRecord>()
  readonly finals = new Map<string, AnchorFinality>()
  readonly manifests = new Map<string, Manifest>()
  readonly incidents: Array<{ id: string, subject: string, detail: string }> = []
  private n = 1000

  constructor (readonly chain: ScriptedChain, readonly pending: PendingAnchors) {}

  session (): Manifest {
    const m = { sessionId: randomUUID(), merkleRoot: Uint8Array.from(randomBytes(32)) } as unknown as Manifest
    this.manifests.set(m.sessionId, m)
    return m
  }

  state (): AnchorState {
    return {
      anchored: async (id, a) => { assert.ok(!this.anchors.has(id), 'anchored once'); this.anchors.set(id, a) },
      anchorFinal: async (id, f) => { assert.ok(!this.finals.has(id), 'final once'); this.finals.set(id, f) },
      anchorsAwaitingFinality: () => [...this.anchors].filter(([id]) => !this.finals.has(id)).map(([sessionId, anchor]) => ({ sessionId, anchor })),
      hasAnchor: (id) => this.anchors.has(id),
      duplicateId: async (id, subject, detail) => { this.incidents.push({ id, subject, detail }) }
    }
  }

  anchoring (): Anchoring {
    return new Anchoring({
      sender: {
        address: ADDRESS,
        submit: async (m) => {
          if (!this.funded) throw new Error('insufficient funds for gas × price + value: balance 0, cost 1')
          const tx = hashOf(this.n++)
          this.sent.push(tx)
          this.chain.registers.set(tx, { sessionId: m.sessionId, registrant: ADDRESS, merkleRoot: '0x' + Buffer.from(m.merkleRoot).toString('hex') })
          if (this.loseNext > 0) { this.loseNext--; this.lost.push(tx) } else this.chain.mempool.add(tx)
          return { tx, submitMs: 1 }
        },
        resetNonce: () => { this.resets++ }
      },
      view: this.chain.view(),
      chainId: 7,
      pending: this.pending,
      state: this.state(),
      manifestOf: async (id) => { const m = this.manifests.get(id); return m === undefined ? null : { manifest: m, manifestHash: 'ab'.repeat(32) } },
      log: {
        info: () => {},
        debug: () => {},
        warn: (o, m) => { this.warnings.push(m); if ('sessionId' in o) this.warned.set(o.sessionId as string, m) }
      },
      now: () => 5,
      pollMs: 60_000,
      retryMs: 60_000
    })
  }
}

/** Blocks go by: each one mined and made final, the anchoring looks at each. */
async function blocks (node: Node, a: Anchoring, n: number): Promise<void> {
  for (let i = 0; i < n; i++) { node.chain.mineAndFinalize(); await a.tracker.tick() }
}

describe('chain: anchoring (send, keep, follow, resume)', () => {
  let dir: string
  let datastore: LevelDatastore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lucid-anchoring-'))
    datastore = new LevelDatastore(join(dir, 'datastore'))
    await datastore.open()
  })
  afterEach(async () => { await datastore.close(); await rm(dir, { recursive: true, force: true }) })

  /** A node over a fresh scripted chain and the test's datastore, its anchoring started. */
  async function started (): Promise<{ chain: ScriptedChain, node: Node, a: Anchoring }> {
    const chain = new ScriptedChain()
    const node = new Node(chain, new PendingAnchors(datastore))
    const a = node.anchoring()
    await a.start()
    return { chain, node, a }
  }

  it('a refused submission is kept and sent again once the node accepts it; then included and final', async () => {
    const { node, a } = await started()
    node.funded = false
    const m = node.session()
    assert.equal(await a.anchor(m, 'ab'.repeat(32)), null)
    assert.deepEqual((await node.pending.all()).pending, [{ sessionId: m.sessionId, tx: null }])
    await a.retryUnsent()
    assert.deepEqual(node.sent, [], 'still refused')
    node.funded = true
    await a.retryUnsent()
    assert.equal(node.sent.length, 1)
    await blocks(node, a, 1)
    assert.equal(node.anchors.get(m.sessionId)?.tx, node.sent[0])
    assert.deepEqual(node.finals.get(m.sessionId), { block: 1, blockHash: node.chain.blocks[1].hash, at: 5 })
    assert.deepEqual((await node.pending.all()).pending, [], 'the entry goes once the inclusion is in the state')
    await a.stop()
  })

  it('a restart takes up what the last run left: an unsent anchor, a sent one not yet in a block, one included but not final', async () => {
    const chain = new ScriptedChain()
    const node = new Node(chain, new PendingAnchors(datastore))
    const first = node.anchoring()
    await first.start()
    const included = node.session()
    await first.anchor(included, '')
    chain.extend([...chain.mempool].map((tx) => [tx, true])) // in a block, not final
    await first.tracker.tick()
    assert.ok(node.anchors.has(included.sessionId) && !node.finals.has(included.sessionId))
    const sent = node.session()
    await first.anchor(sent, '')
    node.funded = false
    const unsent = node.session()
    await first.anchor(unsent, '')
    // killed: nothing stopped cleanly; a new run on the same datastore and state
    node.funded = true
    const second = node.anchoring()
    await second.start()
    assert.equal(second.followed, 3)
    await second.retryUnsent()
    await blocks(node, second, 2)
    for (const m of [included, sent, unsent]) assert.ok(node.finals.has(m.sessionId), `${m.sessionId} final`)
    assert.equal(node.sent.length, 3, 'each sent once')
    assert.deepEqual((await node.pending.all()).pending, [])
    await first.stop(); await second.stop()
  })

  it('a transaction the chain lost is sent again once, from the pending nonce; a second loss is given up', async () => {
    const { node, a } = await started()
    const m = node.session()
    node.loseNext = 1
    assert.ok(await a.anchor(m, '') !== null)
    await blocks(node, a, LOST_AFTER_LOOKS)
    assert.equal(node.sent.length, 2, 'sent again')
    assert.equal(node.resets, 1, 'with the nonce taken from the chain again')
    await blocks(node, a, 1)
    assert.equal(node.finals.get(m.sessionId)?.block, node.chain.where(node.sent[1]))

    const twice = node.session()
    node.loseNext = 2
    await a.anchor(twice, '')
    await blocks(node, a, 2 * LOST_AFTER_LOOKS + 1)
    assert.equal(node.sent.length, 4, 'sent twice in all, not a third time')
    assert.ok(node.warnings.includes('anchor lost again and not sent a third time: given up, its registration still looked for'))
    assert.ok(!node.anchors.has(twice.sessionId))
    assert.deepEqual((await node.pending.all()).pending, [], 'nothing left to take up')
    assert.equal(a.watched, 1)
    await a.recheckGivenUp()
    assert.equal(a.watched, 1, 'still looked for: not registered')
    assert.equal(node.sent.length, 4, 'and not sent again')
    await a.stop()
  })

  it('an anchor given up after two losses is followed to final when one of its transactions gets in later, also across a restart', async () => {
    const { chain, node, a } = await started()
    const [early, late] = [node.session(), node.session()]
    node.loseNext = 4
    await a.anchor(early, '')
    await a.anchor(late, '')
    await blocks(node, a, 2 * LOST_AFTER_LOOKS + 1)
    assert.equal(a.watched, 2, 'both given up')
    // sent in turn: early's transactions are lost[0] and lost[2], late's lost[1] and lost[3]
    chain.extend([[node.lost[2], true]]) // early's second transaction, from another node's mempool
    await a.recheckGivenUp()
    assert.equal(a.watched, 1)
    await blocks(node, a, 1)
    assert.equal(node.finals.get(early.sessionId)?.block, chain.where(node.lost[2]))
    assert.equal(node.anchors.get(early.sessionId)?.tx, node.lost[2])
    await a.stop()

    const again = node.anchoring() // restarted: the list of given-up anchors comes from their marks
    await again.start()
    assert.equal(again.watched, 1)
    chain.extend([[node.lost[1], true], [node.lost[3], true]]) // late's first transaction gets in, its second fails
    await again.recheckGivenUp()
    await blocks(node, again, 1)
    assert.equal(node.finals.get(late.sessionId)?.block, chain.where(node.lost[1]))
    assert.equal(again.watched, 0)
    assert.deepEqual((await node.pending.all()).pending, [])
    assert.deepEqual((await node.pending.abandoned()), new Map(), 'no longer marked given up')
    assert.equal(node.sent.length, 4, 'nothing sent again')
    await again.stop()
  })

  it('an anchor given up after two losses whose session another account registered meanwhile is reported once that block is final, and no longer looked for', async () => {
    const { chain, node, a } = await started()
    const m = node.session()
    node.loseNext = 2
    await a.anchor(m, '')
    await blocks(node, a, 2 * LOST_AFTER_LOOKS + 1)
    const rival = rivalRegisters(chain, hashOf(1), m.sessionId)
    chain.extend([[rival, true]])
    await a.recheckGivenUp()
    assert.equal(a.watched, 1, 'not before the registration is final: a reorg may still take it out')
    assert.equal(node.incidents.length, 0)
    chain.finalize(chain.head)
    await a.recheckGivenUp()
    assert.equal(a.watched, 0)
    assert.deepEqual(node.incidents.map((i) => [i.id, i.subject]), [[m.sessionId, RIVAL]])
    assert.match(node.incidents[0].detail, /this node's anchor is refused$/)
    assert.deepEqual(await node.pending.abandoned(), new Map([[m.sessionId, 'settled']]))
    await a.stop()
  })

  it('a lost transaction that gets in after all, before the one sent again: its registration is followed to final', async () => {
    const { chain, node, a } = await started()
    const m = node.session()
    node.loseNext = 1
    await a.anchor(m, '')
    await blocks(node, a, LOST_AFTER_LOOKS)
    assert.equal(node.sent.length, 2, 'sent again')
    chain.extend([[node.sent[0], true]]) // the first one was gossiped after all, and a block has it first
    await blocks(node, a, 2) // the second one's block: it fails, the session being registered already
    assert.equal(chain.succeeded(node.sent[1], chain.where(node.sent[1])), false, 'the second one failed')
    assert.deepEqual(node.warnings, [])
    assert.deepEqual(node.finals.get(m.sessionId), { block: chain.where(node.sent[0]), blockHash: chain.blocks[chain.where(node.sent[0])].hash, at: 5 })
    assert.equal(node.anchors.get(m.sessionId)?.tx, node.sent[0])
    assert.equal(node.sent.length, 2, 'not sent a third time')
    assert.deepEqual((await node.pending.all()).pending, [])
    await a.stop()
  })

  it('a session ID another account registered first is reported and not sent again', async () => {
    const { chain, node, a } = await started()
    const m = node.session()
    const rival = rivalRegisters(chain, hashOf(1), m.sessionId)
    chain.extend([[rival, true]])
    await a.anchor(m, '')
    await blocks(node, a, 2)
    assert.deepEqual(node.warnings, ['session ID already registered by another account or with another root: the session is not anchored'])
    assert.deepEqual(node.incidents.map((i) => [i.id, i.subject]), [[m.sessionId, RIVAL]], 'a duplicate-id incident in the state, naming the registrant')
    assert.match(node.incidents[0].detail, new RegExp(`^registered on chain by ${RIVAL} with root 0x(33){32} \\(transaction ${rival}\\)`))
    assert.ok(!node.anchors.has(m.sessionId) && !node.finals.has(m.sessionId))
    assert.equal(node.sent.length, 1)
    assert.deepEqual((await node.pending.all()).pending, [])
    assert.equal(a.followed, 0)
    await a.stop()
  })

  it('property: whatever refusals, losses, late arrivals, rivals, reorgs and restarts, each session ends final once where it is registered, or is reported', async () => {
    type Op = 'put' | 'unfund' | 'fund' | 'lose' | 'late' | 'rival' | 'block' | 'reorg' | 'finalize' | 'tick' | 'retry' | 'restart'
    const ops = fc.array(fc.constantFrom<Op>('put', 'put', 'unfund', 'fund', 'lose', 'lose', 'late', 'rival', 'block', 'block', 'reorg', 'finalize', 'tick', 'tick', 'retry', 'restart'), { minLength: 20, maxLength: 80, size: 'max' })
    let run = 0
    await fc.assert(fc.asyncProperty(ops, async (script) => {
      const ds = new LevelDatastore(join(dir, `run-${run++}`))
      await ds.open()
      const store = new PendingAnchors(ds)
      const chain = new ScriptedChain()
      const node = new Node(chain, store)
      let a = node.anchoring()
      await a.start()
      const all: Anchoring[] = [a]
      const puts: string[] = []
      for (const op of script) {
        if (op === 'put') { const m = node.session(); puts.push(m.sessionId); await a.anchor(m, '') }
        else if (op === 'unfund') node.funded = false
        else if (op === 'fund') node.funded = true
        else if (op === 'lose') node.loseNext = 1
        else if (op === 'late') { // another node had it after all: it reaches a block, and this node's mempool with the block (a reorg puts it back there)
          const tx = node.lost.shift()
          if (tx !== undefined) { chain.mempool.add(tx); chain.extend([[tx, true]]) }
        }
        else if (op === 'rival') { // another account registers the last put session's ID
          const tx = hashOf(10_000 + chain.registers.size)
          if (puts.length > 0) rivalRegisters(chain, tx, puts[puts.length - 1])
          chain.mempool.add(tx)
        }
        else if (op === 'block') chain.extend([...chain.mempool].filter((tx) => chain.where(tx) < 0).map((tx) => [tx, true]))
        else if (op === 'reorg') chain.reorg(chain.head - 2, 3) // the abandoned blocks' transactions stay in the mempool
        else if (op === 'finalize') chain.finalize(chain.head - 1)
        else if (op === 'tick') await a.tracker.tick()
        else if (op === 'retry') await a.retryUnsent()
        else { a = node.anchoring(); all.push(a); await a.start() } // killed: a new run on the same datastore and state
      }
      // then every lost transaction gets into a block after all (another node had it), the node is funded, loses
      // nothing more, and blocks go by until everything settles
      for (const tx of node.lost.splice(0)) chain.extend([[tx, true]])
      node.funded = true
      node.loseNext = 0
      for (let i = 0; i < 2 * LOST_AFTER_LOOKS + 4; i++) { await a.retryUnsent(); await a.recheckGivenUp(); chain.mineAndFinalize(); await a.tracker.tick() }
      // every transaction got in at last, so a session given up after two losses is found by its registration too:
      // each one is final where our registration is, or registered by the rival (and reported)
      const final = puts.filter((id) => node.finals.has(id))
      const taken = puts.filter((id) => !node.finals.has(id) && chain.registration(id)?.registrant === RIVAL)
      assert.equal(final.length + taken.length, puts.length, `final ${final.length}, taken ${taken.length}, put ${puts.length}`)
      for (const id of final) {
        const f = node.finals.get(id) as AnchorFinality
        assert.equal(chain.blocks[f.block].hash, f.blockHash, 'the final block is on the finalized line')
        const reg = chain.registration(id)
        assert.ok(reg !== null && reg.block === f.block && reg.registrant === ADDRESS, 'final where our registration is')
      }
      for (const id of taken) assert.ok(node.warned.get(id)?.startsWith('session ID already registered'), `not reported: ${String(node.warned.get(id))}`)
      assert.equal(a.watched, 0, 'nothing still looked for')
      assert.deepEqual((await store.all()).pending, [], 'nothing left pending')
      for (const x of all) await x.stop()
      await ds.close()
    }), { numRuns: 250 })
  })

  it('an unreadable entry is reported once and set aside; an entry for a session whose manifest is gone is dropped', async () => {
    await datastore.put(new Key('/lucid/anchor-pending/x'), Buffer.from('{not json'))
    const node = new Node(new ScriptedChain(), new PendingAnchors(datastore))
    const gone = randomUUID()
    await node.pending.put(gone, null)
    const a = node.anchoring()
    await a.start()
    assert.deepEqual(node.warnings, ['unreadable pending anchor entry set aside'])
    await a.retryUnsent()
    assert.ok(node.warnings.includes('anchor not sent: the session\'s manifest is no longer stored here'))
    assert.deepEqual(await node.pending.all(), { pending: [], bad: [] })
    assert.equal(Buffer.from(await datastore.get(new Key(UNREADABLE_PREFIX + 'x'))).toString(), '{not json', 'kept as it was')
    await a.stop()
    node.warnings.length = 0
    const again = node.anchoring()
    await again.start()
    assert.deepEqual(node.warnings, [], 'not reported at every start')
    await again.stop()
  })
})
