/**
 * The in-memory, virtual-time harness: N nodes run the PoOT rules over a simulated network with injected delays,
 * drops, crashes and Byzantine behaviour. No sockets, no EVM, no clock: everything is an event in `EventQueue`, and
 * every random draw comes from the seed, so a run is a pure function of its options.
 *
 * Sharing: applying a block is a pure function of (parent state, block), so the harness applies each block once and
 * hands the same state object to every node that receives it (as if each had computed it). Each node still keeps its
 * own view: which blocks arrived (and when), its fork choice, finality, and the proofs it has seen.
 */
import { buildFixture, type Fixture, type FixtureOptions } from './fixture.js'
import { EventQueue } from './event-queue.js'
import { DEFAULT_NETWORK, deliveryDelay, type NetworkModel } from './network.js'
import { hash32 } from './prng.js'
import { genesisState, type ChainState, isAncestor } from '../state.js'
import { ForkChoice } from '../fork-choice.js'
import { applyBlock } from '../transition.js'
import { blockHash, headerHash, type Block, type EquivocationEvidence, type SessionAnchor, type SignedHeader, type VoteEvidence } from '../block.js'
import { validateVoteEvidence } from '../vote-evidence.js'
import { makeBlock } from '../make-block.js'
import { scheduleFor } from '../schedule.js'
import { validateArrival, validateEquivocation } from '../header-rules.js'
import { selectProofs } from '../select-proofs.js'
import type { Attestation, TaskProof } from '../proofs.js'
import { makeAttestation, makeHeartbeat, makeRelayReceipt, makeStorageProof, makeVote } from '../make-proofs.js'
import { beatsOfSlot, slotStartMs, type PootParams } from '../params.js'
import { inclusionProof } from '../merkle.js'
import type { Result } from '../validity.js'
import type { AnchorLookup } from '../anchors.js'
import type { PootConfig } from '../config.js'
import type { NodeKey } from '../keys.js'

export type Behaviour = 'honest' | 'silent' | 'equivocate' | 'double-vote' | 'forge'

export interface HarnessOptions extends FixtureOptions {
  readonly network?: Partial<NetworkModel>
  /** Behaviour per node index; the rest are honest. */
  readonly behaviours?: Readonly<Record<number, Behaviour>>
  /** Nodes offline from the start of `fromSlot` until the start of `toSlot` (for ever if absent). */
  readonly crashes?: ReadonlyArray<{ readonly node: number, readonly fromSlot: number, readonly toSlot?: number }>
  readonly serverDown?: boolean
  /** Each slot's block anchors 0 … sessionsPerSlot sessions (drawn from the seed). */
  readonly sessionsPerSlot?: number
  readonly relaysPerSlot?: number
}

interface SimNode {
  readonly index: number
  readonly key: NodeKey
  readonly entity: string
  readonly member: number
  readonly behaviour: Behaviour
  online: boolean
  readonly fc: ForkChoice
  readonly orphans: Map<string, Block[]>
  /** First header seen per (slot, proposer), to spot a second one. */
  readonly firstHeader: Map<string, SignedHeader>
  /** First vote seen per (node, slot), to spot a second one. */
  readonly firstVote: Map<string, Attestation>
  lastAttestedSlot: number
  readonly answered: Set<string>
}

/** `replay`: a forger's second copy of its own real proof (only a forgery where the original was counted first). */
interface Pooled<T> { readonly item: T, readonly id: number, readonly from: number, readonly time: number, readonly forged: boolean, readonly replay?: boolean, judged: boolean }

export interface HarnessStats {
  blocksProposed: number
  /** Reasons honest nodes gave when refusing a block (counted per receiving node). */
  readonly rejectedBlocks: Map<string, number>
  /** Reasons proposers gave when refusing a forged proof (each forged proof judged once). */
  readonly rejectedForgedProofs: Map<string, number>
  forgedProofsAccepted: number
  /**
   * A forger's replayed copy that reached a proposer whose network dropped the original: the proposer counts it as
   * the original it is (same signed content, counted once), so it is no forgery accepted.
   */
  replaysCountedAsOriginal: number
  /** (slot, proposer) pairs for which some node produced equivocation evidence. */
  readonly equivocations: Set<string>
  /** (node, slot) pairs for which some proposer produced double-vote evidence. */
  readonly doubleVotes: Set<string>
  /** Times a node's finalized block moved to a block that does not descend from the previous one (must stay 0). */
  finalityReverts: number
}

