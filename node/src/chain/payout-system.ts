/**
 * The payout system write's inputs and calldata: what Chain reads from the parent block's state (PayoutBatches'
 * declared income and stored payout state, balances and code of the holder candidates) for the pure
 * computePayoutWrite of protocols/poot, and `PayoutBatches.recordEntitlements(...)` from its result.
 */
import { ethers } from 'ethers'
import { createAddressFromString } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { loadArtifact } from '../../../contracts/index.js'
import { computePayoutWrite, holderCandidates, payoutRootHex, type AccountAtSnapshot, type PayoutParams, type PayoutWrite, type StoredPayoutState } from '../../../protocols/poot/index.js'
import { encodeEntitlements } from '../../../protocols/poot/payout-commitment.js'
import type { Genesis } from './genesis.js'

const batches = new ethers.Interface(loadArtifact('PayoutBatches').abi as ethers.InterfaceAbi)
export const payoutBatchesInterface = (): ethers.Interface => batches

export interface PayoutReads {
  /** a view call to PayoutBatches on the parent block's state; the return data */
  call: (data: string) => Promise<string>
  /** the parent block's state */
  state: MerkleStateManager
}

/** The genesis accounts every node knows: the allocation and every entity's reward address (lowercase). */
export function genesisHolders (genesis: Genesis): { all: string[], nodeWorkers: Set<string> } {
  const nodeWorkers = new Set([...genesis.rewardAddresses.values()].map((a) => a.toLowerCase()))
  return { all: [...new Set([...Object.keys(genesis.spec.alloc).map((a) => a.toLowerCase()), ...nodeWorkers])], nodeWorkers }
}

/**
 * The writes of payout epochs `epochs` (consecutive, ascending) from the parent's state: the first with the accounts
 * `seen` in its blocks, each later one (an epoch without any block) with none and the state the write before it left
 * (vault, rollovers, holders; balances cannot have changed without a block). Stops at the first epoch that cannot be
 * computed (the same on every node).
 */
export async function computeChainPayouts (genesis: Genesis, params: PayoutParams, epochs: readonly number[], seen: readonly string[], reads: PayoutReads): Promise<PayoutWrite[]> {
  const fn = async (name: string, args: unknown[]): Promise<ethers.Result> => batches.decodeFunctionResult(name, await reads.call(batches.encodeFunctionData(name, args)))
  const [vaultBalanceUsd, vaultNextGoalUsd, rollAccounts, rollAmounts] = await fn('payoutState', []) as unknown as [bigint, bigint, string[], bigint[]]
  const [stored] = await fn('payoutHolders', []) as unknown as [string[]]
  let state: StoredPayoutState = {
    vaultBalanceUsd,
    vaultNextGoalUsd,
    rollover: new Map([...rollAccounts].map((a, i) => [a.toLowerCase(), rollAmounts[i]])),
    holders: [...stored].map((a) => a.toLowerCase())
  }
  const { all, nodeWorkers } = genesisHolders(genesis)
  const accounts = new Map<string, AccountAtSnapshot>()
  const out: PayoutWrite[] = []
  for (const [i, epoch] of epochs.entries()) {
    const [declared, grossUsd, networkFeeUsd] = await fn('incomeOf', [epoch]) as unknown as [boolean, bigint, bigint]
    const sources = { genesis: all, stored: state.holders, seen: i === 0 ? seen : [] }
    for (const a of holderCandidates(sources, state.rollover)) {
      if (accounts.has(a)) continue
      const account = await reads.state.getAccount(createAddressFromString(a))
      accounts.set(a, { balance: account?.balance ?? 0n, hasCode: account?.isContract() ?? false })
    }
    const r = computePayoutWrite({
      epoch,
      income: declared ? { grossUsd, networkFeeUsd } : null,
      state,
      sources,
      nodeWorkers,
      systemAddress: genesis.spec.contracts.systemAddress,
      accounts
    }, params)
    if (!r.ok) break
    out.push(r.value)
    state = { vaultBalanceUsd: r.value.vault.balanceUsd, vaultNextGoalUsd: r.value.vault.nextGoalUsd, rollover: r.value.batch.rollover, holders: [...state.holders, ...r.value.newHolders] }
  }
  return out
}

/** Accounts every node knows without a record (lowercase): the genesis holders, the system address, the genesis contracts. */
export function knownAccounts (genesis: Genesis): Set<string> {
  return new Set([...genesisHolders(genesis).all, genesis.spec.contracts.systemAddress, ...Object.values(genesis.contracts)].map((a) => a.toLowerCase()))
}

/** `PayoutBatches.recordHolders(accounts)`: the per-block record of the parent's accounts (holderRecordCandidates). */
export function recordHoldersCalldata (accounts: readonly string[]): Uint8Array {
  return ethers.getBytes(batches.encodeFunctionData('recordHolders', [[...accounts]]))
}

/** `PayoutBatches.recordEntitlements(epoch, root, entries, newHolders, rollover accounts, amounts, vault balance, next goal)`. */
export function recordEntitlementsCalldata (w: PayoutWrite): Uint8Array {
  const roll = [...w.batch.rollover].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  return ethers.getBytes(batches.encodeFunctionData('recordEntitlements', [
    w.epoch, payoutRootHex(w.batch), encodeEntitlements(w.batch.entries), [...w.newHolders],
    roll.map(([a]) => a), roll.map(([, v]) => v), w.vault.balanceUsd, w.vault.nextGoalUsd
  ]))
}
