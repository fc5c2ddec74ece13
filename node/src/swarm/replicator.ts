/**
 * Replication and repair: on every tick, plan() (protocols/swarm/repair.ts) says per session whether this node must
 * fetch it, keep it or hand it over. A fetch gets the manifest and every chunk over bitswap from the known holders,
 * checks the manifest against the session's record (its announcement, or its seal in the session state for a session
 * adopted from there), each blob against its CID (BlockStore.getChecked) and all of them against the Merkle root, and
 * only then pins the session; a manifest that does not match is refused for good (an incident). A drop marks the session not held at once and unpins it
 * (gc deletes the blocks later) once the chain no longer owes it: while the chain's catalog still lists this node as a
 * holder, or a challenge to it is open, the blocks stay pinned so the node can still answer (its storage duties
 * release the claim as soon as the session is not held).
 */
import { CID } from 'multiformats/cid'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { decodeSignedManifest, type Manifest } from '../../../protocols/session/manifest.js'
import { SessionVerifier } from '../../../protocols/session/verify.js'
import { leafHash } from '../../../protocols/session/merkle.js'
import { toHex } from '../../../protocols/session/bytes.js'
import { plan, type Decision } from '../../../protocols/swarm/repair.js'
import type { SessionIndex, SessionRecord } from '../store/session-index.js'
import type { BlockStore } from '../store/block-store.js'
import type { Membership } from './membership.js'

/** Chunks fetched in parallel per session (bench/swarm/replication.bench.ts). */
export const FETCH_PARALLEL = 16

/**
 * The session's manifest is not what its record says (signature, session ID, root, recorder or chunk count). The
 * manifest is fetched by CID, so the same bytes come back on every try: the session is refused, not retried.
 */
export class ManifestMismatchError extends Error { constructor (m: string) { super(m); this.name = 'ManifestMismatchError' } }

export interface ReplicatorDeps {
  self: string
  index: SessionIndex
  blocks: BlockStore
  membership: Membership
  replication: number
  dial: (addr: Multiaddr) => Promise<void>
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
  /** Called when what this node holds changed (to send a heartbeat at once). */
  onHeldChanged: () => void
  fetchTimeoutMs?: number
  concurrency?: number
  /** Whether the chain still owes this session's blocks (lists this node as a holder or challenges it); none: never. */
  owed?: (sessionId: string) => boolean
  /** A session whose manifest does not match its record (announcement or session state): never fetched again. */
  onRefused?: (rec: SessionRecord, detail: string) => void
}

export class Replicator {
  readonly inFlight = new Set<string>()
  /** Sessions whose manifest did not match their record (ManifestMismatchError). */
  readonly refused = new Set<string>()
  private readonly failures = new Map<string, number>()
  lastPlan: Decision[] = []
  deficit = 0
  private running = false
  private stopped = false
  /** Dropped sessions whose blocks stay pinned until the chain no longer owes them (null: not read from the store yet). */
  private retained: Set<string> | null = null

  constructor (private readonly d: ReplicatorDeps) {}

  stop (): void { this.stopped = true }

