// The chain sync protocol between two real libp2p peers (TCP, noise, yamux on 127.0.0.1): a fresh chain catches up
// through it to the same head; malformed requests are refused by the server with the reason; a peer answering more
// blocks than asked, or a tampered block, is refused by the client.
import { strict as assert } from 'node:assert'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { syncFrom, SyncError } from '../../../node/src/chain/sync.js'
import type { Chain } from '../../../node/src/chain/index.js'
import { SYNC_PROTOCOL } from '../../../node/src/chainnet/constants.js'
import { peerEnvelopeSource, requestBlocks, requestStatus, serveSync, SyncProtocolError } from '../../../node/src/chainnet/sync-protocol.js'
import { openDevChain, produce, removeChainDirs } from './support.js'

const peer = async (): Promise<Libp2p> => await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })

describe('chain: the libp2p sync protocol', function () {
  this.timeout(60_000)
  let leader: Chain
  let server: Libp2p
  let client: Libp2p
  const served: Array<Promise<void>> = []

  before(async () => {
    leader = await openDevChain()
    for (let i = 0; i < 12; i++) await produce(leader)
    ;[server, client] = await Promise.all([peer(), peer()])
    await server.handle(SYNC_PROTOCOL, (stream) => { served.push(serveSync(leader, stream, AbortSignal.timeout(10_000))) })
    await client.dial(server.getMultiaddrs()[0])
  })

  after(async () => {
    await Promise.all([server?.stop(), client?.stop()])
    await leader?.close()
    removeChainDirs()
  })

  it('a fresh chain catches up to the same head and state root', async () => {
    const status = await requestStatus(client, server.peerId)
    assert.equal(status.head, leader.head.header.number)
    assert.equal(status.genesisHash, bytesToHex(leader.blockchain.genesisBlock.hash()))
    const fresh = await openDevChain()
    try {
      const r = await syncFrom(fresh, peerEnvelopeSource(client, server.peerId), () => Number.MAX_SAFE_INTEGER)
      assert.equal(r.imported, 12)
      assert.equal(bytesToHex(fresh.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
      assert.equal((await requestBlocks(client, server.peerId, 5n, 64)).length, 8, 'from block 5 to the head')
    } finally { await fresh.close() }
  })

  it('refuses malformed requests, naming what is wrong', async () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([0xff, 0x00]), /not RLP/],
      [RLP.encode([new Uint8Array([9])]), /unknown request type 9/],
      [RLP.encode([new Uint8Array([1]), new Uint8Array([1]), new Uint8Array([0])]), /count must be 1\.\.64, got 0/],
      [RLP.encode([new Uint8Array([1]), new Uint8Array([1]), new Uint8Array([65])]), /count must be 1\.\.64, got 65/],
      [RLP.encode([new Uint8Array([1]), new Uint8Array([1])]), /3 fields/]
    ]
    for (const [request, reason] of cases) {
      served.length = 0
      const stream = await client.dialProtocol(server.peerId, SYNC_PROTOCOL)
      await lpStream(stream).write(request)
      while (served.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
      await assert.rejects(served[0], (e: Error) => e instanceof SyncProtocolError && reason.test(e.message))
    }
  })

  it('refuses a peer that answers more blocks than asked, and a tampered block at its number', async () => {
    const liar = await peer()
    const envelopes: Uint8Array[] = []
    for (let n = 1n; n <= 3n; n++) envelopes.push((await leader.envelopeOf((await leader.blockByNumber(n))!))!)
    let tamper = false
    await liar.handle(SYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      const out = tamper ? [envelopes[0], envelopes[1].map((b, i) => i === 200 ? b ^ 1 : b)] : envelopes
      for (const e of out) await lp.write(e)
      await lp.write(new Uint8Array(0))
    })
    try {
      await client.dial(liar.getMultiaddrs()[0])
      await assert.rejects(requestBlocks(client, liar.peerId, 1n, 2), /more than the 2 blocks asked for/)
      tamper = true
      const fresh = await openDevChain()
      try {
        const source = { headNumber: async () => 2n, envelopes: async (from: bigint, count: number) => await requestBlocks(client, liar.peerId, from, count) }
        await assert.rejects(syncFrom(fresh, source, () => Number.MAX_SAFE_INTEGER), (e: Error) => e instanceof SyncError && e.number === 2n)
        assert.equal(fresh.head.header.number, 1n, 'the good block before it is kept')
      } finally { await fresh.close() }
    } finally { await liar.stop() }
  })
})
