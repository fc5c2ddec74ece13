// Shared helpers for the PoOT tests: a small fixture and a way to extend a chain with correctly scheduled blocks.
import { buildFixture, type Fixture, type FixtureOptions } from '../../../protocols/poot/harness/fixture.js'
import { genesisState, type ChainState } from '../../../protocols/poot/state.js'
import { scheduleFor } from '../../../protocols/poot/schedule.js'
import { makeBlock } from '../../../protocols/poot/make-block.js'
import { applyBlock } from '../../../protocols/poot/transition.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import type { Block, BlockBody } from '../../../protocols/poot/block.js'
import type { AnchorLookup } from '../../../protocols/poot/anchors.js'

export function fixture (opts: Partial<FixtureOptions> = {}): Fixture {
  return buildFixture({ seed: 7, nodes: 12, ...opts })
}

export function genesis (f: Fixture): ChainState {
  return genesisState(f.config)
}

export interface NextOptions {
  readonly slot?: number
  readonly rank?: number
  readonly timeMs?: number
  readonly body?: Partial<BlockBody>
}

/** The block the scheduled entity at `rank` (default 0) would sign for `slot` (default parent.slot + 1). */
export function nextBlock (f: Fixture, parent: ChainState, o: NextOptions = {}): Block {
  const slot = o.slot ?? parent.slot + 1
  const rank = o.rank ?? 0
  const proposer = scheduleFor(parent, slot, f.config)[rank]
  const entity = f.config.registry.byId.get(proposer)
  if (entity === undefined) throw new Error(`no entity at rank ${rank}`)
  const signers = entity.members.slice(0, entity.threshold).map((id, member) => ({ member, key: f.keys.find((k) => k.id === id)! }))
  return makeBlock({
    parentHash: parent.hash,
    slot,
    rank,
    timeMs: o.timeMs ?? slotStartMs(f.config.genesisMs, f.config.params, slot) + rank * f.config.params.slotTimeoutMs,
    proposer,
    signers,
    body: { proofs: [], sessions: [], evidence: [], voteEvidence: [], ...o.body }
  })
}

/** `anchors`: the LucidAnchors registrations the block's holding claims are checked against (default: the fixture's). */
export function apply (f: Fixture, parent: ChainState, block: Block, anchors: AnchorLookup = f.anchors): ChainState {
  const r = applyBlock(parent, block, f.config, anchors)
  if (!r.ok) throw new Error(`block refused: ${r.reason}`)
  return r.value
}

/** Extends `parent` by `count` primary blocks in consecutive slots. */
export function extend (f: Fixture, parent: ChainState, count: number, body?: (parent: ChainState, slot: number) => Partial<BlockBody>): ChainState {
  let s = parent
  for (let i = 0; i < count; i++) s = apply(f, s, nextBlock(f, s, { body: body?.(s, s.slot + 1) }))
  return s
}

export function keyOf (f: Fixture, node: string) {
  return f.keys.find((k) => k.id === node)!
}