function bump (m: Map<string, number>, key: string): void { m.set(key, (m.get(key) ?? 0) + 1) }

export class Harness {
  readonly fixture: Fixture
  readonly config: PootConfig
  readonly params: PootParams
  readonly queue = new EventQueue()
  readonly genesis: ChainState
  readonly nodes: SimNode[]
  readonly stats: HarnessStats = { blocksProposed: 0, rejectedBlocks: new Map(), rejectedForgedProofs: new Map(), forgedProofsAccepted: 0, replaysCountedAsOriginal: 0, equivocations: new Set(), doubleVotes: new Set(), finalityReverts: 0 }
  private readonly net: NetworkModel
  private readonly seed: number
  private readonly applied = new Map<string, Result<ChainState>>()
  private pool: Array<Pooled<TaskProof>> = []
  private evidencePool: Array<Pooled<EquivocationEvidence>> = []
  private voteEvidencePool: Array<Pooled<VoteEvidence>> = []
  private msgSeq = 0
  private nextSlot = 1

  constructor (private readonly opts: HarnessOptions) {
    this.fixture = buildFixture(opts)
    this.config = this.fixture.config
    this.params = this.config.params
    this.seed = opts.seed
    this.net = { ...DEFAULT_NETWORK, ...opts.network }
    this.genesis = genesisState(this.config)
    this.nodes = this.fixture.keys.map((key, index) => ({
      index,
      key,
      entity: this.fixture.entityOf[index],
      member: this.fixture.memberIndex[index],
      behaviour: index === opts.nodes ? 'honest' : opts.behaviours?.[index] ?? 'honest',
      online: !(index === opts.nodes && opts.serverDown === true),
      fc: new ForkChoice(this.genesis),
      orphans: new Map(),
      firstHeader: new Map(),
      firstVote: new Map(),
      lastAttestedSlot: 0,
      answered: new Set()
    }))
    this.queue.now = this.config.genesisMs
  }

  get serverIndex (): number { return this.opts.nodes }

  slotStart (slot: number): number { return slotStartMs(this.config.genesisMs, this.params, slot) }

  /** Runs every slot before `slot` to its end. */
  runUntilSlot (slot: number): void {
    for (; this.nextSlot < slot; this.nextSlot++) {
      this.scheduleSlot(this.nextSlot)
      this.queue.runUntil(this.slotStart(this.nextSlot + 1))
    }
  }

  crash (node: number): void { this.nodes[node].online = false }

  /** Brings a node back and lets it catch up from the first online honest peer. */
  recover (node: number): void {
    const n = this.nodes[node]
    n.online = true
    const peer = this.nodes.find((p) => p !== n && p.online && p.behaviour === 'honest')
    if (peer === undefined) return
    for (const state of peer.fc.states()) if (state.header !== null) this.receive(n, this.blockOf(state.hash))
  }

  head (node: number): ChainState { return this.nodes[node].fc.head }
  finalized (node: number): ChainState { return this.nodes[node].fc.finalized }
  blockOf (hash: string): Block { return this.blocks.get(hash) as Block }
  readonly blocks = new Map<string, Block>()

  /** States from the first block to `state`. */
  static chainOf (state: ChainState): ChainState[] {
    const out: ChainState[] = []
    for (let s: ChainState | null = state; s !== null && s.header !== null; s = s.parent) out.push(s)
    return out.reverse()
  }

  private scheduleSlot (slot: number): void {
    const start = this.slotStart(slot)
    const { params } = this
    for (const c of this.opts.crashes ?? []) {
      if (c.fromSlot === slot) this.queue.at(start, () => this.crash(c.node))
      if (c.toSlot === slot) this.queue.at(start, () => this.recover(c.node))
    }
    this.queue.at(start, () => this.prune(slot))
    for (const beat of beatsOfSlot(params, slot)) {
      this.queue.at(this.config.genesisMs + beat * params.heartbeatIntervalMs, () => this.heartbeats(slot, beat))
    }
    this.queue.at(start + 1, () => this.relays(slot))
    for (let rank = 0; rank <= params.maxFallbacks + 1; rank++) {
      this.queue.at(start + rank * params.slotTimeoutMs, () => this.proposeTurn(slot, rank))
    }
    const lastTurn = (params.maxFallbacks + 1) * params.slotTimeoutMs
    this.queue.at(start + lastTurn + Math.floor((params.slotMs - lastTurn) / 2), () => this.attest(slot))
  }

