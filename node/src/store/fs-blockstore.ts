/**
 * blockstore-fs with whole-file reads. The stock `get` streams a block through `createReadStream` in 64 KiB pieces (16
 * thread-pool round trips and a copy into one buffer for a 1 MiB chunk); bitswap and the node read whole blocks, so
 * one `readFile` does it. Writes (temporary file + rename) and the on-disk layout are blockstore-fs's own.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FsBlockstore } from 'blockstore-fs'
import { NextToLast, type ShardingStrategy } from 'blockstore-fs/sharding'
import type { CID } from 'multiformats/cid'
import type { AbortOptions } from '@libp2p/interface'

/** The error blockstores throw for a missing block (interface-store's NotFoundError, matched by name). */
function notFound (message: string): Error {
  const err = new Error(message)
  err.name = 'NotFoundError'
  return err
}

export class WholeFileBlockstore extends FsBlockstore {
  private readonly sharding: ShardingStrategy

  constructor (location: string) {
    const sharding = new NextToLast() // blockstore-fs's default layout
    super(location, { shardingStrategy: sharding })
    this.sharding = sharding
  }

  // eslint-disable-next-line require-yield
  override async * get (key: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    const { dir, file } = this.sharding.encode(key)
    let bytes: Buffer
    try {
      bytes = await readFile(join(this.path, dir, file), { signal: options?.signal })
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err
      throw notFound(String(err))
    }
    yield bytes
  }
}
