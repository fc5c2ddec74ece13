/**
 * Wraps the on-disk blockstore to count bytes read on behalf of other peers (bitswap serving). The node's own reads
 * run inside `ownReads.run(...)`, so whatever is read outside that context was read to serve a peer.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Blockstore } from 'interface-blockstore'

export const ownReads = new AsyncLocalStorage<true>()

export function countServedReads (inner: Blockstore, onServed: (bytes: number) => void): Blockstore {
  return new Proxy(inner, {
    get (target, prop, receiver) {
      if (prop === 'get') {
        return async function * (key: any, options?: any) {
          const own = ownReads.getStore() === true
          for await (const chunk of target.get(key, options)) {
            if (!own) onServed(chunk.length)
            yield chunk
          }
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
