/**
 * LucidAnchors registrations read straight from a state's storage, for PoOT's holding-claim rule (a claim counts
 * only with the root and chunk count its session's registration anchored; protocols/poot/anchors.ts) and its
 * listed-sessions rule (a block lists only registrations made since the last ranked block; listed-sessions.ts). Layout
 * (documented in contracts/src/LucidAnchors.sol): `_sessions` is storage slot 0, a mapping from the bytes32 session
 * ID to a struct at keccak256(id ‖ uint256(0)): word 0 = registrant (low 20 bytes) | chunkCount (uint32) << 160 |
 * registeredAt (uint64, the registering block's number) << 192, word 1 = merkleRoot. test/integration/chain/anchor-binding.test.ts checks these reads against `sessionAnchor(id)`.
 */
import { AbiCoder, keccak256 } from 'ethers'
import { bigIntToBytes, bytesToBigInt, createAddressFromString, setLengthLeft } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { AnchoredSession, AnchorLookup } from '../../../protocols/poot/index.js'
import { isSessionId, sessionIdToBytes32 } from '../../../protocols/session/session-id.js'

const ADDRESS_MASK = (1n << 160n) - 1n

/** The storage slot of `_sessions[id]`'s first word: keccak256(id ‖ uint256(0)). */
export function sessionSlot (sessionId32: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [sessionId32, 0])))
}

const slotKey = (slot: bigint): Uint8Array => setLengthLeft(bigIntToBytes(slot), 32)

/** One session's registration, or null when it is not registered (or the ID is not a canonical lowercase UUIDv4). */
export async function readAnchor (state: MerkleStateManager, anchors: string, sessionId: string): Promise<AnchoredSession | null> {
  if (!isSessionId(sessionId)) return null // only a canonical ID maps to one on-chain session
  const address = createAddressFromString(anchors)
  const base = sessionSlot(sessionIdToBytes32(sessionId))
  const word0 = bytesToBigInt(await state.getStorage(address, slotKey(base)))
  if ((word0 & ADDRESS_MASK) === 0n) return null // no registrant: not registered
  const root = setLengthLeft(await state.getStorage(address, slotKey(base + 1n)), 32)
  // registrations record no size: every session counts 0 bytes in the reward rule (protocols/poot/listed-sessions.ts)
  return { root, chunkCount: Number((word0 >> 160n) & 0xffffffffn), registeredAt: Number(word0 >> 192n), bytes: 0 }
}

/** The registrations of `sessionIds` in `state` (the unregistered ones absent). */
export async function readAnchors (state: MerkleStateManager, anchors: string, sessionIds: readonly string[]): Promise<AnchorLookup> {
  const out = new Map<string, AnchoredSession>()
  for (const id of sessionIds) {
    const a = await readAnchor(state, anchors, id)
    if (a !== null) out.set(id, a)
  }
  return out
}
