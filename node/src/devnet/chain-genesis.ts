/**
 * The genesis of a devnet's chain: the development chain's parameters, accounts and contracts (chain/dev.ts), with
 * one solo entity per devnet node (its identity key) and the well-known development Server key, which node 1 holds.
 */
import { soloEntity } from '../../../protocols/poot/index.js'
import { devGenesisSpec } from '../chain/dev.js'
import { checkGenesisSpec, type GenesisSpec } from '../chain/genesis-spec.js'

export const DEVNET_SLOT_MS = 2000

export function devnetGenesisSpec (nodeIds: readonly string[], slotMs: number, genesisMs: number): GenesisSpec {
  const base = devGenesisSpec({ slotMs, genesisMs })
  const rewardAddresses = base.entities.map((e) => e.rewardAddress)
  return checkGenesisSpec({
    ...base,
    entities: nodeIds.map((id, i) => ({ members: soloEntity(id).members as string[], threshold: 1, rewardAddress: rewardAddresses[i % rewardAddresses.length] }))
  })
}
