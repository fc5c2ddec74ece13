/** The chain's wire: gossip topics and libp2p protocol ids (versioned), and the sizes each accepts. */
import { MAX_PROOF_BYTES } from '../chain/proof-codec.js'

export const TOPIC_BLOCKS = '/lucid/1/chain/blocks'
export const TOPIC_PROOFS = '/lucid/1/chain/proofs'
export const TOPIC_TXS = '/lucid/1/chain/txs'
export const CHAIN_TOPICS = [TOPIC_BLOCKS, TOPIC_PROOFS, TOPIC_TXS] as const

export const SYNC_PROTOCOL = '/lucid/1/chain/sync/1.0.0'

/** A gossiped block envelope; larger blocks travel by sync only (a 30M-gas block of plain transfers is ~1.6 MB). */
export const MAX_GOSSIP_BLOCK_BYTES = 4 * 1024 * 1024
/** A gossiped task proof: attestations and heartbeats are ~200 bytes, storage answers (sampled pieces) ~6–15 KB. */
export const MAX_GOSSIP_PROOF_BYTES = MAX_PROOF_BYTES
/** One sync message: a status, a request, or one block envelope. */
export const MAX_SYNC_MESSAGE_BYTES = 8 * 1024 * 1024 + 1024
/** Blocks per sync request, and the bytes one answer may carry (it ends early past them). */
export const SYNC_MAX_BLOCKS = 64
export const SYNC_MAX_ANSWER_BYTES = 16 * 1024 * 1024
export const SYNC_TIMEOUT_MS = 30_000
/** Proofs kept for inclusion, at most (oldest dropped first). */
export const MAX_POOLED_PROOFS = 20_000

/** Relay receipts: the receiver sends its half-signed receipt to the relayer, which answers with its signature. */
export const RELAY_PROTOCOL = '/lucid/1/chain/relay/1.0.0'
export const RELAY_TIMEOUT_MS = 10_000

/** Pool co-signing: a pool member's leader sends its draft block to the other members, who answer with signatures. */
export const COSIGN_PROTOCOL = '/lucid/1/chain/cosign/1.0.0'
/** One co-sign request: a draft envelope no larger than a gossiped block, and its framing. */
export const MAX_COSIGN_REQUEST_BYTES = MAX_GOSSIP_BLOCK_BYTES + 1024
/** A co-signer gives up on a stream after this long (the leader's own deadline is much shorter: pool-turns.ts). */
export const COSIGN_SERVE_TIMEOUT_MS = 10_000
