/**
 * Task proofs waiting to be included: received over gossip or made here, one per proof key (the first seen wins;
 * gossip admits only correctly signed ones), dropped once too old to be included anywhere.
 */
import { proofKey, type PootParams, type TaskProof } from '../../../protocols/poot/index.js'
import { MAX_POOLED_PROOFS } from './constants.js'

export class ProofPool {
  private readonly byKey = new Map<string, TaskProof>()

  constructor (private readonly params: PootParams, private readonly max = MAX_POOLED_PROOFS) {}

  get size (): number { return this.byKey.size }

  has (p: TaskProof): boolean { return this.byKey.has(proofKey(p)) }

  /** false when a proof with that key is already pooled */
  add (p: TaskProof): boolean {
    const key = proofKey(p)
    if (this.byKey.has(key)) return false
    if (this.byKey.size >= this.max) this.byKey.delete(this.byKey.keys().next().value as string)
    this.byKey.set(key, p)
    return true
  }

  /** Candidates in arrival order. */
  candidates (): TaskProof[] { return [...this.byKey.values()] }

  /** Drops proofs no block of `slot` or later can include. */
  prune (slot: number): void {
    const keep = slot - this.params.maxProofAgeSlots - this.params.challengeResponseSlots - 1
    for (const [k, p] of this.byKey) if (p.slot < keep) this.byKey.delete(k)
  }
}
