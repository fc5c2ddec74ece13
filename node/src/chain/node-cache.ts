/**
 * A least-recently-used cache of the state trie's nodes by key, for the execution worker, whose every miss is a
 * round trip to the main thread's LevelDB. Trie nodes (and contract code) are stored under the hash of their
 * content and never rewritten, so a cached value cannot go stale: the cache serves the account trie and every
 * storage trie (ethereumjs gives storage tries no cache of their own) across blocks.
 */
export class NodeCache<V> {
  private readonly entries = new Map<string, V>()

  constructor (private readonly maxEntries: number) {}

  get size (): number { return this.entries.size }

  get (key: string): V | undefined {
    const v = this.entries.get(key)
    if (v === undefined) return undefined
    // most recently used last (a Map iterates in insertion order)
    this.entries.delete(key)
    this.entries.set(key, v)
    return v
  }

  set (key: string, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }

  delete (key: string): void { this.entries.delete(key) }
}
