/**
 * Block access over Helia: local reads, network fetches over bitswap (with known providers' addresses), pins and gc.
 * Sessions are pinned by their manifest CID, recursively: the manifest's dag-cbor links are its chunk CIDs, so one
 * pin keeps the whole session and `gc` removes everything no pin reaches.
 *
 * The node's own reads of blocks it has go straight to the on-disk store (`local`), not through Helia: Helia's
 * blockstore is what bitswap reads to serve peers, so every read through it is a served byte (counted by
 * counting-blockstore.ts), and the node's reads skip Helia's locks and wrappers.
 */
import { WholeFileBlockstore } from './fs-blockstore.js'
import { createUnsafe } from 'multiformats/block'
import type { CID } from 'multiformats/cid'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { GraphNode, GraphWalkerComponents, GraphWalkerFactory, Helia } from '@helia/interface'
import type { Blockstore } from 'interface-blockstore'
import type { PeerId } from '@libp2p/interface'
import type { TransferTraffic } from './traffic.js'
import { equalBytes } from '../../../protocols/session/bytes.js'

export interface GetOptions {
  offline?: boolean
  providers?: Multiaddr[]
  signal?: AbortSignal
  /**
   * Ask only the given providers (and the peers bitswap is connected to) instead of also running a DHT provider
   * lookup for the block. Helia's bitswap starts a lookup for every block it wants: on a 1 MiB-chunk session that
   * was a DHT query, peer-store writes (LevelDB) and dials per chunk, for peers we already know and are connected to.
   */
  providersOnly?: boolean
}

/** The raw codec (0x55): a chunk blob, a leaf with no links. */
const RAW_CODE = 0x55

/** The option Helia passes down to its routing (see withProvidersOnly). */
const PROVIDERS_ONLY = 'lucidProvidersOnly'

/**
 * Makes Helia's routing return no providers for a lookup whose options carry `lucidProvidersOnly`. Helia passes a
 * get's options through the block broker and bitswap's provider search to `routing.findProviders` unchanged, so a
 * get can opt out of the DHT lookup while an ordinary get (or a stock peer's) still runs it.
 */
