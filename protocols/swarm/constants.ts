/** Swarm protocol constants: versioned topic names, protocol IDs, limits and defaults. Everything on the wire is v1. */
export const SWARM_VERSION = 1
/** Signed session announcements (one per sealed session, published by the node that sealed it). */
export const TOPIC_ANNOUNCE = '/lucid/1/announce'
/** Membership and holdings: every node says it is alive, where it listens and which sessions it holds. */
export const TOPIC_HEARTBEAT = '/lucid/1/heartbeat'
export const TOPICS = [TOPIC_ANNOUNCE, TOPIC_HEARTBEAT] as const
/** Lucid's own Kademlia DHT (kept apart from the public IPFS DHT). */
export const KAD_PROTOCOL = '/lucid/1/kad/1.0.0'
/** Blocks travel over standard bitswap so that any IPFS peer can fetch a chunk by its CID. */
export const BITSWAP_PROTOCOL = '/ipfs/bitswap/1.2.0'
/** Domain separation of the announcement signature. */
export const ANNOUNCE_SIGNING_DOMAIN = 'lucid/announce/v1'

export const MAX_ANNOUNCEMENT_BYTES = 4096
export const MAX_HEARTBEAT_BYTES = 64 * 1024
export const MAX_ADDRS = 8
export const MAX_ADDR_LENGTH = 256
/** A heartbeat lists at most this many held session IDs (36 characters each). */
export const MAX_HEARTBEAT_SESSIONS = 1500
/** An announcement dated more than this in the future (by the receiver's clock) is rejected. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000

/**
 * Blocks must stay within what bitswap peers accept: Kubo/boxo refuse blocks over 2 MiB and Helia's bitswap frames
 * messages at 4 MiB, so the format's 8 MiB default chunk cannot travel. Swarm chunks are at most 1 MiB. A block larger
 * than Helia's outgoing message limit makes its message splitter loop forever, so a session's manifest (one block)
 * must stay under MAX_BLOCK_BYTES, which caps a swarm session at SWARM_MAX_CHUNKS chunks (about 22 GiB at 1 MiB).
 * See docs/swarm.md.
 */
export const SWARM_CHUNK_SIZE = 1024 * 1024
export const MAX_SWARM_CHUNK_SIZE = 1024 * 1024
export const MAX_BLOCK_BYTES = 1024 * 1024 + 64 * 1024
/** Helia's outgoing bitswap message limit (it-length-prefixed frames at 4 MiB), minus room for the envelope. */
export const BITSWAP_MAX_MESSAGE_BYTES = 4 * 1024 * 1024 - 64 * 1024
/** Chunks per swarm session, so that the manifest (≈ 41 bytes per chunk + ≤ 66 KiB of other fields) fits one block. */
export const SWARM_MAX_CHUNKS = 23_000

export const DEFAULT_REPLICATION = 3
export const MIN_REPLICATION = 1
export const MAX_REPLICATION = 16
export const DEFAULT_HEARTBEAT_MS = 10_000
/** A member missing heartbeats for this long is considered gone and its sessions are repaired elsewhere. */
export const DEFAULT_REPAIR_GRACE_MS = 60_000
export const DEFAULT_MAX_PEERS = 50