  private active (n: SimNode): boolean { return n.online && n.behaviour !== 'silent' }

  private publish (from: number, proof: TaskProof, forged = false, replay = false): void {
    this.pool.push({ item: proof, id: this.msgSeq++, from, time: this.queue.now, forged, replay, judged: false })
  }

  private prune (slot: number): void {
    const keep = slot - this.params.maxProofAgeSlots - this.params.challengeResponseSlots - 1
    this.pool = this.pool.filter((e) => e.item.slot >= keep)
    this.evidencePool = this.evidencePool.filter((e) => e.item.a.header.slot >= slot - this.params.epochSlots)
    this.voteEvidencePool = this.voteEvidencePool.filter((e) => e.item.a.slot >= slot - this.params.epochSlots)
  }

  private heartbeats (slot: number, beat: number): void {
    for (const n of this.nodes) {
      if (!this.active(n) || n.index === this.serverIndex) continue
      if (n.behaviour === 'forge') this.forgeProofs(n, slot, beat)
      const real = makeHeartbeat(n.key, slot, beat, n.fc.head)
      this.publish(n.index, real)
      if (n.behaviour === 'forge') this.publish(n.index, { ...real }, true, true) // a replay: duplicate
    }
  }

  /** One proof of every invalid kind a forger can make without other nodes' help (published before its real heartbeat). */
  private forgeProofs (n: SimNode, slot: number, beat: number): void {
    const real = makeHeartbeat(n.key, slot, beat, n.fc.head)
    const flipped = new Uint8Array(real.sig); flipped[0] ^= 1
    this.publish(n.index, { ...real, sig: flipped }, true) // bad-signature
    const source = n.fc.head.justified[0]
    this.publish(n.index, makeAttestation(n.key, slot + 3, '11'.repeat(32), source), true) // future-slot
    this.publish(n.index, makeHeartbeat(n.key, slot, beat + 1_000_000, n.fc.head), true) // beat-not-in-slot
    this.publish(n.index, makeHeartbeat(n.key, slot, beat, { slot: n.fc.head.slot, hash: '22'.repeat(32) }), true) // unknown-ref
    const partner = this.nodes[(n.index + 1) % this.opts.nodes]
    this.publish(n.index, makeRelayReceipt(n.key, n.key, slot, 1 << 20), true) // self-relay
    const receipt = makeRelayReceipt(n.key, partner.key, slot, 1 << 20)
    this.publish(n.index, { ...receipt, receiverSig: receipt.sig }, true) // bad-receiver-signature
    this.publish(n.index, makeAttestation(n.key, Math.max(0, slot - 1), '00'.repeat(32), source), true) // unknown-target
    this.publish(n.index, makeStorageProof(n.key, { slot, index: 99, sessionId: 'none', chunkIndex: 0, sample: 0 }, new Uint8Array(1), []), true) // unknown-challenge
  }

  private relays (slot: number): void {
    const count = this.opts.relaysPerSlot ?? 0
    for (let i = 0; i < count; i++) {
      const a = this.nodes[hash32(this.seed, slot, i, 11) % this.opts.nodes]
      const b = this.nodes[hash32(this.seed, slot, i, 12) % this.opts.nodes]
      if (!this.active(a) || !this.active(b) || a.entity === b.entity) continue
      this.publish(a.index, makeRelayReceipt(a.key, b.key, slot, (1 + (hash32(this.seed, slot, i, 13) % 8)) << 20))
    }
  }

  private attest (slot: number): void {
    for (const n of this.nodes) {
      if (!this.active(n) || n.index === this.serverIndex) continue
      const head = n.fc.head
      // A forger attests only falsely (forgeProofs), so its bogus attestation is not mistaken for a duplicate.
      if (slot > n.lastAttestedSlot && n.behaviour !== 'forge') {
        this.publish(n.index, makeVote(n.key, head, slot))
        // A double voter also votes for its head's parent in the same slot.
        if (n.behaviour === 'double-vote' && head.parent !== null) this.publish(n.index, makeVote(n.key, head.parent, slot))
        n.lastAttestedSlot = slot
      }
      for (const c of head.openChallenges) {
        const id = `${c.slot}/${c.index}`
        if (c.holder !== n.key.id || n.answered.has(id)) continue
        n.answered.add(id)
        const data = this.fixture.blobs.get(c.sessionId)
        if (data === undefined) continue
        this.publish(n.index, makeStorageProof(n.key, c, data.blobs[c.chunkIndex], inclusionProof(data.leaves, c.chunkIndex)))
      }
    }
  }

