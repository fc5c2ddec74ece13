/**
 * Credit of a single task proof, in whole credits. Credits are not money: they rank entities, so plain integers.
 *   heartbeat: creditHeartbeat; storage answer: creditStorage; validation (attestation): creditValidation;
 *   relay receipt: ⌊bytes × creditRelayPerMiB / 2^20⌋.
 * A missed storage challenge costs storageMissPenalty (transition.ts).
 */
import type { PootParams } from './params.js'
import type { TaskProof } from './proofs.js'

export function proofCredit (p: TaskProof, params: PootParams): number {
  switch (p.kind) {
    case 'heartbeat': return params.creditHeartbeat
    case 'storage': return params.creditStorage
    case 'attestation': return params.creditValidation
    case 'relay': return Math.floor(p.bytes * params.creditRelayPerMiB / 1_048_576)
  }
}

/** Adds `amount` to `entity` in a mutable tally, dropping zero entries so equal tallies have equal maps. */
export function addCredit (tally: Map<string, number>, entity: string, amount: number): void {
  if (amount === 0) return
  const next = (tally.get(entity) ?? 0) + amount
  if (next === 0) tally.delete(entity)
  else tally.set(entity, next)
}
