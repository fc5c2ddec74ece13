/**
 * One SHA-256 per block received over bitswap instead of two.
 *
 * A block message carries a CID prefix and the bytes, not the CID: @helia/bitswap (want-list.js `receiveMessage`)
 * hashes every received block to learn its CID, and Helia then hashes the same bytes again to check them against the
 * CID it asked for (`raceBlockRetrievers` in helia's storage.js, with the hasher from Helia's `getHasher`). Bitswap's
 * hash alone does not prove the bytes match: its wants are matched by digest bytes only, under whatever hash function
 * the sender's prefix names (an identity "hash" would let a sender choose the digest), which is why Helia's check
 * matters.
 *
 * Here the node's bitswap records, for each received block whose prefix names SHA-256 with a full 32-byte digest, the
 * digest it computed over that very buffer (a WeakMap keyed by the Uint8Array object, listened to on bitswap's `block`
 * event), and Helia is given a SHA-256 hasher that returns that digest once for that same buffer instead of hashing
 * it again; any other input (another buffer, a truncated digest, a block under another hash function, a digest
 * already used) is hashed as usual. Helia still compares the digest with the requested CID, so a block only passes if
 * SHA-256 of its bytes, computed in this process moments before, is the CID's digest. Nothing writes to a received
 * block's buffer between the two. If the installed bitswap does not have the expected shape nothing is recorded and
 * every block is hashed twice, as before.
 */
import { sha256 } from 'multiformats/hashes/sha2'
import type { MultihashDigest, MultihashHasher } from 'multiformats/hashes/interface'
import type { Helia } from '@helia/interface'
import { bitswapOf } from './bitswap-internals.js'

const SHA2_256 = 0x12
const DIGEST_BYTES = 32

/** Digests bitswap computed with SHA-256 over a received block's buffer, until Helia's check takes them. */
const received = new WeakMap<Uint8Array, MultihashDigest<typeof SHA2_256>>()

/** SHA-256 for Helia's `hashers`: the digest bitswap already computed over this buffer, else a fresh hash. */
export const reusingSha256: MultihashHasher<typeof SHA2_256> = {
  name: sha256.name,
  code: SHA2_256,
  encode: (input: Uint8Array) => sha256.encode(input),
  digest (input: Uint8Array, options?: { truncate?: number }) {
    const known = received.get(input)
    if (known !== undefined) {
      received.delete(input)
      if (options?.truncate === undefined || options.truncate === DIGEST_BYTES) return known
    }
    return sha256.digest(input, options)
  }
}

interface BlockEvent { detail: { cid?: { multihash?: MultihashDigest }, block?: unknown } }
interface WantListInternals { addEventListener: (type: 'block', fn: (evt: BlockEvent) => void) => void }

/**
 * Records the SHA-256 digests the node's bitswap computes over received blocks (see above). Returns false (and
 * records nothing) if the installed bitswap does not have the expected shape.
 */
export function recordBitswapDigests (helia: Helia): boolean {
  const wantList = bitswapOf(helia)?.wantList as WantListInternals | undefined
  if (typeof wantList?.addEventListener !== 'function') return false
  wantList.addEventListener('block', (evt) => {
    const digest = evt.detail?.cid?.multihash
    const block = evt.detail?.block
    if (digest?.code === SHA2_256 && digest.digest.byteLength === DIGEST_BYTES && block instanceof Uint8Array) {
      received.set(block, digest as MultihashDigest<typeof SHA2_256>)
    }
  })
  return true
}
