/**
 * Vote equivocation (Casper FFG's slashing conditions). Two votes signed by one node are evidence when they are a
 * double vote (same slot, different votes) or one surrounds the other (source₁ < source₂ and target₂ < target₁).
 * An honest node casts one vote per slot, its source never moves back (fork choice follows the latest justified
 * checkpoint) and its target slot always grows, so it never produces either.
 */
import type { VoteEvidence } from './block.js'
import type { EntityRegistry } from './entities.js'
import { attestationMessage, type Attestation } from './proofs.js'
import { verifySignature } from './keys.js'
import { equalBytes } from './bytes.js'
import { invalid, VALID, type Validity } from './validity.js'

function surrounds (outer: Attestation, inner: Attestation): boolean {
  return outer.sourceSlot < inner.sourceSlot && inner.slot < outer.slot
}

export function validateVoteEvidence (e: VoteEvidence, registry: EntityRegistry): Validity {
  const { a, b } = e
  if (a.kind !== 'attestation' || b.kind !== 'attestation') return invalid('not-votes')
  if (a.node !== b.node) return invalid('different-nodes')
  if (!registry.entityOfNode.has(a.node)) return invalid('unknown-node')
  const ma = attestationMessage(a)
  const mb = attestationMessage(b)
  if (equalBytes(ma, mb)) return invalid('same-vote')
  if (!(a.slot === b.slot || surrounds(a, b) || surrounds(b, a))) return invalid('not-slashable')
  if (!verifySignature(a.node, ma, a.sig)) return invalid('vote-a:bad-signature')
  if (!verifySignature(b.node, mb, b.sig)) return invalid('vote-b:bad-signature')
  return VALID
}
