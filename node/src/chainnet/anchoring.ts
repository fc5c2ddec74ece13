/**
 * The node's anchoring, from a put to the anchor's final block in the session state (docs/chain.md, "Anchoring"):
 * sends registerSession, follows the transaction (AnchorTracker), and keeps every anchor that is not yet in a block
 * in the datastore (PendingAnchors), so that nothing is forgotten over a restart:
 *   - a submission the node refused (e.g. the chain account has no LUCID for gas yet) is kept as unsent and sent
 *     again, the oldest first, every `retryMs` until the node accepts it;
 *   - a sent transaction not yet in a block is followed again after a restart;
 *   - a transaction the chain lost (unknown to it for a few blocks: the node was killed before gossiping it) is sent
 *     again once, from the chain's pending nonce;
 *   - a transaction lost or reverted is first looked up by its session's registration: when the chain has the
 *     session registered by this node's account with this root (an earlier transaction of ours got in after all, or a
 *     reorg moved it), that registration is followed instead; one by another account or with another root is
 *     reported and not sent again once its block is final;
 *   - an anchor given up because its transaction was lost twice is looked up by its registration every `watchMs` (a
 *     lost transaction may still get in from another node's mempool): ours is then followed to its final block.
 * I/O is behind the sender, the chain view, the state and the manifest reader, so tests drive it with a scripted chain.
 */
import { bytesToHex } from '@ethereumjs/util'
import type { AnchorFinality, AnchorRecord } from '../../../crdt/schema.js'
import type { Manifest } from '../../../protocols/session/manifest.js'
import { AnchorTracker, type AnchorChainView, type Registration } from './anchor-tracker.js'
import type { PendingAnchors } from './pending-anchors.js'
import type { Submitted } from './anchorer.js'

/** Sends registerSession (the Anchorer). */
export interface AnchorSender {
  /** the chain account that signs the registrations */
  address: string
  submit: (manifest: Manifest, manifestHash: string) => Promise<Submitted>
  /** the next submission takes its nonce from the chain's pending count */
  resetNonce: () => void
}

/** What anchoring reads and writes of the session state (StateService). */
export interface AnchorState {
  anchored: (sessionId: string, anchor: AnchorRecord) => Promise<void>
  anchorFinal: (sessionId: string, finality: AnchorFinality) => Promise<void>
  /** this node's anchors recorded without a final block */
  anchorsAwaitingFinality: () => Array<{ sessionId: string, anchor: AnchorRecord }>
  /** whether this node's state already records the session's anchor */
  hasAnchor: (sessionId: string) => boolean
  /** records a 'duplicate-id' incident: the session ID is registered on chain by another account or with another root */
  duplicateId: (sessionId: string, subject: string, detail: string) => Promise<void>
}

export interface AnchoringInit {
  sender: AnchorSender
  view: AnchorChainView
  chainId: number
  pending: PendingAnchors
  state: AnchorState
  /** the session's manifest and its hash (hex) from the local store, or null when the node no longer has it */
  manifestOf: (sessionId: string) => Promise<{ manifest: Manifest, manifestHash: string } | null>
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, debug: (o: object, m: string) => void }
  now: () => number
  pollMs?: number
  retryMs?: number
  /** how often the anchors given up after two losses are looked up by their registration (default 30 s) */
  watchMs?: number
}

/** Registrations looked up per round of `recheckGivenUp` (the rest wait for the next rounds, in turn). */
const RECHECKS_PER_ROUND = 32

export class Anchoring {
  readonly tracker: AnchorTracker
  /** sessions whose submission the node refused, oldest first */
  private readonly unsent = new Set<string>()
  /** sessions sent again after a loss by this process (once each) */
  private readonly resent = new Set<string>()
  /** sessions given up after their transaction was lost twice, looked up again in turn (least recently first) */
  private readonly givenUp = new Set<string>()
  private retryTimer: NodeJS.Timeout | undefined
  private watchTimer: NodeJS.Timeout | undefined
  private retrying: Promise<void> | undefined
  private rechecking: Promise<void> | undefined

  constructor (private readonly init: AnchoringInit) {
    this.tracker = new AnchorTracker({
      view: init.view,
      chainId: init.chainId,
      record: {
        included: async (id, anchor) => {
          // recorded once (set once in the CRDT): a transaction sent again after a recorded one was reorged out and
          // lost leaves the first transaction in the record, and its final block is the new one's
          if (!init.state.hasAnchor(id)) await init.state.anchored(id, anchor)
          await init.pending.delete(id)
        },
        final: async (id, finality) => { await init.state.anchorFinal(id, finality) }
      },
      gone: async (id, tx, why) => {
        await this.settle(id, tx, why).catch((err: Error) => {
          // the chain could not be read: the same transaction is followed again, and settled again if still gone
          init.log.debug({ sessionId: id, tx, err: err.message }, 'anchor not settled yet')
          this.tracker.follow(id, tx, init.state.hasAnchor(id))
        })
      },
      log: init.log,
      now: init.now,
      pollMs: init.pollMs
    })
  }