function withProvidersOnly (helia: Helia): void {
  const routing = helia.routing as unknown as { findProviders: (cid: CID, options?: Record<string, unknown>) => AsyncIterable<unknown>, [PROVIDERS_ONLY]?: true }
  if (routing[PROVIDERS_ONLY] === true) return
  const findProviders = routing.findProviders.bind(routing)
  routing.findProviders = async function * (cid: CID, options?: Record<string, unknown>) {
    if (options?.[PROVIDERS_ONLY] === true) return
    yield * findProviders(cid, options)
  }
  routing[PROVIDERS_ONLY] = true
}

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
  /** Walks a session for pin/unpin over the local store, without reading chunk blobs (see pinWalker). */
  private readonly walker: GraphWalkerFactory

  /**
   * @param helia - the node's Helia (bitswap, pins, gc)
   * @param local - the on-disk blockstore under Helia (the node's own reads, not counted as served)
   * @param isConnected - whether a provider's peer already has a connection (its address then need not be dialled)
   * @param traffic - told which peer delivered each fetched block
   */
  constructor (private readonly helia: Helia, private readonly local: WholeFileBlockstore, private readonly isConnected: (peerId: string) => boolean = () => false, private readonly traffic?: TransferTraffic) {
    withProvidersOnly(helia)
    this.walker = pinWalker(local)
  }

  async has (cid: CID): Promise<boolean> {
    return await this.local.has(cid)
  }

  async get (cid: CID, opts: GetOptions = {}): Promise<Uint8Array> {
    return (await this.read(cid, opts)).bytes
  }

  /**
   * A block whose bytes are known to match `cid` (its multihash), checked once: a block Helia fetched over the network
   * was hashed and compared with the CID by Helia before it was stored or returned (`raceBlockRetrievers` in helia's
   * storage.js validates every retrieved block against the requested CID's multihash, with the CID's hash function),
   * so only a block read from the local store (which may have been written by anyone with access to the disk) is
   * hashed here. A replica fetch used to hash every chunk three times: bitswap to recognise it, Helia to check it, and
   * the replica check again (bench/swarm/transfer.bench.ts); now bitswap's hash is the only one (Helia's check reuses
   * its digest, swarm/bitswap-digests.ts).
   */
  async getChecked (cid: CID, opts: GetOptions & { tries?: number, perTryMs?: number } = {}): Promise<Uint8Array> {
    const { bytes, checked } = await this.patiently(cid, opts)
    if (!checked) {
      const hasher = await this.helia.getHasher(cid.multihash.code)
      const digest = await hasher.digest(bytes, { truncate: cid.multihash.digest.byteLength })
      if (!equalBytes(digest.digest, cid.multihash.digest)) {
        const err = new Error(`the local copy of block ${cid.toString()} does not match its CID`)
        err.name = 'BlockMismatchError'
        throw err
      }
    }
    return bytes
  }

  /** `checked`: the bytes came from the network and Helia compared them with `cid` (see getChecked). */
  private async read (cid: CID, opts: GetOptions): Promise<{ bytes: Uint8Array, checked: boolean }> {
    if (await this.local.has(cid)) {
      try {
        return { bytes: await collect(this.local.get(cid, { signal: opts.signal })), checked: false }
      } catch (err) {
        if ((err as Error).name !== 'NotFoundError') throw err // deleted since (gc): fetch it again below
      }
    }
    // Helia dials every address it is given on every get (a peer-store write each); a connected peer already has
    // our wantlist, so only peers without a connection are passed.
    const providers = opts.providers?.filter((a) => {
      const peer = a.getComponents().findLast((c) => c.name === 'p2p')?.value
      return peer === undefined || !this.isConnected(peer)
    })
    let sender: PeerId | undefined
    const bytes = await collect(this.helia.blockstore.get(cid, {
      offline: opts.offline,
      signal: opts.signal,
      onProgress: (evt: { type: string, detail: unknown }) => {
        if (evt.type === 'bitswap:block') sender = (evt.detail as { sender?: PeerId }).sender
      },
      providers: providers !== undefined && providers.length > 0 ? providers : undefined,
      ...(opts.providersOnly === true ? { [PROVIDERS_ONLY]: true } : {})
    }))
    if (sender !== undefined) this.traffic?.received(sender, bytes.length)
    // Helia's networked store returns a block it did not have only after checking it against `cid`; one it had
    // meanwhile (another get stored it since our `has`) comes from its local store unchecked.
    return { bytes, checked: sender !== undefined }
  }

  /**
   * A network fetch with a per-try deadline: a want that bitswap lost is asked again (a fresh want makes the provider
   * look at its ledger again) instead of waiting for the whole operation's deadline.
   */
  async getPatiently (cid: CID, opts: GetOptions & { tries?: number, perTryMs?: number } = {}): Promise<Uint8Array> {
    return (await this.patiently(cid, opts)).bytes
  }

  private async patiently (cid: CID, opts: GetOptions & { tries?: number, perTryMs?: number }): Promise<{ bytes: Uint8Array, checked: boolean }> {
    const tries = opts.tries ?? 6
    let last: unknown
    for (let i = 0; i < tries; i++) {
      opts.signal?.throwIfAborted()
      const perTry = AbortSignal.timeout((opts.perTryMs ?? 5_000) * (i + 1))
      // The first try asks the known providers only; later tries also look the block up on the DHT.
      const providersOnly = i === 0 && opts.providers !== undefined && opts.providers.length > 0
      try {
        return await this.read(cid, { ...opts, providersOnly, signal: opts.signal === undefined ? perTry : AbortSignal.any([opts.signal, perTry]) })
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
    for await (const _ of this.helia.pins.add(manifest, { metadata: { sessionId }, walker: this.walker })) { /* walks the manifest's links */ }
  }

  async unpin (manifest: CID): Promise<void> {
    if (!(await this.helia.pins.isPinned(manifest))) return
    for await (const _ of this.helia.pins.rm(manifest, { walker: this.walker })) { /* drains */ }
  }

  /** The sessions pinned here: the pins' roots (manifests), by the session ID each was pinned for. */
  async * pinnedSessions (): AsyncGenerator<string> {
    for await (const pin of this.helia.pins.ls()) {
      const id = pin.metadata.sessionId
      if (typeof id === 'string') yield id
    }
  }

  async isPinned (manifest: CID): Promise<boolean> {
    return await this.helia.pins.isPinned(manifest)
  }

  /** Deletes every block no pin reaches, and writes a killed process left half done; returns how many blocks. */
  async gc (): Promise<number> {
    let deleted = 0
    await this.helia.gc({ onProgress: (evt) => { if (evt.type === 'helia:gc:deleted') deleted++ } })
    await this.local.removeStaleTemporaryFiles()
    return deleted
  }
}

/**
 * A depth-first walk of a session's DAG over the local store for pinning: the manifest is read and decoded, chunk
 * blobs (raw leaves, no links) are only checked to be present. Helia's default walker reads every block through the
 * networked blockstore, which re-read a whole session from disk after each replica fetch (and fetched a missing block
 * from the network rather than failing). A missing block fails the pin.
 */
export function pinWalker (local: Blockstore): GraphWalkerFactory {
  return (components: GraphWalkerComponents) => ({
    async * walk (root: CID, options: { depth?: number, signal?: AbortSignal } = {}): AsyncGenerator<GraphNode<any>> {
      const maxDepth = options.depth ?? Infinity
      const stack: Array<{ cid: CID, depth: number, path: CID[] }> = [{ cid: root, depth: 0, path: [root] }]
      while (stack.length > 0) {
        options.signal?.throwIfAborted()
        const { cid, depth, path } = stack.pop() as { cid: CID, depth: number, path: CID[] }
        let bytes: Uint8Array
        if (cid.code === RAW_CODE) {
          if (!(await local.has(cid))) {
            const err = new Error(`block ${cid.toString()} is not in the local store`)
            err.name = 'NotFoundError'
            throw err
          }
          bytes = new Uint8Array(0)
        } else {
          bytes = await collect(local.get(cid, { signal: options.signal }))
        }
        const block = createUnsafe({ cid, bytes, codec: await components.getCodec(cid.code) })
        if (cid.code !== RAW_CODE && depth < maxDepth) {
          const links = [...block.links()].map(([, c]) => c).reverse()
          for (const c of links) stack.push({ cid: c, depth: depth + 1, path: [...path, c] })
        }
        yield { block, depth, path }
      }
    }
  })
}
