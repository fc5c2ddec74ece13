/**
 * Block access over Helia: local reads, network fetches over bitswap (with known providers' addresses), pins and gc.
 * Sessions are pinned by their manifest CID, recursively: the manifest's dag-cbor links are its chunk CIDs, so one
 * pin keeps the whole session and `gc` removes everything no pin reaches.
 */
import type { CID } from 'multiformats/cid'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Helia } from '@helia/interface'

export interface GetOptions { offline?: boolean, providers?: Multiaddr[], signal?: AbortSignal }

export async function collect (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let length = 0
  for await (const p of source) { parts.push(p); length += p.length }
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) { out.set(p, offset); offset += p.length }
  return out
}

export class BlockStore {
  bytesFetched = 0
  constructor (private readonly helia: Helia) {}

  async has (cid: CID): Promise<boolean> {
    return await this.helia.blockstore.has(cid)
  }

  async get (cid: CID, opts: GetOptions = {}): Promise<Uint8Array> {
    const local = await this.helia.blockstore.has(cid)
    const bytes = await collect(this.helia.blockstore.get(cid, {
      offline: opts.offline,
      signal: opts.signal,
      providers: opts.providers !== undefined && opts.providers.length > 0 ? opts.providers : undefined
    }))
    if (!local) this.bytesFetched += bytes.length
    return bytes
  }

  /**
   * A network fetch with a per-try deadline: a want that bitswap lost is asked again (a fresh want makes the provider
   * look at its ledger again) instead of waiting for the whole operation's deadline.
   */
  async getPatiently (cid: CID, opts: GetOptions & { tries?: number, perTryMs?: number } = {}): Promise<Uint8Array> {
    const tries = opts.tries ?? 6
    let last: unknown
    for (let i = 0; i < tries; i++) {
      opts.signal?.throwIfAborted()
      const perTry = AbortSignal.timeout((opts.perTryMs ?? 5_000) * (i + 1))
      try {
        return await this.get(cid, { ...opts, signal: opts.signal === undefined ? perTry : AbortSignal.any([opts.signal, perTry]) })
      } catch (err) {
        last = err
      }
    }
    throw last instanceof Error ? last : new Error(`cannot fetch block ${cid.toString()}`)
  }

  async put (cid: CID, bytes: Uint8Array): Promise<void> {
    await this.helia.blockstore.put(cid, bytes)
  }

  async pin (manifest: CID, sessionId: string): Promise<void> {
    if (await this.helia.pins.isPinned(manifest)) return
    for await (const _ of this.helia.pins.add(manifest, { metadata: { sessionId } })) { /* walks the manifest's links */ }
  }

  async unpin (manifest: CID): Promise<void> {
    if (!(await this.helia.pins.isPinned(manifest))) return
    for await (const _ of this.helia.pins.rm(manifest)) { /* drains */ }
  }

  async isPinned (manifest: CID): Promise<boolean> {
    return await this.helia.pins.isPinned(manifest)
  }

  /** Deletes every block no pin reaches; returns how many were deleted. */
  async gc (): Promise<number> {
    let deleted = 0
    await this.helia.gc({ onProgress: (evt) => { if (evt.type === 'helia:gc:deleted') deleted++ } })
    return deleted
  }
}
