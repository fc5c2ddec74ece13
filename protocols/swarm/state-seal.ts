/**
 * Sessions a node knows only from the session state (CRDT): it joined after the announcement, or missed every
 * publication of it. The recorder's author document holds the seal (manifest CID, Merkle root, chunk count), signed
 * by the recorder's own key (the state's envelope), so it is as authentic as an announcement signed with that key:
 * the node replicates such a session like an announced one, and the replica makes the same checks (the manifest's
 * signature by this recorder, its session ID, root and chunk count, every blob's CID, the Merkle root).
 * This decides, without I/O, whether a state entry may be taken into the node's session index.
 */
import { CID } from 'multiformats/cid'
import { DAG_CBOR } from './announcement.js'
import { SWARM_MAX_CHUNKS } from './constants.js'

export interface StateSeal {
  sessionId: string
  /** Peer ID of the author whose `sessions` entry claims the session (the view's recorder). */
  recorder: string | null
  /** That author's Ed25519 public key, when its peer ID carries one. */
  recorderKey: Uint8Array | null
  sealed: { manifest: string, merkleRoot: string, chunkCount: number, sealedAt: number } | null
  /** Other authors that claim the same session ID. */
  duplicateClaims: readonly string[]
}

/** Why a state entry is refused; each is recorded as an incident (the entry never leads to a fetch). */
export type StateSealRefusal = 'duplicate-claims' | 'session-id-reuse' | 'bad-manifest-cid' | 'no-recorder-key' | 'too-many-chunks'

export type StateSealVerdict =
  | { action: 'adopt', recorderKey: Uint8Array }
  /** Not sealed yet, or already known with this manifest: nothing to do (yet). */
  | { action: 'skip' }
  | { action: 'refuse', reason: StateSealRefusal, detail: string }

/** `knownManifest`: the manifest this node already knows for the session ID (announced, put here or adopted). */
export function checkStateSeal (s: StateSeal, knownManifest: string | undefined): StateSealVerdict {
  if (s.sealed === null || s.recorder === null) return { action: 'skip' }
  const manifest = s.sealed.manifest
  if (knownManifest === manifest) return { action: 'skip' }
  if (knownManifest !== undefined) {
    return { action: 'refuse', reason: 'session-id-reuse', detail: `the state seals session ${s.sessionId} with manifest ${manifest}, known here with ${knownManifest}` }
  }
  // Session IDs are single use: with several claims, which one is the session is not for this node to guess.
  if (s.duplicateClaims.length > 0) {
    return { action: 'refuse', reason: 'duplicate-claims', detail: `session ${s.sessionId} is claimed by ${s.recorder} and ${s.duplicateClaims.join(', ')}` }
  }
  let cid: CID | null = null
  try { cid = CID.parse(manifest) } catch { cid = null }
  if (cid === null || cid.version !== 1 || cid.code !== DAG_CBOR || cid.multihash.code !== 0x12 || cid.multihash.digest.length !== 32) {
    return { action: 'refuse', reason: 'bad-manifest-cid', detail: `manifest ${manifest} is not a CIDv1 dag-cbor sha2-256` }
  }
  if (s.recorderKey === null || s.recorderKey.length !== 32) {
    return { action: 'refuse', reason: 'no-recorder-key', detail: `recorder ${s.recorder} has no Ed25519 key in its peer ID` }
  }
  if (s.sealed.chunkCount > SWARM_MAX_CHUNKS) {
    return { action: 'refuse', reason: 'too-many-chunks', detail: `${s.sealed.chunkCount} chunks is over the swarm's ${SWARM_MAX_CHUNKS}` }
  }
  return { action: 'adopt', recorderKey: s.recorderKey }
}
