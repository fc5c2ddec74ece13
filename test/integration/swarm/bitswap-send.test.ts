/**
 * bitswap-send.ts writes bitswap messages without copying blocks: the bytes must be exactly what @helia/bitswap's own
 * encoder (splitMessage + a length prefix) writes, for every mix of blocks, presences and wants and every split.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { bitswapCodecs, encodeMessageParts, type QueuedMessage } from '../../../node/src/swarm/bitswap-send.js'

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
