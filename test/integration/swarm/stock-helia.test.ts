/** A stock Helia node (libp2p basics + bitswap, nothing of Lucid's) fetches a chunk from a Lucid node by its CID. */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { decodeSignedManifest } from '../../../protocols/session/manifest.js'
import { blobCid } from '../../../protocols/session/cid.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { collect } from '../../../node/src/store/block-store.js'
import { bootstrapAddr, makeHome, startNode, tempDir, testConfig } from './support.js'

describe('interop: a stock Helia node fetches a Lucid chunk over bitswap', function () {
  this.timeout(120_000)
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let lucid: LucidNode | undefined
  let stock: Awaited<ReturnType<typeof startStock>> | undefined

  async function startStock () {
    const helia = withBitswap(withLibp2pLight(createHeliaLight(), {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    }))
    await helia.start()
    return helia
  }

  before(async () => { tmp = await tempDir() })
  after(async () => {
    await stock?.stop().catch(() => {})
    await lucid?.stop().catch(() => {})
    await tmp?.cleanup()
  })

  it('gets every chunk of a session by CID, byte-identical to what the Lucid node stores', async () => {
    lucid = await startNode(await makeHome(join(tmp.dir, 'lucid')), testConfig({ replication: 1 }))
    const put = await lucid.putSession((async function * () { yield randomBytes(2_500_000) })())
    const manifestBytes = await lucid.blocks.get(CID.parse(put.manifestCid), { offline: true })
    const { manifest } = decodeSignedManifest(manifestBytes)
    assert.equal(manifest.chunkCount, 3)

    stock = await startStock()
    const conn = await stock.libp2p.dial(multiaddr(bootstrapAddr(lucid)))
    // Lucid nodes prefer TLS; with a peer that offers only noise they agree on noise
    assert.equal(conn.encryption, '/noise')
    for (const cid of manifest.chunks) {
      const fetched = await collect(stock.blockstore.get(cid, { signal: AbortSignal.timeout(30_000) }))
      assert.ok(blobCid(fetched).equals(cid), 'the stock node got a block that does not match its CID')
      const local = await lucid.blocks.get(cid, { offline: true })
      assert.ok(Buffer.from(fetched).equals(Buffer.from(local)))
    }
  })
})