  /** Resumes what a previous run left (see above) and starts following and retrying. */
  async start (): Promise<void> {
    const { state, pending, log, chainId } = this.init
    const abandoned = await pending.abandoned()
    for (const { sessionId, anchor } of state.anchorsAwaitingFinality()) {
      if (anchor.chainId === chainId && !abandoned.has(sessionId)) this.tracker.follow(sessionId, anchor.tx, true)
    }
    for (const [sessionId, why] of abandoned) if (why === 'lost') this.givenUp.add(sessionId)
    const { pending: kept, bad } = await pending.all()
    for (const key of bad) log.warn({ key, keptAs: await pending.setAside(key) }, 'unreadable pending anchor entry set aside')
    for (const { sessionId, tx } of kept) {
      if (state.hasAnchor(sessionId)) await pending.delete(sessionId)
      else if (tx === null) this.unsent.add(sessionId)
      else this.tracker.follow(sessionId, tx)
    }
    this.tracker.start()
    this.retryTimer = setInterval(() => { void this.retryUnsent() }, this.init.retryMs ?? 5000)
    this.retryTimer.unref()
    this.watchTimer = setInterval(() => { void this.recheckGivenUp() }, this.init.watchMs ?? 30_000)
    this.watchTimer.unref()
  }

  /** Anchors in this process: followed, and those waiting to be sent (the put that is refused stays queued). */
  get followed (): number { return this.tracker.pending.length + this.unsent.size }
  /** Anchors the node refused, waiting to be sent again. */
  get waiting (): number { return this.unsent.size }
  /** Anchors given up after two losses, still looked up by their registration. */
  get watched (): number { return this.givenUp.size }

  async stop (): Promise<void> {
    clearInterval(this.retryTimer)
    clearInterval(this.watchTimer)
    this.retryTimer = this.watchTimer = undefined
    await this.retrying
    await this.rechecking
    await this.tracker.stop()
  }

  /**
   * Registers a put session: resolves with the transaction once the node's mempool accepted it, or null when the
   * node refused it (kept and sent again later; the reason is logged).
   */
  async anchor (manifest: Manifest, manifestHash: string): Promise<Submitted | null> {
    const sent = await this.send(manifest, manifestHash)
    if (sent === null) {
      await this.init.pending.put(manifest.sessionId, null)
      this.unsent.add(manifest.sessionId)
    }
    return sent
  }

  /** `retry`: a refusal is logged at debug level (the first one was a warning; lucid_chain_anchors_unsent counts them). */
  private async send (manifest: Manifest, manifestHash: string, retry = false): Promise<Submitted | null> {
    const { sender, pending, log } = this.init
    let sent: Submitted
    try { sent = await sender.submit(manifest, manifestHash) } catch (err) {
      const fields = { sessionId: manifest.sessionId, err: (err as Error).message.split('\n')[0] }
      if (retry) log.debug(fields, 'anchor still not accepted by the node')
      else log.warn(fields, 'anchor not accepted by the node: sent again later')
      return null
    }
    log.info({ sessionId: manifest.sessionId, tx: sent.tx, submitMs: Math.round(sent.submitMs) }, 'anchor submitted')
    await pending.put(manifest.sessionId, sent.tx)
    this.tracker.follow(manifest.sessionId, sent.tx)
    return sent
  }

  /** Sends the unsent anchors again, oldest first, until the node refuses one (then the rest wait for the next round). */
  async retryUnsent (): Promise<void> {
    if (this.retrying !== undefined || this.unsent.size === 0) return
    this.retrying = (async () => {
      for (const sessionId of [...this.unsent]) {
        const read = await this.readManifest(sessionId)
        if (read === null) { this.unsent.delete(sessionId); continue }
        if (await this.send(read.manifest, read.manifestHash, true) === null) return
        this.unsent.delete(sessionId)
      }
    })().finally(() => { this.retrying = undefined })
    await this.retrying
  }

