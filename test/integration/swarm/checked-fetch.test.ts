/**
 * The chunk fetch path a replica uses hashes each block once less (BlockStore.getChecked, peer-store-protocols.ts):
 * a block fetched over bitswap is returned only after Helia checked it against its CID, a local copy is hashed by
 * getChecked, and skipping libp2p's per-stream peer-store writes keeps the peer's protocols recorded.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { blobCid } from '../../../protocols/session/cid.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig } from './support.js'

describe('checked chunk fetches', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const nodes: LucidNode[] = []

  before(async () => { tmp = await tempDir() })
  after(async () => {
    for (const n of nodes) await n.stop().catch(() => {})
    await tmp?.cleanup()
  })

  it('returns network blocks that match their CID, hashes local copies and refuses a local copy that does not match', async () => {
    const a = await startNode(await makeHome(join(tmp.dir, 'a')), testConfig({ replication: 1 }))
    nodes.push(a)
    const b = await startNode(await makeHome(join(tmp.dir, 'b')), testConfig({ replication: 1 }))
    nodes.push(b)
    const blobs = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(300_000)))
    for (const blob of blobs) await a.blocks.put(blobCid(blob), blob)
    const provider = multiaddr(bootstrapAddr(a))
    await b.libp2p.dial(provider)

    // over bitswap, several in parallel (several messages, several streams)
    const got = await Promise.all(blobs.map(async (blob) => await b.blocks.getChecked(blobCid(blob), { providers: [provider], signal: AbortSignal.timeout(30_000) })))
    got.forEach((bytes, i) => { assert.ok(Buffer.from(bytes).equals(Buffer.from(blobs[i]))) })
    // now local: read again and hashed
    assert.ok(Buffer.from(await b.blocks.getChecked(blobCid(blobs[0]), { offline: true })).equals(Buffer.from(blobs[0])))

    // a local copy that does not match its CID is refused (the store does not check what is put into it)
    const cid = blobCid(new Uint8Array(randomBytes(1000)))
    await b.blocks.put(cid, new Uint8Array(randomBytes(1000)))
    await assert.rejects(b.blocks.getChecked(cid, { offline: true, tries: 1 }), /does not match its CID/)

    // libp2p's per-stream peer-store writes were skipped, not the record: the peer still lists bitswap
    const peer = await b.libp2p.peerStore.get(a.libp2p.peerId)
    assert.ok(peer.protocols.includes('/ipfs/bitswap/1.2.0'), `protocols: ${peer.protocols.join(', ')}`)
  })
})
