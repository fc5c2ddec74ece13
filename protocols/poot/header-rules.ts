/**
 * Header rules: who may sign, and whether a header is the one its slot's schedule allows at its time.
 */
import { headerHash, type SignedHeader, type EquivocationEvidence } from './block.js'
import type { Entity, EntityRegistry } from './entities.js'
import { SERVER_ENTITY } from './entities.js'
import type { PootConfig } from './config.js'
import type { PootParams } from './params.js'
import { slotStartMs } from './params.js'
import type { ChainState } from './state.js'
import { scheduleFor } from './schedule.js'
import { revealMessage } from './randomness.js'
import { verifySignature } from './keys.js'
import { fromHex } from './bytes.js'
import { invalid, VALID, type Validity } from './validity.js'

/** At least `threshold` valid signatures of distinct members, in increasing member order, over the header hash. */
export function validateHeaderSignatures (signed: SignedHeader, entity: Entity): Validity {
  const message = fromHex(headerHash(signed.header))
  let last = -1
  for (const { member, sig } of signed.signatures) {
    if (!Number.isInteger(member) || member <= last) return invalid('unsorted-signatures')
    if (member >= entity.members.length) return invalid('unknown-signer')
    if (!verifySignature(entity.members[member], message, sig)) return invalid('bad-signature')
    last = member
  }
  if (signed.signatures.length < entity.threshold) return invalid('below-threshold')
  return VALID
}

/** Everything about a header that follows from the chain: parent, slot, schedule, time window, reveal, signatures. */
export function validateHeader (parent: ChainState, signed: SignedHeader, config: PootConfig): Validity {
  const { header } = signed
  const { params } = config
  if (header.parent !== parent.hash) return invalid('wrong-parent')
  if (!Number.isSafeInteger(header.slot) || header.slot <= parent.slot) return invalid('slot-not-after-parent')
  const schedule = scheduleFor(parent, header.slot, config)
  if (!Number.isInteger(header.rank) || header.rank < 0 || header.rank >= schedule.length) return invalid('rank-out-of-schedule')
  if (schedule[header.rank] !== header.proposer) return invalid('not-scheduled')
  const start = slotStartMs(config.genesisMs, params, header.slot)
  if (!Number.isSafeInteger(header.timeMs) || header.timeMs < start + header.rank * params.slotTimeoutMs) return invalid('too-early-for-rank')
  if (header.timeMs >= start + params.slotMs) return invalid('outside-slot')
  const entity = config.registry.byId.get(header.proposer) as Entity
  const revealer = entity.members[header.revealer]
  if (header.proposer === SERVER_ENTITY && (header.sessions !== 0 || header.sessionBytes !== 0)) return invalid('server-block-with-sessions')
  if (!Number.isSafeInteger(header.sessions) || header.sessions < 0 || !Number.isSafeInteger(header.sessionBytes) || header.sessionBytes < 0) return invalid('bad-session-counts')
  if (revealer === undefined) return invalid('bad-reveal')
  if (config.trustSignatures === true) return VALID // a replay of blocks checked before (config.ts)
  if (!verifySignature(revealer, revealMessage(header.slot), header.reveal)) return invalid('bad-reveal')
  return validateHeaderSignatures(signed, entity)
}

/** The receiver's clock check: a header from the future (beyond the tolerance) is not accepted yet. */
export function validateArrival (signed: SignedHeader, nowMs: number, params: PootParams): Validity {
  return signed.header.timeMs > nowMs + params.clockToleranceMs ? invalid('future-block') : VALID
}

/** Two validly signed, different headers of one proposer for one slot. */
export function validateEquivocation (e: EquivocationEvidence, registry: EntityRegistry): Validity {
  if (e.a.header.slot !== e.b.header.slot) return invalid('different-slots')
  if (e.a.header.proposer !== e.b.header.proposer) return invalid('different-proposers')
  if (headerHash(e.a.header) === headerHash(e.b.header)) return invalid('same-header')
  const entity = registry.byId.get(e.a.header.proposer)
  if (entity === undefined) return invalid('unknown-proposer')
  const a = validateHeaderSignatures(e.a, entity)
  if (!a.ok) return invalid(`header-a:${a.reason}`)
  const b = validateHeaderSignatures(e.b, entity)
  if (!b.ok) return invalid(`header-b:${b.reason}`)
  return VALID
}