  /**
   * Looks up the registration of the anchors given up after two losses (RECHECKS_PER_ROUND of them, in turn): ours is
   * followed to its final block, another account's is reported; none yet, looked up again at a later round.
   */
  async recheckGivenUp (): Promise<void> {
    if (this.rechecking !== undefined || this.givenUp.size === 0) return
    this.rechecking = (async () => {
      for (const sessionId of [...this.givenUp].slice(0, RECHECKS_PER_ROUND)) {
        this.givenUp.delete(sessionId)
        const reg = await this.init.view.registration(sessionId).catch(() => null)
        if (reg === null) { this.givenUp.add(sessionId); continue } // to the back of the turn
        const read = await this.readManifest(sessionId)
        if (read === null) continue // given up for good (and marked so)
        if (await this.followIfOurs(sessionId, reg, read, { givenUp: true })) continue
        if (await this.isFinal(reg).catch(() => false)) await this.refuse(sessionId, reg, null)
        else this.givenUp.add(sessionId) // another account's registration may still be reorged out
      }
    })().finally(() => { this.rechecking = undefined })
    await this.rechecking
  }

  /** The tracker no longer follows `tx`: follow our registration, report another's, or send again (see above). */
  private async settle (sessionId: string, tx: string, why: 'lost' | 'reverted'): Promise<void> {
    const read = await this.readManifest(sessionId)
    if (read === null) return
    const reg = await this.init.view.registration(sessionId)
    if (reg !== null) {
      if (await this.followIfOurs(sessionId, reg, read, { [why]: tx })) return
      // another account's registration is acted on once final (a failed transaction of ours in a final block means
      // the one before it is final too); before that a reorg may still take it out, so a lost anchor goes on as if
      // the ID were free (what is sent again fails if that registration stays, and is settled then)
      if (why === 'reverted' || await this.isFinal(reg)) { await this.refuse(sessionId, reg, tx); return }
    } else if (why === 'reverted') {
      this.init.log.warn({ sessionId, tx }, 'anchor reverted in a final block: the session is not anchored')
      await this.init.pending.abandon(sessionId, 'settled')
      return
    }
    await this.resend(sessionId, read)
  }

  private async isFinal (reg: Registration): Promise<boolean> { return reg.block <= await this.init.view.finalizedNumber() }

  /** When `reg` is this node's registration of the session with its root: followed (and no longer given up). */
  private async followIfOurs (sessionId: string, reg: Registration, read: { manifest: Manifest }, context: object): Promise<boolean> {
    if (!isOurs(reg, this.init.sender.address, read.manifest.merkleRoot)) return false
    const included = this.init.state.hasAnchor(sessionId)
    await this.init.pending.resume(sessionId, included ? null : reg.tx)
    this.tracker.follow(sessionId, reg.tx, included)
    this.init.log.info({ sessionId, tx: reg.tx, block: reg.block, ...context }, 'anchor found in the session\'s registration')
    return true
  }

  /** The session ID is registered by another account or with another root: reported, recorded, given up. */
  private async refuse (sessionId: string, reg: Registration, tx: string | null): Promise<void> {
    const registrant = reg.registrant.toLowerCase()
    this.init.log.warn({ sessionId, tx, registrant: reg.registrant, merkleRoot: reg.merkleRoot, registeredBy: reg.tx },
      'session ID already registered by another account or with another root: the session is not anchored')
    await this.init.state.duplicateId(sessionId, registrant, `registered on chain by ${registrant} with root ${reg.merkleRoot.toLowerCase()} (transaction ${reg.tx}): this node's anchor${tx === null ? '' : ' ' + tx} is refused`)
    await this.init.pending.abandon(sessionId, 'settled')
  }

  /** The tracker gave up a transaction the chain never knew: sent again once, from the chain's pending nonce. */
  private async resend (sessionId: string, read: { manifest: Manifest, manifestHash: string }): Promise<void> {
    if (this.resent.has(sessionId)) {
      this.init.log.warn({ sessionId }, 'anchor lost again and not sent a third time: given up, its registration still looked for')
      await this.init.pending.abandon(sessionId, 'lost')
      this.givenUp.add(sessionId)
      return
    }
    this.resent.add(sessionId)
    this.init.sender.resetNonce() // the lost transaction's nonce was never used
    if (await this.send(read.manifest, read.manifestHash) === null) {
      await this.init.pending.put(sessionId, null)
      this.unsent.add(sessionId)
    }
  }

  /** The manifest, or null (pending entry dropped, warned) when the node no longer has it. */
  private async readManifest (sessionId: string): Promise<{ manifest: Manifest, manifestHash: string } | null> {
    const read = await this.init.manifestOf(sessionId).catch(() => null)
    if (read === null) {
      this.init.log.warn({ sessionId }, 'anchor not sent: the session\'s manifest is no longer stored here')
      await this.init.pending.abandon(sessionId, 'settled')
    }
    return read
  }
}

function isOurs (reg: Registration, address: string, merkleRoot: Uint8Array): boolean {
  return reg.registrant.toLowerCase() === address.toLowerCase() && reg.merkleRoot.toLowerCase() === bytesToHex(merkleRoot)
}
