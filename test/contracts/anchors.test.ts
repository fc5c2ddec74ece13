import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { getChain, type TestChain } from './support/chain.js'
import { as, deploy, eventsOf, mined, rejectsWith } from './support/contracts.js'

// Session IDs on chain: the 16 UUID bytes followed by 16 zero bytes.
function sessionId (uuid: string): string {
  return ethers.zeroPadBytes('0x' + uuid.replace(/-/g, ''), 32)
}

describe('contracts: LucidAnchors', function () {
  let chain: TestChain
  let anchors: ethers.Contract
  let recorder: ethers.Signer
  let other: ethers.Signer
  const sid = sessionId('3f1c2a9e-7b4d-4e21-9c3a-5d6e7f8a9b0c')
  const owner = '0x00000000000000000000000000000000000000aa'
  const manifest = ethers.id('manifest')
  const root = ethers.id('merkle root')

  beforeEach(async function () {
    chain = await getChain()
    ;[recorder, other] = chain.accounts
    anchors = await deploy('LucidAnchors', recorder)
  })

  it('registers a session once and emits SessionRegistered with every field', async function () {
    assert.equal(await anchors.isSessionRegistered(sid), false)
    const r = await mined(anchors.registerSession(sid, manifest, 1_700_000_000n, owner, root, 3))
    const [ev] = eventsOf(r, anchors, 'SessionRegistered')
    assert.deepEqual([...ev], [sid, await recorder.getAddress(), ethers.getAddress(owner), manifest, 1_700_000_000n, root, 3n])
    assert.equal(await anchors.isSessionRegistered(sid), true)
    assert.deepEqual([...await anchors.sessionInfo(sid)], [await recorder.getAddress(), 3n])
    await rejectsWith(anchors.registerSession(sid, manifest, 1n, owner, root, 3), anchors, 'SessionAlreadyRegistered', [sid])
    await rejectsWith(as(anchors, other).registerSession(sid, manifest, 1n, owner, root, 3), anchors, 'SessionAlreadyRegistered')
  })

  it('keeps the anchored root and chunk count in storage; a second registration cannot change them', async function () {
    assert.deepEqual([...await anchors.sessionAnchor(sid)], [ethers.ZeroAddress, ethers.ZeroHash, 0n])
    await mined(anchors.registerSession(sid, manifest, 1n, owner, root, 7))
    const anchored = [await recorder.getAddress(), root, 7n]
    assert.deepEqual([...await anchors.sessionAnchor(sid)], anchored)
    // a squatter's later registration with another root reverts and leaves the first one's
    await rejectsWith(as(anchors, other).registerSession(sid, manifest, 1n, owner, ethers.id('another root'), 9), anchors, 'SessionAlreadyRegistered', [sid])
    assert.deepEqual([...await anchors.sessionAnchor(sid)], anchored)
    // anchoring chunks does not touch it
    await mined(anchors.anchorChunk(sid, 6, ethers.id('chunk 6')))
    assert.deepEqual([...await anchors.sessionAnchor(sid)], anchored)
  })

  it('lays the session out as documented: word 0 = registrant | chunkCount << 160 | registeredAt << 192, word 1 = merkleRoot', async function () {
    assert.equal(await anchors.registeredAt(sid), 0n)
    const r = await mined(anchors.registerSession(sid, manifest, 1n, owner, root, 0xabcdef))
    const base = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [sid, 0])))
    const at = async (slot: bigint): Promise<string> => await chain.provider.getStorage(await anchors.getAddress(), slot)
    const word0 = BigInt(await at(base))
    assert.equal(ethers.getAddress(ethers.toBeHex(word0 & ((1n << 160n) - 1n), 20)), await recorder.getAddress())
    assert.equal((word0 >> 160n) & 0xffffffffn, 0xabcdefn)
    assert.equal(word0 >> 192n, BigInt(r.blockNumber), 'registeredAt: the registering block')
    assert.equal(await anchors.registeredAt(sid), BigInt(r.blockNumber))
    assert.equal(await at(base + 1n), root)
  })

  it('refuses a zero session ID and a zero owner', async function () {
    await rejectsWith(anchors.registerSession(ethers.ZeroHash, manifest, 1n, owner, root, 1), anchors, 'ZeroSessionId')
    await rejectsWith(anchors.registerSession(sid, manifest, 1n, ethers.ZeroAddress, root, 1), anchors, 'ZeroOwner')
  })

  it('anchors each chunk index once, only by the registrant, only below chunkCount', async function () {
    await mined(anchors.registerSession(sid, manifest, 1n, owner, root, 300))
    const h = ethers.id('chunk 0')
    const r = await mined(anchors.anchorChunk(sid, 0, h))
    assert.deepEqual([...eventsOf(r, anchors, 'ChunkAnchored')[0]], [sid, 0n, h])
    assert.equal(await anchors.isChunkAnchored(sid, 0), true)
    assert.equal(await anchors.isChunkAnchored(sid, 1), false)
    await rejectsWith(anchors.anchorChunk(sid, 0, h), anchors, 'ChunkAlreadyAnchored', [sid, 0n])
    await rejectsWith(anchors.anchorChunk(sid, 0, ethers.id('other hash')), anchors, 'ChunkAlreadyAnchored')
    await rejectsWith(as(anchors, other).anchorChunk(sid, 1, h), anchors, 'NotRegistrant', [sid, await other.getAddress()])
    await rejectsWith(anchors.anchorChunk(sid, 300, h), anchors, 'ChunkIndexOutOfRange', [sid, 300n, 300n])
    // indexes in a second bitmap word are independent of the first
    await mined(anchors.anchorChunk(sid, 256, h))
    await mined(anchors.anchorChunk(sid, 299, h))
    assert.equal(await anchors.isChunkAnchored(sid, 256), true)
    assert.equal(await anchors.isChunkAnchored(sid, 255), false)
    await rejectsWith(anchors.anchorChunk(sid, 256, h), anchors, 'ChunkAlreadyAnchored')
  })

  it('refuses chunks of an unregistered session', async function () {
    await rejectsWith(anchors.anchorChunk(sid, 0, ethers.ZeroHash), anchors, 'SessionNotRegistered', [sid])
    assert.equal(await anchors.isChunkAnchored(sid, 0), false)
    assert.deepEqual([...await anchors.sessionInfo(sid)], [ethers.ZeroAddress, 0n])
    assert.deepEqual([...await anchors.sessionAnchor(sid)], [ethers.ZeroAddress, ethers.ZeroHash, 0n])
  })
})
