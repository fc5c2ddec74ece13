/**
 * bitswap-send.ts writes bitswap messages without copying blocks: the bytes must be exactly what @helia/bitswap's own
 * encoder (splitMessage + a length prefix) writes, for every mix of blocks, presences and wants and every split; and
 * sends them on one kept-open stream per peer, closed when idle and replaced when it dies.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { bitswapCodecs, encodeMessageParts, type QueuedMessage } from '../../../node/src/swarm/bitswap-send.js'
import { blobCid } from '../../../protocols/session/cid.js'
import type { LucidNode } from '../../../node/src/runtime/node.js'
import { bootstrapAddr, suiteNodes, waitFor } from './support.js'

const BITSWAP = '/ipfs/bitswap/1.2.0'

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) { out.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80) }
  out.push(n)
  return Uint8Array.from(out)
}

async function stockParts (message: QueuedMessage, maxSize: number): Promise<Buffer[]> {
  const entry = pathToFileURL(createRequire(join(process.cwd(), 'index.js')).resolve('@helia/bitswap')).href
  const { splitMessage } = await import(new URL('./utils/split-message.js', entry).href) as { splitMessage: (m: QueuedMessage, max: number) => Iterable<Uint8Array> }
  return [...splitMessage(message, maxSize)].map((buf) => Buffer.concat([varint(buf.byteLength), buf]))
}

async function cidOf (bytes: Uint8Array, code = 0x55): Promise<CID> {
  return CID.createV1(code, await sha256.digest(bytes))
}

describe('bitswap messages sent without copying blocks', function () {
  this.timeout(60_000)

  it('are byte-identical to bitswap\'s own encoding, split at the same places', async () => {
    const pb = await bitswapCodecs()
    assert.ok(pb !== undefined, 'the installed @helia/bitswap does not have the expected layout')
    const sizes = [0, 1, 127, 128, 16_383, 16_384, 300_000, 1_048_618, 2_000_000]
    let cases = 0
    for (let round = 0; round < 24; round++) {
      const message: QueuedMessage = { full: round % 3 === 0, wantlist: new Map(), blocks: new Map(), blockPresences: new Map() }
      const nBlocks = round % 6
      for (let i = 0; i < nBlocks; i++) {
        const data = new Uint8Array(randomBytes(sizes[(round + i * 5) % sizes.length]))
        const cid = await cidOf(data)
        message.blocks.set(cid.toString(), { data, prefix: Uint8Array.from([1, 0x55, 0x12, 32]) })
      }
      for (let i = 0; i < (round * 7) % 40; i++) {
        const cid = await cidOf(randomBytes(8))
        message.blockPresences.set(cid.toString(), { cid: cid.bytes, type: i % 2 })
      }
      for (let i = 0; i < (round * 13) % 300; i++) {
        const cid = await cidOf(randomBytes(8), 0x71)
        message.wantlist.set(cid.toString(), { cid: cid.bytes, priority: 1 + (i % 3), cancel: i % 5 === 0, wantType: i % 2, sendDontHave: i % 3 === 0 })
      }
      for (const maxSize of [4 * 1024 * 1024 - 64 * 1024, 4 * 1024 * 1024, 1_100_000, 2_500_000, 8 * 1024 * 1024]) {
        // a block larger than the limit cannot be split by either encoder
        if ([...message.blocks.values()].some((b) => b.data.byteLength + 64 > maxSize)) continue
        const expected = await stockParts(message, maxSize)
        const ours: Buffer[] = [...encodeMessageParts(message, maxSize, pb)].map((list) => Buffer.from(list.subarray()))
        assert.equal(ours.length, expected.length, `round ${round}, max ${maxSize}: part count`)
        ours.forEach((part, i) => { assert.ok(part.equals(expected[i]), `round ${round}, max ${maxSize}: part ${i} differs`) })
        cases++
      }
    }
    assert.ok(cases > 60)
  })
})

describe('bitswap messages on one kept-open stream per peer', function () {
  this.timeout(120_000)
  const nodes = suiteNodes()

  const bitswapStreams = (from: LucidNode, to: LucidNode, direction: 'inbound' | 'outbound'): Stream[] =>
    from.libp2p.getConnections(to.libp2p.peerId).flatMap((c) => c.streams).filter((s) => s.protocol === BITSWAP && s.direction === direction)

  it('carries every message to a peer on one stream, closes it when idle, and replaces a stream the peer aborted', async () => {
    const a = await nodes.start('a')
    const b = await nodes.start('b')
    const blobs = Array.from({ length: 24 }, () => new Uint8Array(randomBytes(200_000)))
    for (const blob of blobs) await a.blocks.put(blobCid(blob), blob)
    const provider = multiaddr(bootstrapAddr(a))
    const fetch = async (some: Uint8Array[]): Promise<void> => {
      const got = await Promise.all(some.map(async (blob) => await b.blocks.getChecked(blobCid(blob), { providers: [provider], signal: AbortSignal.timeout(30_000) })))
      got.forEach((bytes, i) => { assert.ok(Buffer.from(bytes).equals(Buffer.from(some[i])), `block ${i} differs`) })
    }

    // eight blocks one after another: each a want from b and a block message from a, on one stream each way
    for (const blob of blobs.slice(0, 8)) await fetch([blob])
    assert.equal(bitswapStreams(a, b, 'outbound').length, 1, 'the provider sent its blocks on one stream')
    assert.equal(bitswapStreams(b, a, 'outbound').length, 1, 'the fetcher sent its wants on one stream')
    const first = bitswapStreams(a, b, 'outbound')[0]
    // and in parallel: still one stream
    await fetch(blobs.slice(8, 16))
    assert.deepEqual(bitswapStreams(a, b, 'outbound').map((s) => s.id), [first.id])

    // idle: both ends close their streams well before a stock receiver's 10 s timeout would abort them
    await waitFor('idle bitswap streams closed', () => bitswapStreams(a, b, 'outbound').length === 0 && bitswapStreams(b, a, 'outbound').length === 0, 10_000)
    assert.equal(first.writeStatus, 'closed')
    await fetch(blobs.slice(16, 20))
    const second = bitswapStreams(a, b, 'outbound')
    assert.equal(second.length, 1)
    assert.notEqual(second[0].id, first.id, 'a new stream after the idle close')

    // the fetcher aborts the provider's stream (as a receiver that timed out would): the next blocks come on a new one
    for (const s of bitswapStreams(b, a, 'inbound')) s.abort(new Error('test: receiver gave up'))
    await waitFor('the provider saw its stream reset', () => second[0].status !== 'open', 10_000)
    await fetch(blobs.slice(20, 24))
    const third = bitswapStreams(a, b, 'outbound')
    assert.equal(third.length, 1)
    assert.ok(third[0].id !== second[0].id && third[0].id !== first.id)
  })
})
