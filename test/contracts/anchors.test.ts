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
  })
})
