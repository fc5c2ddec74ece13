/** Chunk blobs are IPFS raw blocks: CIDv1, codec raw (0x55), multihash sha2-256, so any stock IPFS peer can fetch them. */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { SessionError } from './errors.js'

export const RAW_CODEC = 0x55
export const SHA2_256 = 0x12

export function sha256 (data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest())
}

export function blobCid (blob: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, sha256(blob)))
}

/** Parses a CID string and insists on the form chunks use (v1, raw, sha2-256). */
export function parseChunkCid (text: string): CID {
  let cid: CID
  try { cid = CID.parse(text) } catch { throw new SessionError('bad-cid', `not a CID: '${text.slice(0, 80)}'`) }
  return checkChunkCid(cid)
}

export function checkChunkCid (cid: CID): CID {
  if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32) {
    throw new SessionError('bad-cid', `chunk CIDs must be CIDv1 raw sha2-256, got ${cid.toString()}`)
  }
  return cid
}

export function blobMatchesCid (blob: Uint8Array, cid: CID): boolean {
  return blobCid(blob).equals(cid)
}
