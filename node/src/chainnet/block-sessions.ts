/**
 * The sessions a proposer lists in its block's PoOT body (S of the reward rule: a block without sessions pays the
 * Server, one with sessions pays its proposer): the sessions registered in LucidAnchors (`SessionRegistered`) by the
 * transactions of the blocks before it that no block listed yet. A block is drafted before its transactions run, so
 * it lists the registrations of its parent, and, where the Server proposed the parent (the Server's blocks carry no
 * sessions), those the Server's blocks passed on, back to the nearest block of a ranked entity (at most
 * `MAX_WALK_BLOCKS` back). Each registration is listed once on a branch (the contract refuses a second one).
 *
 * A registration does not carry the session's size: sessions are listed with 0 bytes, so W = S in the reward rule.
 * Nothing binds the listed sessions to the registrations in PoOT's block rules yet: this is what an honest proposer
 * lists.
 */
import { bytesToHex } from '@ethereumjs/util'
import { id as keccakId } from 'ethers'
import type { Block } from '@ethereumjs/block'
import { SERVER_ENTITY, type SessionAnchor } from '../../../protocols/poot/index.js'
import { formatSessionId } from '../../../protocols/session/session-id.js'
import type { Chain } from '../chain/chain.js'
import type { StoredReceipt } from '../chain/store.js'

export const SESSION_REGISTERED_TOPIC = keccakId('SessionRegistered(bytes32,address,address,bytes32,uint64,bytes32,uint32)')
/** sessions listed in one block at most (the rest of a larger backlog is not listed) */
export const MAX_BLOCK_SESSIONS = 512
/** how far back through the Server's blocks a proposer looks for registrations not listed yet */
export const MAX_WALK_BLOCKS = 64
const MEMO_BLOCKS = 128

/** The canonical session IDs registered in LucidAnchors (`anchors`) by a block's successful transactions, in order. */
export function registeredSessions (receipts: readonly StoredReceipt[], anchors: string): SessionAnchor[] {
  const out: SessionAnchor[] = []
  const address = anchors.toLowerCase()
  for (const r of receipts) {
    if (r.status !== 1) continue
    for (const [a, topics] of r.logs) {
      if (bytesToHex(a) !== address || topics.length < 2 || bytesToHex(topics[0]) !== SESSION_REGISTERED_TOPIC) continue
      const id = topics[1]
      // a session ID on chain is its 16 UUID bytes then 16 zero bytes; any other bytes32 is no Lucid session
      if (id.length !== 32 || id.subarray(16).some((b) => b !== 0)) continue
      try { out.push({ sessionId: formatSessionId(id.subarray(0, 16)), bytes: 0 }) } catch { /* not a UUIDv4 */ }
    }
  }
  return out
}

/** The sessions not listed yet after each recent block (by block hash), kept as heads come. */
export class BlockSessions {
  private readonly pending = new Map<string, readonly SessionAnchor[]>()

  constructor (private readonly chain: Chain, private readonly anchors: string) {}

  /** Computes what a child of `block` lists (call on each new head; reads the receipts of `block` and maybe its ancestors). */
  async note (block: Block): Promise<readonly SessionAnchor[]> {
    return await this.pendingAfter(block, 0)
  }

  /**
   * Notes the current head and every new one from now on, so a proposal's list is ready before the next slot's turn
   * (`active`: whether to go on; a failed read goes to `onError`, and that head's child lists nothing).
   */
  follow (onError: (err: Error) => void, active: () => boolean = () => true): void {
    const note = (b: Block): void => {
      if (active()) this.note(b).catch(onError)
    }
    this.chain.onHead(note)
    note(this.chain.head)
  }

  /** What a block by `proposer` on the current head lists (nothing for the Server, or when the head is not noted yet). */
  forProposal (proposer: string): SessionAnchor[] {
    if (proposer === SERVER_ENTITY) return []
    return [...(this.pending.get(bytesToHex(this.chain.head.hash())) ?? [])]
  }

  private async pendingAfter (block: Block, depth: number): Promise<readonly SessionAnchor[]> {
    const key = bytesToHex(block.hash())
    const known = this.pending.get(key)
    if (known !== undefined) return known
    let list = registeredSessions(await this.chain.store.receipts(block.hash()) ?? [], this.anchors)
    const proposer = this.chain.pootState(block.hash())?.header?.proposer
    if (proposer === SERVER_ENTITY && block.header.number > 0n && depth < MAX_WALK_BLOCKS) {
      const parent = await this.chain.blockByHash(block.header.parentHash)
      if (parent !== undefined) list = [...await this.pendingAfter(parent, depth + 1), ...list]
    }
    const seen = new Set<string>()
    const out = list.filter((s) => !seen.has(s.sessionId) && seen.add(s.sessionId) !== undefined).slice(0, MAX_BLOCK_SESSIONS)
    this.pending.set(key, out)
    while (this.pending.size > MEMO_BLOCKS) this.pending.delete(this.pending.keys().next().value as string)
    return out
  }
}
