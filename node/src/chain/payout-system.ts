/**
 * The payout system write's inputs and calldata: what Chain reads from the parent block's state (PayoutBatches'
 * declared income and stored payout state, balances and code of the holder candidates) for the pure
 * computePayoutWrite of protocols/poot, and `PayoutBatches.recordEntitlements(...)` from its result.
 */
import { ethers } from 'ethers'
import { createAddressFromString } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { loadArtifact } from '../../../contracts/index.js'
import { computePayoutWrite, holderCandidates, payoutRootHex, type AccountAtSnapshot, type PayoutParams, type PayoutWrite } from '../../../protocols/poot/index.js'
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

/** Computes epoch `epoch`'s write from the parent's state and the accounts `seen` in the epoch's blocks; null if it cannot be computed. */
export async function computeChainPayout (genesis: Genesis, params: PayoutParams, epoch: number, seen: readonly string[], reads: PayoutReads): Promise<PayoutWrite | null> {
  const fn = async (name: string, args: unknown[]): Promise<ethers.Result> => batches.decodeFunctionResult(name, await reads.call(batches.encodeFunctionData(name, args)))
  const [declared, grossUsd, networkFeeUsd] = await fn('incomeOf', [epoch]) as unknown as [boolean, bigint, bigint]
  const [vaultBalanceUsd, vaultNextGoalUsd, rollAccounts, rollAmounts] = await fn('payoutState', []) as unknown as [bigint, bigint, string[], bigint[]]
  const [stored] = await fn('payoutHolders', []) as unknown as [string[]]
  const rollover = new Map([...rollAccounts].map((a, i) => [a.toLowerCase(), rollAmounts[i]]))
  const { all, nodeWorkers } = genesisHolders(genesis)
  const sources = { genesis: all, stored: [...stored].map((a) => a.toLowerCase()), seen }
  const accounts = new Map<string, AccountAtSnapshot>()
  for (const a of holderCandidates(sources, rollover)) {
    const address = createAddressFromString(a)
    const account = await reads.state.getAccount(address)
    accounts.set(a, { balance: account?.balance ?? 0n, hasCode: account?.isContract() ?? false })
  }
  const r = computePayoutWrite({
    epoch,
    income: declared ? { grossUsd, networkFeeUsd } : null,
    state: { vaultBalanceUsd, vaultNextGoalUsd, rollover, holders: sources.stored },
    sources,
    nodeWorkers,
    systemAddress: genesis.spec.contracts.systemAddress,
    accounts
  }, params)
  return r.ok ? r.value : null
}

/** `PayoutBatches.recordEntitlements(epoch, root, entries, newHolders, rollover accounts, amounts, vault balance, next goal)`. */
export function recordEntitlementsCalldata (w: PayoutWrite): Uint8Array {
  const roll = [...w.batch.rollover].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  return ethers.getBytes(batches.encodeFunctionData('recordEntitlements', [
    w.epoch, payoutRootHex(w.batch), encodeEntitlements(w.batch.entries), [...w.newHolders],
    roll.map(([a]) => a), roll.map(([, v]) => v), w.vault.balanceUsd, w.vault.nextGoalUsd
  ]))
}
