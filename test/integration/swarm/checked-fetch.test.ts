/**
 * The chunk fetch path a replica uses hashes each block once less (BlockStore.getChecked, peer-store-protocols.ts):
 * a block fetched over bitswap is returned only after Helia checked it against its CID, a local copy is hashed by
 * getChecked, and skipping libp2p's per-stream peer-store writes keeps the peer's protocols recorded.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { blobCid } from '../../../protocols/session/cid.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, suiteNodes } from './support.js'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { reusingSha256 } from '../../../node/src/swarm/bitswap-digests.js'
import { bitswapOf } from '../../../node/src/swarm/bitswap-internals.js'

describe('checked chunk fetches', function () {
  this.timeout(120_000)
  const nodes = suiteNodes()

  it('returns network blocks that match their CID, hashes local copies and refuses a local copy that does not match', async () => {
    const a = await nodes.start('a')
    const b = await nodes.start('b')
    const blobs = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(300_000)))
    for (const blob of blobs) await a.blocks.put(blobCid(blob), blob)
    const provider = multiaddr(bootstrapAddr(a))
    const conn = await b.libp2p.dial(provider)
    assert.equal(conn.encryption, '/tls/1.0.0', 'two Lucid nodes secure their connection with TLS')

    // over bitswap, several in parallel (several messages, several streams)
    const got = await Promise.all(blobs.map(async (blob) => await b.blocks.getChecked(blobCid(blob), { providers: [provider], signal: AbortSignal.timeout(30_000) })))
    got.forEach((bytes, i) => { assert.ok(Buffer.from(bytes).equals(Buffer.from(blobs[i]))) })
    // the transfer is counted on both sides (bitswap's sender of each block; what bitswap read to serve)
    const total = blobs.reduce((n, x) => n + x.length, 0)
    const metric = async (n: LucidNode, name: string): Promise<number> => (await n.metrics.registry.getSingleMetric(name)!.get()).values[0].value
    assert.equal(await metric(b, 'lucid_bitswap_received_bytes_total'), total)
    assert.ok(await metric(a, 'lucid_bitswap_served_bytes_total') >= total)
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

  it('Helia\'s check reuses only a full SHA-256 digest bitswap computed over the same buffer, once', async () => {
    // the running node's own bitswap want-list, which the node already listens to (recordBitswapDigests at start);
    // its `block` events are what bitswap dispatches for each received block
    const wantList = bitswapOf(nodes.all[1].helia)?.wantList as EventTarget | undefined
    assert.ok(wantList instanceof EventTarget, 'the installed bitswap has no want-list event target')
    const sha = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())
    const emit = (cid: CID, block: Uint8Array): void => {
      const evt = new Event('block') as Event & { detail: unknown }
      evt.detail = { cid, block }
      wantList.dispatchEvent(evt)
    }
    const digestOf = async (b: Uint8Array, truncate?: number): Promise<Uint8Array> => (await reusingSha256.digest(b, truncate === undefined ? undefined : { truncate })).digest

    // nothing recorded: hashed
    const plain = new Uint8Array(randomBytes(1000))
    assert.deepEqual(await digestOf(plain), sha(plain))

    // a SHA-256 digest bitswap recorded for this buffer is returned once (marked here so it can be told apart)
    const block = new Uint8Array(randomBytes(1000))
    const marked = new Uint8Array(32).fill(7)
    emit(CID.createV1(0x55, Digest.create(0x12, marked)), block)
    assert.deepEqual(await digestOf(block), marked)
    assert.deepEqual(await digestOf(block), sha(block), 'a recorded digest is used once')
    // not for another buffer with the same bytes
    emit(CID.createV1(0x55, Digest.create(0x12, marked)), block)
    assert.deepEqual(await digestOf(new Uint8Array(block)), sha(block))

    // a block whose prefix named another hash function (identity: the sender picks the digest) is hashed
    const forged = new Uint8Array(randomBytes(1000))
    emit(CID.createV1(0x55, Digest.create(0x00, forged.subarray(0, 32))), forged)
    assert.deepEqual(await digestOf(forged), sha(forged))
    // and a truncated SHA-256 is neither recorded nor used for a full digest
    const short = new Uint8Array(randomBytes(1000))
    emit(CID.createV1(0x55, Digest.create(0x12, sha(short).subarray(0, 20))), short)
    assert.deepEqual(await digestOf(short), sha(short))
  })
})
