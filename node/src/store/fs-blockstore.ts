/**
 * blockstore-fs with whole-file reads and leaner writes, in blockstore-fs's own on-disk layout.
 *
 * Reads: the stock `get` streams a block through `createReadStream` in 64 KiB pieces (16 thread-pool round trips and
 * a copy into one buffer for a 1 MiB chunk); bitswap and the node read whole blocks, so one `readFile` does it.
 *
 * Writes: the stock `put` runs `mkdir -p` on the shard directory before every block (3 % of the fetcher's CPU profile
 * in the transfer bench; MB/s within noise without it) and writes through a temporary file named after the block
 * alone, so concurrent puts of one block race on it and the losers retry their rename every 100 ms. Here a shard
 * directory is created once per process (again if it was removed), and each write has its own temporary file, renamed
 * over the block's name: a reader sees the whole block or none, as before. A write cut short by a kill leaves its
 * temporary file, which `lucid gc` removes (removeStaleTemporaryFiles).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
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

const TMP_SUFFIX = '.tmp'

function putFailed (message: string): Error {
  const err = new Error(message)
  err.name = 'PutFailedError'
  return err
}

export class WholeFileBlockstore extends FsBlockstore {
  private readonly sharding: ShardingStrategy
  /** Shard directories known to exist. */
  private readonly dirs = new Set<string>()
  private writes = 0

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

  override async put (key: CID, bytes: Uint8Array, options?: AbortOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const { dir, file } = this.sharding.encode(key)
    const dirPath = join(this.path, dir)
    const tmp = join(dirPath, `.${file}.${process.pid}-${this.writes++}${TMP_SUFFIX}`)
    const write = async (): Promise<void> => {
      if (!this.dirs.has(dir)) await this.makeDir(dir, dirPath)
      await writeFile(tmp, bytes, { signal: options?.signal })
    }
    try {
      await write().catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
        this.dirs.delete(dir) // the shard directory was removed since it was made here
        await write()
      })
      await rename(tmp, join(dirPath, file))
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {})
      if ((err as Error).name === 'AbortError') throw err
      throw putFailed(`cannot store block ${key.toString()}: ${(err as Error).message}`)
    }
    return key
  }

  /**
   * Removes the temporary files writes left when their process was killed before the rename, blockstore-fs's own
   * writer's (`.<file>.tmp`) included; this process's, possibly in flight, are kept. Returns how many.
   */
  async removeStaleTemporaryFiles (): Promise<number> {
    const own = `.${process.pid}-`
    let removed = 0
    for (const dir of await readdir(this.path).catch(() => [] as string[])) {
      const names = await readdir(join(this.path, dir)).catch(() => [] as string[])
      for (const name of names) {
        if (!name.startsWith('.') || !name.endsWith(TMP_SUFFIX) || name.includes(own)) continue
        await rm(join(this.path, dir, name), { force: true })
        removed++
      }
    }
    return removed
  }

  private async makeDir (dir: string, dirPath: string): Promise<void> {
    await mkdir(dirPath, { recursive: true })
    this.dirs.add(dir)
  }
}
