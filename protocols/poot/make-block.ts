/** Building a signed block (the proposer's side; used by nodes, the harness and tests). */
import type { Block, BlockBody, BlockHeader, MemberSignature } from './block.js'
import { bodyHash, headerHash } from './block.js'
import type { EntityId } from './entities.js'
import type { NodeKey } from './keys.js'
import { revealMessage } from './randomness.js'
import { fromHex } from './bytes.js'

export interface Proposal {
  readonly parentHash: string
  readonly slot: number
  readonly rank: number
  readonly timeMs: number
  readonly proposer: EntityId
  /** Member keys that sign, with their member indexes; the first one reveals. */
  readonly signers: ReadonlyArray<{ readonly member: number, readonly key: NodeKey }>
  readonly body: BlockBody
}

export function makeBlock (p: Proposal): Block {
  const signers = [...p.signers].sort((a, b) => a.member - b.member)
  const revealer = p.signers[0]
  const header: BlockHeader = {
    slot: p.slot,
    parent: p.parentHash,
    proposer: p.proposer,
    rank: p.rank,
    timeMs: p.timeMs,
    revealer: revealer.member,
    reveal: revealer.key.sign(revealMessage(p.slot)),
    bodyHash: bodyHash(p.body),
    sessions: p.body.sessions.length,
    sessionBytes: p.body.sessions.reduce((n, s) => n + s.bytes, 0)
  }
  const message = fromHex(headerHash(header))
  const signatures: MemberSignature[] = signers.map(({ member, key }) => ({ member, sig: key.sign(message) }))
  return { signed: { header, signatures }, body: p.body }
}
