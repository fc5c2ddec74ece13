/**
 * The genesis of a devnet's chain: the development chain's parameters, accounts and contracts (chain/dev.ts), with
 * one solo entity per devnet node (its identity key) and the well-known development Server key, which node 1 holds.
 * `pools` group the first nodes into pool entities instead (`lucid devnet --pool 3:2`: nodes 1–3 are one entity
 * signing 2 of 3, each node holding only its own key; the pool's blocks are co-signed over the network).
 */
import { poolEntity, soloEntity } from '../../../protocols/poot/index.js'
import { devGenesisSpec } from '../chain/dev.js'
import { checkGenesisSpec, type GenesisSpec } from '../chain/genesis-spec.js'

export const DEVNET_SLOT_MS = 2000

export interface DevnetPool { members: number, threshold: number }

export function devnetGenesisSpec (nodeIds: readonly string[], slotMs: number, genesisMs: number, pools: readonly DevnetPool[] = []): GenesisSpec {
  const base = devGenesisSpec({ slotMs, genesisMs })
  const rewardAddresses = base.entities.map((e) => e.rewardAddress)
  const groups: Array<{ members: string[], threshold: number }> = []
  let next = 0
  for (const p of pools) {
    if (p.members < 2 || p.threshold < 1 || p.threshold > p.members) throw new Error(`devnet: a pool of ${p.members} members signing ${p.threshold} is not a pool`)
    if (next + p.members > nodeIds.length) throw new Error(`devnet: the pools need ${next + p.members} nodes, there are ${nodeIds.length}`)
    groups.push({ members: poolEntity(nodeIds.slice(next, next + p.members), p.threshold).members as string[], threshold: p.threshold })
    next += p.members
  }
  for (const id of nodeIds.slice(next)) groups.push({ members: soloEntity(id).members as string[], threshold: 1 })
  return checkGenesisSpec({
    ...base,
    entities: groups.map((g, i) => ({ ...g, rewardAddress: rewardAddresses[i % rewardAddresses.length] }))
  })
}

/** `n:t` (a pool of n nodes signing t of n), as `lucid devnet --pool` takes it. */
export function parseDevnetPool (text: string): DevnetPool {
  const m = /^(\d+):(\d+)$/.exec(text.trim())
  if (m === null) throw new Error(`--pool ${text}: expected <members>:<threshold>, e.g. 3:2`)
  const pool = { members: Number(m[1]), threshold: Number(m[2]) }
  if (pool.members < 2 || pool.members > 64) throw new Error(`--pool ${text}: a pool has 2 to 64 members`)
  const majority = Math.floor(pool.members / 2) + 1
  if (pool.threshold < majority || pool.threshold > pool.members) throw new Error(`--pool ${text}: the threshold is from ${majority} (more than half the members, so two members cannot each gather a block for one slot) to ${pool.members}`)
  return pool
}
