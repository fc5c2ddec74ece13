/**
 * Helia on our own libp2p configuration, without loading what the node never uses.
 *
 * `helia`'s package entry statically imports `@helia/libp2p`, whose entry statically imports its default libp2p
 * configuration: WebRTC, circuit relay, AutoTLS, UPnP, AutoNAT, DCUtR, TLS, mplex, HTTP, delegated routing... None of
 * it runs (the node passes its own options to `withLibp2pLight`), but loading it cost an idle node about 33 MB of RSS
 * (21 MB of heap) (bench/swarm/idle-rss.bench.ts). This module loads Helia's class from the installed `helia` package
 * directly and does what `withLibp2pLight` does for a node that brings its own private key and only the libp2p router:
 * create libp2p with the given options over Helia's datastore, add libp2p as Helia's router, start and stop it.
 * If the package layout ever changes, it falls back to the package entry (correct, only heavier).
 */
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import type { Libp2p, PeerInfo, AbortOptions } from '@libp2p/interface'
import type { Helia, Routing, Provider } from '@helia/interface'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Blockstore } from 'interface-blockstore'
import type { Datastore } from 'interface-datastore'
import type { BlockCodec } from 'multiformats/codecs/interface'
import type { MultihashHasher } from 'multiformats/hashes/interface'
import type { CID } from 'multiformats/cid'
import { LUCID_VERSION as VERSION } from '../version.js'
import { skipRedundantProtocolMerges } from './peer-store-protocols.js'

export interface HeliaInit {
  blockstore: Blockstore
  datastore: Datastore
  codecs?: Array<BlockCodec<any, any>>
  hashers?: Array<MultihashHasher<any>>
}

interface HeliaInternals extends Helia {
  addMixin: (mixin: { name: string, start?: (helia: Helia) => Promise<void>, stop?: (helia: Helia) => Promise<void> }) => void
  addRouter: (router: Partial<Routing> & { name: string }) => void
  hasRouter: (name: string) => boolean
}

type HeliaClass = new (init: HeliaInit & { name: string, version: string }) => HeliaInternals

/** Helia's class from helia/dist/src/helia.js, beside the package entry. */
async function loadHeliaClass (): Promise<HeliaClass> {
  try {
    const entry = import.meta.resolve('helia')
    const mod = await import(new URL('./helia.js', entry).href) as { Helia?: HeliaClass }
    if (typeof mod.Helia === 'function') return mod.Helia
  } catch { /* fall back below */ }
  const helia = await import('helia')
  return class { constructor (init: HeliaInit) { return helia.createHeliaLight(init) as unknown as HeliaInternals } } as unknown as HeliaClass
}

/** Helia's routing over libp2p's content and peer routing (what @helia/libp2p's libp2pRouting does). */
function libp2pRouter (libp2p: Libp2p): Partial<Routing> & { name: string } {
  const asPeer = (info: PeerInfo): { id: CID, multiaddrs: PeerInfo['multiaddrs'], router: string } => ({ id: info.id.toCID(), multiaddrs: info.multiaddrs, router: 'libp2p-router' })
  return {
    name: 'libp2p-router',
    async provide (cid: CID, options?: AbortOptions) { await libp2p.contentRouting.provide(cid, options) },
    async cancelReprovide (cid: CID, options?: AbortOptions) { await libp2p.contentRouting.cancelReprovide(cid, options) },
    async * findProviders (cid: CID, options?: AbortOptions) {
      for await (const info of libp2p.contentRouting.findProviders(cid, options)) yield { ...asPeer(info), fallback: false } as unknown as Provider
    },
    async put (key: Uint8Array, value: Uint8Array, options?: AbortOptions) { await libp2p.contentRouting.put(key, value, options) },
    async get (key: Uint8Array, options?: AbortOptions) { return new Uint8Array(await libp2p.contentRouting.get(key, options)) },
    async findPeer (peerId: any, options?: AbortOptions) {
      const { peerIdFromCID } = await import('@libp2p/peer-id')
      return asPeer(await libp2p.peerRouting.findPeer(peerIdFromCID(peerId), options)) as any
    },
    async * getClosestPeers (key: Uint8Array, options?: AbortOptions) {
      for await (const info of libp2p.peerRouting.getClosestPeers(key, options)) yield asPeer(info) as any
    }
  }
}

/**
 * A Helia node on libp2p built from `options` (which must carry the node's private key). Like
 * `withLibp2pLight(createHeliaLight(init), options)`, started and stopped with Helia.
 */
export async function createHeliaWithLibp2p<T extends Record<string, unknown>> (init: HeliaInit, options: Libp2pOptions<T>): Promise<HeliaWithLibp2p<T>> {
  if (options.privateKey === undefined) throw new Error('the node passes its own libp2p private key')
  const HeliaImpl = await loadHeliaClass()
  const helia = new HeliaImpl({ name: 'lucid', version: VERSION, ...init })
  let libp2p: Libp2p<T> | undefined
  Object.defineProperty(helia, 'libp2p', {
    configurable: true,
    enumerable: true,
    get () {
      if (libp2p === undefined) throw new Error('Helia is not started')
      return libp2p
    }
  })
  helia.addMixin({
    name: 'libp2p',
    start: async () => {
      libp2p ??= await createLibp2p({
        ...options,
        datastore: options.datastore ?? init.datastore,
        nodeInfo: { name: 'lucid', version: VERSION, userAgent: `lucid/${VERSION}`, ...options.nodeInfo }
      })
      // libp2p writes the peer's record on every stream (bitswap: every message): peer-store-protocols.ts
      skipRedundantProtocolMerges(libp2p)
      if (!helia.hasRouter('libp2p-router')) helia.addRouter(libp2pRouter(libp2p))
      await libp2p.start()
    },
    stop: async () => { await libp2p?.stop() }
  })
  return helia as unknown as HeliaWithLibp2p<T>
}
