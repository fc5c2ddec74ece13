// Holding claims bound to LucidAnchors registrations, on a real in-process chain and a follower: the chain reads a
// session's registration straight from the parent block's storage (checked against the contract's sessionAnchor),
// a claim counts only with the anchored root and chunk count, so a squatter's claim with another root is left out by
// the builder and refused by an importing follower, and the honest claims still put the session in the catalog; a
// holder's release takes it out again, on the leader, the follower and a reopened chain.
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import { bytesToHex } from '@ethereumjs/util'
import { loadArtifact } from '../../../contracts/index.js'
import { leafHash, makeHoldingClaim, makeHoldingRelease, merkleRoot, type TaskProof } from '../../../protocols/poot/index.js'
import { sessionIdToBytes32 } from '../../../protocols/session/session-id.js'
import { Chain, devNodeKeys, devServerKey, localProposer, signersFrom } from '../../../node/src/chain/index.js'
import { readAnchor } from '../../../node/src/chain/anchor-values.js'
import { decodeEnvelope } from '../../../node/src/chain/envelope.js'
import { reforge } from './reforge.js'
import { DEV_KEYS, openDevChain, removeChainDirs, slotTime } from './support.js'

const anchorsIface = new ethers.Interface(loadArtifact('LucidAnchors').abi as ethers.InterfaceAbi)
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('chain: holding claims bound to the session\'s LucidAnchors registration', function () {
  this.timeout(120_000)
  after(removeChainDirs)

  let leader: Chain
  let follower: Chain
  let nonce = 0
  const keys = devNodeKeys(9)
  const [honest, honest2, squatter] = [keys[1], keys[2], keys[3]]
  const session = { sessionId: '5d2e8f10-3c4b-4a59-9e6d-7f8091a2b3c4', root: merkleRoot([1, 2, 3].map((i) => leafHash(new Uint8Array(64).fill(i)))), chunkCount: 3 }
  const wrongRoot = new Uint8Array(32).fill(0x5a)

  const everyone = (): ReturnType<typeof localProposer> => localProposer(signersFrom(leader, [...keys, devServerKey()]))

  /** The next block on the leader with these candidate proofs, imported by the follower; its holding claims. */
  async function step (proofs: TaskProof[] = []): Promise<TaskProof[]> {
    const slot = leader.headPoot.slot + 1
    const p = everyone()(leader, slot, slotTime(slot))
    assert.ok(p !== null)
    const block = await leader.build({ ...p, proofs })
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
    return decodeEnvelope((await leader.envelopeOf(block))!).poot.body.proofs.filter((x) => x.kind === 'holding' || x.kind === 'release')
  }

  async function register (from: string, root: Uint8Array, chunkCount: number): Promise<void> {
    const wallet = new ethers.Wallet(from)
    const data = anchorsIface.encodeFunctionData('registerSession', [sessionIdToBytes32(session.sessionId), ethers.id('manifest'), 1n, wallet.address, ethers.hexlify(root), chunkCount])
    const raw = await wallet.signTransaction({ type: 2, chainId: leader.chainId, nonce: nonce++, to: leader.genesis.contracts.LucidAnchors, data, gasLimit: 300_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n })
    await leader.submitRaw(ethers.getBytes(raw))
  }

  it('a claim for an unregistered session is not included; one in the registering block is not either (the parent\'s state rules)', async () => {
    leader = await openDevChain()
    follower = await openDevChain()
    assert.deepEqual(await step([makeHoldingClaim(honest, leader.headPoot.slot, session)]), [])
    await register(DEV_KEYS[0], session.root, session.chunkCount)
    assert.deepEqual(await step([makeHoldingClaim(honest, leader.headPoot.slot, session)]), [], 'checked against the parent, where the session is not registered yet')
    assert.equal(leader.headPoot.catalog.length, 0)
  })

  it('reads the registration from state as the contract\'s sessionAnchor reports it', async () => {
    const anchors = leader.genesis.contracts.LucidAnchors
    const raw = await readAnchor(await leader.stateAt(leader.head.header.stateRoot), anchors, session.sessionId)
    const r = await leader.call({ to: ethers.getAddress(anchors) as never, data: ethers.getBytes(anchorsIface.encodeFunctionData('sessionAnchor', [sessionIdToBytes32(session.sessionId)])) }, leader.head)
    const [registrant, root, chunkCount] = anchorsIface.decodeFunctionResult('sessionAnchor', r.returnValue)
    assert.equal(registrant, new ethers.Wallet(DEV_KEYS[0]).address)
    assert.deepEqual([hex(raw!.root), raw!.chunkCount], [hex(ethers.getBytes(root)), Number(chunkCount)])
    assert.deepEqual([hex(raw!.root), raw!.chunkCount], [hex(session.root), session.chunkCount])
    const at = await leader.call({ to: ethers.getAddress(anchors) as never, data: ethers.getBytes(anchorsIface.encodeFunctionData('registeredAt', [sessionIdToBytes32(session.sessionId)])) }, leader.head)
    const [registeredAt] = anchorsIface.decodeFunctionResult('registeredAt', at.returnValue)
    assert.deepEqual([raw!.registeredAt, raw!.bytes], [Number(registeredAt), 0])
    assert.ok(raw!.registeredAt > 0 && raw!.registeredAt <= Number(leader.head.header.number), 'the registering block')
    assert.equal(await readAnchor(await leader.stateAt(leader.head.header.stateRoot), anchors, '5d2e8f10-3c4b-4a59-9e6d-000000000000'), null)
    // a squatter registering the same ID again reverts: the first registration stands
    await register(DEV_KEYS[0], wrongRoot, 9)
    await step()
    const again = await readAnchor(await leader.stateAt(leader.head.header.stateRoot), anchors, session.sessionId)
    assert.equal(hex(again!.root), hex(session.root))
  })

  it('a squatter\'s claim with another root is left out by the builder and refused by a follower; the honest claims count', async () => {
    const slot = leader.headPoot.slot
    const squat = makeHoldingClaim(squatter, slot, { ...session, root: wrongRoot })
    const squatCount = makeHoldingClaim(squatter, slot, { ...session, chunkCount: session.chunkCount + 1 })
    const claims = [makeHoldingClaim(honest, slot, session), makeHoldingClaim(honest2, slot, session)]
    // the squatter's claims arrive first
    const included = await stepWithForgery([squat, squatCount, ...claims])
    assert.deepEqual(included.map((c) => c.node), claims.map((c) => c.node))
    for (const c of [leader, follower]) {
      const entry = c.headPoot.catalog.find((s) => s.sessionId === session.sessionId)
      assert.ok(entry !== undefined)
      assert.deepEqual([hex(entry.root), entry.chunkCount, [...entry.holders]], [hex(session.root), session.chunkCount, [honest.id, honest2.id].sort()])
    }
  })

  it('a holder\'s release is included and imported: the session keeps its other holder; a non-holder\'s is left out', async () => {
    const slot = leader.headPoot.slot
    const included = await step([makeHoldingRelease(squatter, slot, session.sessionId), makeHoldingRelease(honest2, slot, session.sessionId)])
    assert.deepEqual(included.map((p) => [p.kind, p.node]), [['release', honest2.id]])
    for (const c of [leader, follower]) assert.deepEqual(c.headPoot.catalog.map((s) => [s.sessionId, [...s.holders]]), [[session.sessionId, [honest.id]]])
  })

  it('a chain reopened from its store replays the claims against the stored registrations', async () => {
    const dir = (leader as unknown as { level: { location: string } }).level.location
    const head = leader.head
    await leader.close()
    leader = await Chain.open({ dir, genesis: follower.genesis })
    assert.equal(bytesToHex(leader.head.hash()), bytesToHex(head.hash()))
    assert.deepEqual(leader.headPoot.catalog.map((s) => [s.sessionId, [...s.holders]]), [[session.sessionId, [honest.id]]])
  })

  /**
   * The leader builds the next block from `candidates`; before the follower imports it, it is offered forgeries of
   * that block with the squatter's claims put back (re-signed by the proposer, the EVM block rebuilt around the new
   * PoOT header: only the PoOT body differs), which it must refuse naming the squatter's claim: with the honest
   * claims first, those pass and the refusal points past them. Returns the claims the leader included.
   */
  async function stepWithForgery (candidates: TaskProof[]): Promise<TaskProof[]> {
    const slot = leader.headPoot.slot + 1
    const p = everyone()(leader, slot, slotTime(slot))
    assert.ok(p !== null)
    const block = await leader.build({ ...p, proofs: candidates })
    const env = decodeEnvelope((await leader.envelopeOf(block))!)
    const included = env.poot.body.proofs.filter((x) => x.kind === 'holding')
    const squats = candidates.filter((c) => c.node === squatter.id)
    assert.equal(squats.length, 2)
    const forge = (proofs: TaskProof[]): Uint8Array => reforge(leader.common, env, { signers: p!.signers, body: { proofs } })
    assert.deepEqual(await follower.importEnvelope(forge(candidates), Number.MAX_SAFE_INTEGER), { ok: false, reason: 'poot:proof-0:holding:anchor-mismatch' })
    for (const squat of squats) {
      const r = await follower.importEnvelope(forge([...env.poot.body.proofs, squat]), Number.MAX_SAFE_INTEGER)
      assert.deepEqual(r, { ok: false, reason: `poot:proof-${env.poot.body.proofs.length}:holding:anchor-mismatch` })
    }
    const r = await follower.importEnvelope((await leader.envelopeOf(block))!, Number.MAX_SAFE_INTEGER)
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(block.header.stateRoot))
    return included
  }
})
