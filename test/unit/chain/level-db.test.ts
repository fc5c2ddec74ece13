// LevelDB (ethereumjs' DB over a classic-level sublevel) writes a large batch as consecutive batches of sliceOps.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { LevelDB, type Sublevel } from '../../../node/src/chain/level-db.js'

describe('chain: LevelDB batches', () => {
  let dir: string
  let level: ClassicLevel<Uint8Array, Uint8Array>
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-leveldb-'))
    level = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await level.open()
  })
  after(async () => { await level.close(); rmSync(dir, { recursive: true, force: true }) })

  const sub = (name: string): Sublevel => level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as Sublevel

  it('writes every operation, in consecutive batches of sliceOps, in order', async () => {
    const s = sub('sliced')
    const sizes: number[] = []
    const batch = s.batch.bind(s)
    ;(s as unknown as { batch: (ops: unknown[]) => Promise<void> }).batch = async (ops: unknown[]) => { sizes.push(ops.length); await batch(ops as never) }
    const db = new LevelDB(s, 1000)
    const key = (i: number): Uint8Array => new Uint8Array([i >> 8, i & 255])
    await db.batch([
      ...Array.from({ length: 2500 }, (_, i) => ({ type: 'put' as const, key: key(i), value: new Uint8Array([i & 255, 1]) })),
      { type: 'del' as const, key: key(7) }
    ])
    assert.deepEqual(sizes, [1000, 1000, 501])
    const bytes = (v: unknown): number[] => Array.from(v as Uint8Array)
    assert.deepEqual(bytes(await db.get(key(2499))), [2499 & 255, 1])
    assert.equal(await db.get(key(7)), undefined) // the delete, in the last batch, came after the put
    assert.deepEqual(bytes(await db.shallowCopy().get(key(0))), [0, 1])
  })

  it('writes one batch by default', async () => {
    const s = sub('whole')
    const sizes: number[] = []
    const batch = s.batch.bind(s)
    ;(s as unknown as { batch: (ops: unknown[]) => Promise<void> }).batch = async (ops: unknown[]) => { sizes.push(ops.length); await batch(ops as never) }
    await new LevelDB(s).batch(Array.from({ length: 2500 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: 'v' })))
    assert.deepEqual(sizes, [2500])
  })
})
