/**
 * Wraps the on-disk blockstore given to Helia to count the bytes bitswap reads to serve peers.
 *
 * The node's own reads of local blocks go straight to the on-disk store (BlockStore in block-store.ts, including the
 * pin walk), so every `get` that reaches Helia's copy was made to serve a peer. (This used to tell the node's reads
 * apart with an AsyncLocalStorage context; on Node 22 that installs promise hooks for the whole process, which cost
 * about a quarter of the chunk transfer rate, bench/swarm/transfer.bench.ts.)
 */
import type { Blockstore } from 'interface-blockstore'

export function countServedReads (inner: Blockstore, onServed: (bytes: number) => void): Blockstore {
  return new Proxy(inner, {
    get (target, prop, receiver) {
      if (prop === 'get') {
        return async function * (key: any, options?: any) {
          for await (const chunk of target.get(key, options)) {
            onServed(chunk.length)
            yield chunk
          }
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
