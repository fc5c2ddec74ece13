/**
 * Gossip verdicts for chain messages. Reject (the sender's score drops) only for what an honest peer never
 * forwards: undecodable or oversize messages, bad signatures, blocks that break a rule on their own parent.
 * Ignore (no penalty) for what depends on the receiver's view: a block whose parent it lacks, a proof on a fork it
 * does not follow, a duplicate, a block from slightly ahead of its clock, a second block of a proposer's slot
 * (kept as evidence; the other block is not ours to judge the forwarder by).
 */
import type { Validity } from '../../../protocols/poot/index.js'

export type Verdict = 'accept' | 'ignore' | 'reject'

const IGNORED_BLOCK = /^(unknown-parent|equivocation|closed|poot:future-block|fork-choice)/

export function blockVerdict (r: { ok: true, known?: boolean } | { ok: false, reason: string }): Verdict {
  if (r.ok) return r.known === true ? 'ignore' : 'accept'
  return IGNORED_BLOCK.test(r.reason) ? 'ignore' : 'reject'
}

/** Proof rule failures that prove the proof itself is bad, whatever chain the receiver follows. */
const FORGED_PROOF = new Set(['unknown-node', 'bad-slot', 'bad-signature', 'bad-receiver-signature', 'beat-not-in-slot', 'self-relay', 'unknown-receiver', 'bad-bytes', 'source-not-before-target', 'future-ref', 'bad-merkle-proof', 'unknown-kind', 'bad-session-id', 'bad-root', 'bad-chunk-count'])

/** Mempool refusals that prove the transaction itself is bad (others depend on the receiver's state or pool). */
const BAD_TRANSACTION = new Set(['undecodable', 'unsigned', 'bad-signature', 'wrong-chain-id', 'no-chain-id', 'unsupported-type', 'oversized', 'invalid', 'gas-limit-exceeds-block'])

export function transactionVerdict (reason: string | null): Verdict {
  if (reason === null) return 'accept'
  return BAD_TRANSACTION.has(reason) ? 'reject' : 'ignore'
}

export function proofVerdict (v: Validity): Verdict {
  if (v.ok) return 'accept'
  return FORGED_PROOF.has(v.reason) ? 'reject' : 'ignore'
}

/**
 * A refused co-sign request: Reject (the requester is counted) for what an honest leader never sends, a draft that
 * breaks a rule on its own parent or a request in another member's name; Ignore for what depends on this member's
 * view or clock (its head, a header it already signed, the leader's turn not come yet or over).
 */
const IGNORED_COSIGN = /^(unknown-parent|conflicts-with-finalized|already-signed|closed|poot:future-block|leader-turn-not-come|turn-over|not-a-member|unknown-proposer|not-a-pool|poot:header:slot-not-after-parent)/

export function cosignVerdict (reason: string): Verdict {
  return IGNORED_COSIGN.test(reason) ? 'ignore' : 'reject'
}
