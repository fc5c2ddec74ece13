/**
 * Skips libp2p's peer-store write on every protocol stream when the peer is already recorded with that protocol.
 *
 * libp2p 3 calls `peerStore.merge(peer, { protocols: [protocol] })` for every stream it opens or accepts, before the
 * stream reaches its user (libp2p/dist/src/connection.js). A merge takes the peer's write lock, reads the peer's record
 * from the datastore (LevelDB here), and writes it back even when nothing but its `updated` timestamp changed. Helia's
 * bitswap opens a new stream for every message, so during a chunk transfer every wantlist and every block message cost
 * a LevelDB read and write on both sides, serialised per peer, in the path of the message: the receiver's handler only
 * starts once the merge is done and the sender only writes once it is done (bench/swarm/transfer.bench.ts, docs/swarm.md
 * "Chunk transfer over bitswap").
 *
 * This keeps, per peer, the protocols its stored record is known to list (from our own merges and from every
 * `peer:update` event) and answers a protocols-only merge that adds nothing from that knowledge, at most `refreshMs`
 * after the last real merge; the record is still written at least that often while streams keep opening (its
 * `updated` time keeps the peer from expiring). Any other merge, patch or save goes to the store unchanged.
 */
import type { Libp2p, Peer, PeerId, PeerStore } from '@libp2p/interface'

interface Known { protocols: Set<string>, peer: Peer, at: number }

const WRAPPED = Symbol.for('lucid.peerStore.protocolMerges')

export function skipRedundantProtocolMerges (libp2p: Libp2p, refreshMs = 30_000): void {
  const store = libp2p.peerStore as PeerStore & { [WRAPPED]?: true }
  if (store[WRAPPED] === true) return
  const known = new Map<string, Known>()
  const merge = store.merge.bind(store)
  const forget = (id: PeerId): void => { known.delete(id.toString()) }

  libp2p.addEventListener('peer:update', (evt) => {
    const entry = known.get(evt.detail.peer.id.toString())
    if (entry !== undefined) { entry.protocols = new Set(evt.detail.peer.protocols); entry.peer = evt.detail.peer }
  })
  libp2p.addEventListener('peer:disconnect', (evt) => { forget(evt.detail) })

  store.merge = async (id, data, options) => {
    const only = Object.keys(data).length === 1 ? data.protocols : undefined
    if (only === undefined) {
      forget(id)
      return await merge(id, data, options)
    }
    const entry = known.get(id.toString())
    if (entry !== undefined && Date.now() - entry.at < refreshMs && only.every((p) => entry.protocols.has(p))) return entry.peer
    const peer = await merge(id, data, options)
    known.set(id.toString(), { protocols: new Set(peer.protocols), peer, at: Date.now() })
    return peer
  }
  for (const name of ['patch', 'save', 'delete'] as const) {
    const original = (store[name] as (...args: any[]) => Promise<any>).bind(store)
    ;(store as any)[name] = async (id: PeerId, ...rest: any[]) => { forget(id); return await original(id, ...rest) }
  }
  store[WRAPPED] = true
}