  /** Addresses to fetch a session from: live holders first, then the origin's announced ones. */
  providers (rec: SessionRecord): Multiaddr[] {
    const out: Multiaddr[] = []
    // One address per peer, plain TCP first: several addresses of one peer make bitswap open several connections to
    // it, and wants sent on one while blocks come back on another were lost (measured in bench/swarm/replication).
    const add = (peer: string, addrs: string[]): void => {
      const sorted = [...addrs].sort((x, y) => Number(x.includes('/ws')) - Number(y.includes('/ws')))
      for (const a of sorted) {
        try { out.push(multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${peer}`)); return } catch { /* try the next address */ }
      }
    }
    for (const h of this.d.membership.holdersOf(rec.sessionId)) if (h !== this.d.self) add(h, this.d.membership.info(h)?.addrs ?? [])
    if (rec.origin !== this.d.self) add(rec.origin, this.d.membership.info(rec.origin)?.addrs ?? rec.addrs)
    return out
  }

  decisions (): Decision[] {
    const members = this.d.membership.members()
    return plan({
      self: this.d.self,
      members,
      replication: this.d.replication,
      sessions: this.d.index.list().map((r) => {
        const holders = this.d.membership.holdersOf(r.sessionId)
        if (r.held) holders.add(this.d.self)
        return { sessionId: r.sessionId, heldBySelf: r.held, holders }
      })
    })
  }

  async tick (): Promise<void> {
    if (this.running || this.stopped) return
    this.running = true
    try {
      await this.retainedSessions() // before any fetch starts: a fetch pins before it marks the session held
      const decisions = this.decisions()
      this.lastPlan = decisions
      this.deficit = decisions.reduce((s, d) => s + d.deficit, 0)
      const limit = this.d.concurrency ?? 2
      for (const dec of decisions) {
        if (this.stopped) break
        if (dec.action === 'fetch' && !this.inFlight.has(dec.sessionId) && !this.refused.has(dec.sessionId) && this.inFlight.size < limit) {
          const rec = this.d.index.get(dec.sessionId)
          if (rec === undefined) continue
          this.inFlight.add(dec.sessionId)
          void this.fetch(rec).finally(() => this.inFlight.delete(dec.sessionId))
        } else if (dec.action === 'drop') {
          const rec = this.d.index.get(dec.sessionId)
          if (rec === undefined) continue
          // not held first (the chain duties release the claim), unpinned once nothing is owed; a crash in between
          // leaves a pinned session that is not held, which the next start finds (retainedSessions)
          await this.d.index.setHeld(rec.sessionId, false)
          ;(await this.retainedSessions()).add(rec.sessionId)
          this.d.log.info({ sessionId: rec.sessionId, desired: dec.desired }, 'handed session over to its desired holders')
          this.d.onHeldChanged()
        }
      }
      await this.unpinReleased()
    } finally {
      this.running = false
    }
  }

  /**
   * The dropped sessions still pinned: on first use, the pinned sessions that are not held (one pass over the pins,
   * which are the held and retained sessions, not over every session the node knows).
   */
  private async retainedSessions (): Promise<Set<string>> {
    if (this.retained !== null) return this.retained
    const found = new Set<string>()
    for await (const id of this.d.blocks.pinnedSessions()) {
      const rec = this.d.index.get(id)
      if (rec !== undefined && !rec.held) found.add(id)
    }
    this.retained ??= found
    return this.retained
  }

  /** Unpins the dropped sessions the chain no longer owes (a session held again is no longer retained). */
  private async unpinReleased (): Promise<void> {
    for (const id of await this.retainedSessions()) {
      const rec = this.d.index.get(id)
      if (rec === undefined || rec.held) { this.retained?.delete(id); continue }
      // fetched again (pinned, about to be marked held) or still owed on chain: keep
      if (this.inFlight.has(id) || this.d.owed?.(id) === true) continue
      await this.d.blocks.unpin(CID.parse(rec.manifest))
      this.retained?.delete(id)
      this.d.log.info({ sessionId: id }, 'unpinned a handed-over session (no holding claim or challenge left on chain)')
    }
  }

  /** Sessions handed over but still pinned because the chain owes them (counted from the first tick on). */
  get retainedCount (): number {
    return this.retained?.size ?? 0
  }

  async fetch (rec: SessionRecord): Promise<void> {
    const started = performance.now()
    try {
      await this.replicate(rec)
      this.failures.delete(rec.sessionId)
      this.d.log.info({ sessionId: rec.sessionId, seconds: (performance.now() - started) / 1000 }, 'replica fetched, verified and pinned')
      this.d.onHeldChanged()
    } catch (err) {
      if (err instanceof ManifestMismatchError) {
        this.refused.add(rec.sessionId)
        this.d.log.warn({ sessionId: rec.sessionId, err: err.message }, 'replica refused: its manifest does not match the session record')
        this.d.onRefused?.(rec, err.message)
        return
      }
      const n = (this.failures.get(rec.sessionId) ?? 0) + 1
      this.failures.set(rec.sessionId, n)
      this.d.log.warn({ sessionId: rec.sessionId, attempt: n, err: (err as Error).message }, 'replica fetch failed; will retry')
    }
  }

  private async replicate (rec: SessionRecord): Promise<void> {
    const providers = this.providers(rec)
    await Promise.allSettled(providers.slice(0, 4).map(async (a) => { await this.d.dial(a) }))
    const signal = AbortSignal.timeout(this.d.fetchTimeoutMs ?? 600_000)
    const manifestCid = CID.parse(rec.manifest)
    const encoded = await this.d.blocks.getPatiently(manifestCid, { providers, signal })
    const manifest = checkManifest(encoded, rec)
    const verifier = new SessionVerifier(manifest)
    let blobBytes = 0
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < manifest.chunkCount) {
        const i = next++
        // getChecked returns only bytes that match the chunk's CID (checked by Helia on arrival, or hashed here when
        // read from the local store), so the verifier is given that CID instead of hashing the blob a third time; it
        // still checks every chunk's BLAKE3 leaf against the manifest's Merkle root in finish().
        const cid = manifest.chunks[i]
        const blob = await this.d.blocks.getChecked(cid, { providers, signal })
        blobBytes += blob.length
        const report = verifier.record(i, { size: blob.length, cid, leaf: leafHash(blob) })
        if (!report.ok) throw new Error(report.error ?? `chunk ${i} failed`)
      }
    }
    await Promise.all(Array.from({ length: Math.min(FETCH_PARALLEL, manifest.chunkCount) }, worker))
    const report = verifier.finish()
    if (!report.ok) throw new Error(report.errors[0] ?? 'verification failed')
    await this.d.blocks.pin(manifestCid, rec.sessionId)
    // a record adopted from the session state did not know its size (no announcement): the replica measured it
    await this.d.index.setHeld(rec.sessionId, true, rec.storedBytes === 0 ? encoded.length + blobBytes : undefined)
  }
}

/** The manifest block, signed by the recorder, must be the session of the record (from its announcement or the state). */
function checkManifest (encoded: Uint8Array, rec: SessionRecord): Manifest {
  const from = rec.announcement === '' ? 'the session state' : 'the announcement'
  let manifest: Manifest
  try { manifest = decodeSignedManifest(encoded).manifest } catch (err) { throw new ManifestMismatchError(`manifest refused: ${(err as Error).message}`) }
  if (manifest.sessionId !== rec.sessionId) throw new ManifestMismatchError('manifest is for another session')
  if (toHex(manifest.merkleRoot) !== rec.merkleRoot) throw new ManifestMismatchError(`manifest Merkle root differs from ${from}`)
  if (toHex(manifest.recorder) !== rec.recorder) throw new ManifestMismatchError(`manifest recorder differs from ${from}`)
  if (manifest.chunkCount !== rec.chunkCount) throw new ManifestMismatchError(`manifest chunk count differs from ${from}`)
  return manifest
}
