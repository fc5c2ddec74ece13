/**
 * The node's on-disk blockstore (fs-blockstore.ts): blockstore-fs's layout with whole-file reads, one directory creation
 * per shard, and a temporary file per write.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FsBlockstore } from 'blockstore-fs'
import { blobCid } from '../../../protocols/session/cid.js'
import { WholeFileBlockstore } from '../../../node/src/store/fs-blockstore.js'

async function all (it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

describe('WholeFileBlockstore', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'lucid-blockstore-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('stores blocks where blockstore-fs finds them and reads blockstore-fs\'s blocks', async () => {
    const ours = new WholeFileBlockstore(dir)
    await ours.open()
    const stock = new FsBlockstore(dir)
    await stock.open()
    const a = new Uint8Array(randomBytes(300_000))
    const b = new Uint8Array(randomBytes(1000))
    await ours.put(blobCid(a), a)
    await stock.put(blobCid(b), b)
    assert.ok((await all(stock.get(blobCid(a)))).equals(a))
    assert.ok((await all(ours.get(blobCid(b)))).equals(b))
    assert.equal(await ours.has(blobCid(a)), true)
    await assert.rejects(all(ours.get(blobCid(new Uint8Array(randomBytes(10))))), { name: 'NotFoundError' })
  })

  it('writes one block concurrently many times, whole, without a leftover temporary file', async () => {
    const store = new WholeFileBlockstore(dir)
    await store.open()
    const block = new Uint8Array(randomBytes(200_000))
    const cid = blobCid(block)
    await Promise.all(Array.from({ length: 16 }, async () => await store.put(cid, block)))
    assert.ok((await all(store.get(cid))).equals(block))
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.tmp'))
    assert.deepEqual(files, [])
  })

  it('makes a shard directory again when it was removed after the first write', async () => {
    const store = new WholeFileBlockstore(dir)
    await store.open()
    const first = new Uint8Array(randomBytes(100))
    await store.put(blobCid(first), first)
    for (const d of await readdir(dir)) await rm(join(dir, d), { recursive: true })
    await store.put(blobCid(first), first)
    assert.ok((await all(store.get(blobCid(first)))).equals(first))
  })

  it('fails a put it cannot write with a PutFailedError naming the block', async () => {
    // a file where the store's directory should be
    const path = join(dir, 'store')
    await writeFile(path, 'not a directory')
    const store = new WholeFileBlockstore(path)
    const block = new Uint8Array(randomBytes(100))
    await assert.rejects(store.put(blobCid(block), block), (err: Error) => err.name === 'PutFailedError' && err.message.includes(blobCid(block).toString()))
  })

  it('removes the temporary files of writes a killed process left, keeping blocks and this process\'s own', async () => {
    const store = new WholeFileBlockstore(dir)
    await store.open()
    const block = new Uint8Array(randomBytes(100))
    await store.put(blobCid(block), block)
    const [shard] = await readdir(dir)
    const stale = [`.${'A'.repeat(10)}.data.1-0.tmp`, `.${'B'.repeat(10)}.data.tmp`] // another pid's, blockstore-fs's writer's
    const own = `.${'C'.repeat(10)}.data.${process.pid}-7.tmp`
    for (const name of [...stale, own]) await writeFile(join(dir, shard, name), 'partial')
    assert.equal(await store.removeStaleTemporaryFiles(), 2)
    assert.deepEqual((await readdir(join(dir, shard))).filter((f) => f.endsWith('.tmp')), [own])
    assert.ok((await all(store.get(blobCid(block)))).equals(block))
  })
})
