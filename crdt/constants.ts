/** Session-state CRDT constants: versioned wire names, signing domain and limits. Everything on the wire is v1. */
export const STATE_VERSION = 1
/** Incremental state updates (one signed envelope per message). */
export const TOPIC_STATE = '/lucid/1/state'
/** Catch-up: y-protocols-style sync steps over one libp2p stream. */
export const STATE_SYNC_PROTOCOL = '/lucid/1/state-sync/1.0.0'
/** Domain separation of the envelope signature. */
export const STATE_SIGNING_DOMAIN = 'lucid/state/v1'

/** Largest Yjs update one envelope may carry. Writers split bigger changes (e.g. long chunk lists) into batches. */
export const MAX_UPDATE_BYTES = 64 * 1024
/** Largest envelope: the update plus author key, sequence number, version and signature. */
export const MAX_ENVELOPE_BYTES = MAX_UPDATE_BYTES + 128
/** Largest sync message (one step-2 batch of envelopes, or one step-1 vector). */
export const MAX_SYNC_MESSAGE_BYTES = 1024 * 1024
/** A step-1 vector lists at most this many authors. */
export const MAX_VECTOR_AUTHORS = 10_000
/** Envelopes that arrived ahead of their author's next sequence number wait here (all authors together). */
export const MAX_PENDING_ENVELOPES = 4096
/** Chunk CIDs per update when a writer appends a long chunk list (keeps each update far under the limit). */
export const CHUNK_BATCH = 512

export const MAX_TEXT = 256
export const MAX_PARTICIPANTS = 256
export const MAX_DETAIL = 512
