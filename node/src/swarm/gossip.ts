/**
 * Gossip: subscribes to the Lucid topics and validates every message in gossipsub's validation hook before it is
 * delivered or forwarded. A Reject verdict makes gossipsub count an invalid delivery against the sender (P4), which
 * lowers its peer score; Ignore drops without penalty (duplicates). Accepted messages are handed to the node here.
 *
 * Retransmissions: the origin re-publishes an announcement a few times (node.ts RETRANSMIT_MS) for peers whose mesh
 * was still forming. Each re-publish is a new gossip message carrying the same announcement bytes. These used to be
 * Ignored by every node that already had the session, and an Ignored message is not forwarded, so a retransmission
 * never got past the origin's direct peers: a node two hops away that missed the first copy never learned the
 * session (bench/swarm/announce.bench.ts). A byte-identical copy of an announcement this node accepted less than
 * FORWARD_COPIES_MS ago is now Accepted without being decoded again (it is forwarded, not processed twice); later
 * copies are Ignored, so a replayed announcement cannot be re-flooded through the swarm forever.
 */
import { createHash } from 'node:crypto'
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { TOPIC_ANNOUNCE, TOPIC_HEARTBEAT, TOPICS } from '../../../protocols/swarm/constants.js'
import { opensslVerify } from '../state/ed25519-verify.js'
import { checkSingleUse, decodeAnnouncement, type Announcement, type SignedAnnouncement, type SingleUse } from '../../../protocols/swarm/announcement.js'
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../../protocols/swarm/heartbeat.js'

export interface GossipHandlers {
  knownManifest: (sessionId: string) => string | undefined
  /**
   * The session is known here only from the session state (no announcement stored) with this manifest, root, recorder
   * and chunk count: the announcement is then processed (and forwarded) like a new one instead of being ignored as a
   * duplicate.
   */
  awaitsAnnouncement?: (a: Announcement) => boolean
  /** A new, valid announcement: the node records the session (synchronously claiming its ID) and replicates. */
  onAnnouncement: (signed: SignedAnnouncement, encoded: Uint8Array, from: string) => void
  onConflict: (signed: SignedAnnouncement, from: string, knownManifest: string) => void
  onHeartbeat: (from: string, hb: Heartbeat) => void
}

export interface GossipCounters {
  received: (topic: string) => void
  published: (topic: string) => void
  rejected: (topic: string, reason: string) => void
}

export interface GossipLog { debug: (obj: object, msg: string) => void, warn: (obj: object, msg: string) => void }

/** How long after accepting an announcement this node forwards byte-identical copies of it (the retransmissions). */
export const FORWARD_COPIES_MS = 60_000
/** Accepted announcements remembered for forwarding copies (the oldest are forgotten first). */
const MAX_REMEMBERED = 4096

function digestOf (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64')
}

export class Gossip {
  /** sha256 of each recently accepted announcement → when it was accepted (insertion order = age). */
  private readonly accepted = new Map<string, number>()

  constructor (
    private readonly pubsub: GossipSub,
    private readonly handlers: GossipHandlers,
    private readonly counters: GossipCounters,
    private readonly log: GossipLog,
    private readonly now: () => number
  ) {}

  start (): void {
    this.pubsub.topicValidators.set(TOPIC_ANNOUNCE, (peer, msg) => this.validateAnnouncement(peer, msg))
    this.pubsub.topicValidators.set(TOPIC_HEARTBEAT, (peer, msg) => this.validateHeartbeat(peer, msg))
    for (const t of TOPICS) this.pubsub.subscribe(t)
  }

  stop (): void {
    for (const t of TOPICS) {
      this.pubsub.topicValidators.delete(t)
      try { this.pubsub.unsubscribe(t) } catch { /* already stopped */ }
    }
  }

  private reject (topic: string, reason: string, detail: string, peer: PeerId): TopicValidatorResult {
    this.counters.rejected(topic, reason)
    this.log.warn({ topic, reason, detail, peer: peer.toString() }, 'gossip message rejected')
    return TopicValidatorResult.Reject
  }

  validateAnnouncement (peer: PeerId, msg: Message): TopicValidatorResult {
    this.counters.received(TOPIC_ANNOUNCE)
    const digest = digestOf(msg.data)
    const acceptedAt = this.accepted.get(digest)
    if (acceptedAt !== undefined) {
      // A copy of an announcement already verified and recorded here: forward it while it is recent.
      return this.now() - acceptedAt < FORWARD_COPIES_MS ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore
    }
    const verdict = decodeAnnouncement(msg.data, this.now(), opensslVerify)
    if (!verdict.ok) return this.reject(TOPIC_ANNOUNCE, verdict.reason, verdict.detail, peer)
    const a = verdict.value.announcement
    const known = this.handlers.knownManifest(a.sessionId)
    const use: SingleUse = checkSingleUse(known, a)
    if (use === 'duplicate' && this.handlers.awaitsAnnouncement?.(a) !== true) return TopicValidatorResult.Ignore
    const from = msg.type === 'signed' ? msg.from.toString() : peer.toString()
    if (use === 'conflict') {
      this.handlers.onConflict(verdict.value, from, known as string)
      return this.reject(TOPIC_ANNOUNCE, 'session-id-reuse', `session ${a.sessionId} is already announced with manifest ${known as string}`, peer)
    }
    this.handlers.onAnnouncement(verdict.value, msg.data, from)
    this.remember(digest)
    return TopicValidatorResult.Accept
  }

  private remember (digest: string): void {
    this.accepted.set(digest, this.now())
    while (this.accepted.size > MAX_REMEMBERED) this.accepted.delete(this.accepted.keys().next().value as string)
  }

  validateHeartbeat (peer: PeerId, msg: Message): TopicValidatorResult {
    this.counters.received(TOPIC_HEARTBEAT)
    if (msg.type !== 'signed') return this.reject(TOPIC_HEARTBEAT, 'unsigned', 'heartbeats must be signed by their sender', peer)
    const verdict = decodeHeartbeat(msg.data)
    if (!verdict.ok) return this.reject(TOPIC_HEARTBEAT, verdict.reason, verdict.detail, peer)
    this.handlers.onHeartbeat(msg.from.toString(), verdict.value)
    return TopicValidatorResult.Accept
  }

  async publishAnnouncement (encoded: Uint8Array): Promise<number> {
    // Our own announcements are known here: copies that come back are forwarded like any other node's.
    const digest = digestOf(encoded)
    if (!this.accepted.has(digest)) this.remember(digest)
    const r = await this.pubsub.publish(TOPIC_ANNOUNCE, encoded)
    this.counters.published(TOPIC_ANNOUNCE)
    return r.recipients.length
  }

  async publishHeartbeat (hb: Heartbeat): Promise<void> {
    await this.pubsub.publish(TOPIC_HEARTBEAT, encodeHeartbeat(hb))
    this.counters.published(TOPIC_HEARTBEAT)
  }
}
