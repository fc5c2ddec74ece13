/**
 * The ParamRegistry values that govern PoOT and payout parameters (protocols/poot/governed-params.ts,
 * governed-payout-params.ts), read straight from a
 * state's storage: `_params` is the contract's first storage variable (slot 0; `governance` is immutable), a mapping
 * from the bytes32 key to a struct whose first word is the value. test/integration/chain/governed-params.test.ts
 * checks these reads against the contract's own `get(key)`.
 */
import { AbiCoder, encodeBytes32String, getBytes, keccak256 } from 'ethers'
import { bytesToBigInt, createAddressFromString } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { GOVERNED_PARAMS, GOVERNED_PAYOUT_KEYS, type RegistryValues } from '../../../protocols/poot/index.js'

/** The storage slot of `_params[key].value`: keccak256(key ‖ uint256(0)). */
export function registryValueSlot (key: string): Uint8Array {
  return getBytes(keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [encodeBytes32String(key), 0])))
}

// the keys never change: their slots are computed once (ABI encoding and hashing them was most of a registry read
// after the trie's own)
let governedSlots: Array<[key: string, slot: Uint8Array]> | undefined

export async function readRegistryValues (state: MerkleStateManager, registry: string): Promise<RegistryValues> {
  governedSlots ??= [...GOVERNED_PARAMS.map((g) => g.key), ...GOVERNED_PAYOUT_KEYS].map((key) => [key, registryValueSlot(key)])
  const address = createAddressFromString(registry)
  const out: Record<string, bigint> = {}
  for (const [key, slot] of governedSlots) out[key] = bytesToBigInt(await state.getStorage(address, slot))
  return out
}
