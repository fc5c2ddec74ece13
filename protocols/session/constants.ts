/** Parameters of sealed-session format version 1 (docs/sessions.md). Changing any of these is a new version. */
export const FORMAT_VERSION = 1

export const KIB = 1024
export const MIB = 1024 * KIB
export const DEFAULT_CHUNK_SIZE = 8 * MIB
export const MIN_CHUNK_SIZE = 64 * KIB
export const MAX_CHUNK_SIZE = 16 * MIB

export const ZSTD_LEVEL = 3
export const CODEC = 'zstd'

export const SESSION_KEY_BYTES = 32
export const NONCE_BYTES = 24
export const TAG_BYTES = 16
/** Blob header: format version (1 byte), flags (1 byte), nonce (24 bytes). */
export const BLOB_HEADER_BYTES = 2 + NONCE_BYTES
export const FLAG_ZSTD = 0x01

/** HKDF info prefix for chunk keys, and the associated-data prefix binding a blob to its session and position. */
export const CHUNK_KEY_INFO = 'lucid/chunk/v1'
export const CHUNK_AAD_PREFIX = 'lucid/chunk-aad/v1'
/** Domain prefix of the manifest signature. */
export const MANIFEST_SIGNING_DOMAIN = 'lucid/manifest/v1'

/** Upper bound on chunks in one session: 2^18 chunks of 8 MiB is 2 TiB; keeps a manifest under ~10 MiB. */
export const MAX_MANIFEST_BYTES = 16 * MIB
export const MAX_CHUNK_COUNT = 1 << 18