  private sessionsFor (slot: number): SessionAnchor[] {
    const max = this.opts.sessionsPerSlot ?? 0
    const count = max === 0 ? 0 : hash32(this.seed, slot, 21) % (max + 1)
    return Array.from({ length: count }, (_, i) => ({ sessionId: `slot-${slot}-${i}`, bytes: 1_000_000 * (1 + (hash32(this.seed, slot, i, 22) % 20)) }))
  }

  /**
   * The registrations a block at `slot` on `parent` is checked against: the catalog's, and the sessions drawn for the
   * slot, which the simulated chain (no EVM) treats as registered by the parent block with their drawn bytes.
   */
  anchorsFor (parent: ChainState, slot: number): AnchorLookup {
    const drawn = this.sessionsFor(slot)
    if (drawn.length === 0) return this.fixture.anchors
    const out = new Map(this.fixture.anchors)
    for (const s of drawn) out.set(s.sessionId, { root: new Uint8Array(32), chunkCount: 0, registeredAt: parent.height, bytes: s.bytes })
    return out
  }

  private proposeTurn (slot: number, rank: number): void {
    for (const n of this.nodes) {
      if (!this.active(n)) continue
      const head = n.fc.head
      if (head.slot >= slot) continue
      const schedule = scheduleFor(head, slot, this.config)
      if (schedule[rank] !== n.entity) continue
      const entity = this.config.registry.byId.get(n.entity)
      if (entity === undefined) continue
      // A pool acts through its first available member, which gathers the other members' signatures.
      const members = this.nodes.filter((m) => m.entity === n.entity && this.active(m))
      if (members[0] !== n || members.length < entity.threshold) continue
      const signers = members.slice(0, entity.threshold).map((m) => ({ member: m.member, key: m.key }))
      const body = {
        proofs: this.selectProofs(n, head, slot),
        sessions: n.entity === 'server' ? [] : this.sessionsFor(slot),
        evidence: this.selectEvidence(n, head, slot),
        voteEvidence: this.selectVoteEvidence(head, slot)
      }
      const proposal = { parentHash: head.hash, slot, rank, timeMs: this.queue.now, proposer: n.entity, signers, body }
      this.broadcast(n, makeBlock(proposal))
      if (n.behaviour === 'equivocate') this.broadcast(n, makeBlock({ ...proposal, timeMs: proposal.timeMs + 1 }))
    }
  }

  /** The proofs this proposer has seen by now that are valid on its head, in arrival order. */
  private selectProofs (n: SimNode, head: ChainState, slot: number): TaskProof[] {
    const now = this.queue.now
    const seen: Array<Pooled<TaskProof>> = []
    for (const e of this.pool) {
      if (e.from !== n.index) {
        const delay = deliveryDelay(this.net, this.seed, e.id, n.index)
        if (delay === null || e.time + delay > now) continue
      } else if (e.time > now) continue
      if (e.item.kind === 'attestation') this.noticeDoubleVote(n, e.item)
      seen.push(e)
    }
    const entries = new Map(seen.map((e) => [e.item, e]))
    return selectProofs(this.config, head, slot, now, seen.map((e) => e.item), {
      anchors: this.fixture.anchors,
      onVerdict: (proof, ok) => {
        const e = entries.get(proof) as Pooled<TaskProof>
        if (!e.forged || e.judged) return
        e.judged = true
        if (ok.ok && e.replay === true) this.stats.replaysCountedAsOriginal++
        else if (ok.ok) this.stats.forgedProofsAccepted++
        else bump(this.stats.rejectedForgedProofs, ok.reason)
      }
    })
  }

  private selectEvidence (n: SimNode, head: ChainState, slot: number): EquivocationEvidence[] {
    const out: EquivocationEvidence[] = []
    const offenders = new Set<string>()
    for (const e of this.evidencePool) {
      const offender = e.item.a.header.proposer
      if (e.time > this.queue.now || offenders.has(offender) || (head.jailedUntil.get(offender) ?? -1) > slot) continue
      offenders.add(offender)
      out.push(e.item)
    }
    return out
  }

