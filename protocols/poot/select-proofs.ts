/**
 * What a proposer puts in its block: the candidate proofs (in arrival order) that are valid on the parent it builds
 * on, each counted once, each storage answer closing its challenge. The node and the harness both propose with it.
 */
import type { PootConfig } from './config.js'
import type { ChainState } from './state.js'
import { proofKey, type TaskProof } from './proofs.js'
import { validateProof } from './proof-rules.js'
import { challengeDeadline } from './challenges.js'
import type { Validity } from './validity.js'
import type { AnchorLookup } from './anchors.js'

export interface SelectOptions {
  /** the most proofs to include (default: all valid ones) */
  readonly max?: number
  /** called with every candidate's verdict (the harness counts forged proofs with it) */
  readonly onVerdict?: (proof: TaskProof, verdict: Validity) => void
  /** the registrations of the claimed sessions in the parent's state (as applyBlock gets them); none by default */
  readonly anchors?: AnchorLookup
}

export function selectProofs (config: PootConfig, parent: ChainState, slot: number, timeMs: number, candidates: Iterable<TaskProof>, opts: SelectOptions = {}): TaskProof[] {
  const blockKeys = new Set<string>()
  const openChallenges = parent.openChallenges.filter((c) => challengeDeadline(c, config.params.challengeResponseSlots) >= slot)
  const ctx = { config, parent, slot, timeMs, blockKeys, openChallenges, anchors: opts.anchors }
  const out: TaskProof[] = []
  for (const p of candidates) {
    if (out.length >= (opts.max ?? Infinity)) break
    const verdict = validateProof(p, ctx)
    opts.onVerdict?.(p, verdict)
    if (!verdict.ok) continue
    out.push(p)
    blockKeys.add(proofKey(p))
    if (p.kind === 'storage') openChallenges.splice(openChallenges.findIndex((c) => c.slot === p.slot && c.index === p.index), 1)
  }
  return out
}