  private selectVoteEvidence (head: ChainState, slot: number): VoteEvidence[] {
    const out: VoteEvidence[] = []
    const offenders = new Set<string>()
    for (const e of this.voteEvidencePool) {
      const offender = this.config.registry.entityOfNode.get(e.item.a.node) as string
      if (e.time > this.queue.now || offenders.has(offender) || (head.jailedUntil.get(offender) ?? -1) > slot) continue
      if (Math.max(e.item.a.slot, e.item.b.slot) >= slot) continue
      offenders.add(offender)
      out.push(e.item)
    }
    return out
  }

  private noticeDoubleVote (n: SimNode, vote: Attestation): void {
    const key = `${vote.node}/${vote.slot}`
    const first = n.firstVote.get(key)
    if (first === undefined) { n.firstVote.set(key, vote); return }
    if (first === vote || this.stats.doubleVotes.has(key)) return
    const evidence = { a: first, b: vote }
    if (!validateVoteEvidence(evidence, this.config.registry).ok) return
    this.stats.doubleVotes.add(key)
    this.voteEvidencePool.push({ item: evidence, id: this.msgSeq++, from: n.index, time: this.queue.now, forged: false, judged: false })
  }

  private broadcast (from: SimNode, block: Block): void {
    this.stats.blocksProposed++
    this.blocks.set(blockHash(block), block)
    const id = this.msgSeq++
    this.receive(from, block)
    for (const n of this.nodes) {
      if (n === from) continue
      const delay = deliveryDelay(this.net, this.seed, id, n.index)
      if (delay !== null) this.queue.at(this.queue.now + delay, () => this.receive(n, block))
    }
  }

  private applyShared (parent: ChainState, block: Block): Result<ChainState> {
    const hash = blockHash(block)
    let result = this.applied.get(hash)
    if (result === undefined) {
      result = applyBlock(parent, block, this.config, this.anchorsFor(parent, block.signed.header.slot))
      this.applied.set(hash, result)
    }
    return result
  }

  private receive (n: SimNode, block: Block): void {
    if (!n.online) return
    const hash = blockHash(block)
    if (n.fc.has(hash)) return
    this.noticeEquivocation(n, block.signed)
    const arrival = validateArrival(block.signed, this.queue.now, this.params)
    if (!arrival.ok) { bump(this.stats.rejectedBlocks, arrival.reason); return }
    const parent = n.fc.get(block.signed.header.parent)
    if (parent === undefined) {
      const missing = block.signed.header.parent
      const waiting = n.orphans.get(missing) ?? []
      waiting.push(block)
      n.orphans.set(missing, waiting)
      // Ask a peer for the missing parent: it arrives one round trip later (if any node has it).
      if (waiting.length === 1) this.queue.at(this.queue.now + 2 * this.net.maxDelayMs, () => { if (this.blocks.has(missing)) this.receive(n, this.blockOf(missing)) })
      return
    }
    const result = this.applyShared(parent, block)
    if (!result.ok) { bump(this.stats.rejectedBlocks, result.reason); return }
    const before = n.fc.finalized
    const added = n.fc.add(result.value)
    if (!added.ok) { bump(this.stats.rejectedBlocks, added.reason); return }
    if (!isAncestor(before, n.fc.finalized)) this.stats.finalityReverts++
    const children = n.orphans.get(hash)
    if (children !== undefined) {
      n.orphans.delete(hash)
      for (const child of children) this.receive(n, child)
    }
  }

  private noticeEquivocation (n: SimNode, signed: SignedHeader): void {
    const key = `${signed.header.slot}/${signed.header.proposer}`
    const first = n.firstHeader.get(key)
    if (first === undefined) { n.firstHeader.set(key, signed); return }
    if (headerHash(first.header) === headerHash(signed.header)) return
    const evidence = { a: first, b: signed }
    if (!validateEquivocation(evidence, this.config.registry).ok) return
    if (!this.stats.equivocations.has(key)) {
      this.stats.equivocations.add(key)
      this.evidencePool.push({ item: evidence, id: this.msgSeq++, from: n.index, time: this.queue.now, forged: false, judged: false })
    }
  }
}
