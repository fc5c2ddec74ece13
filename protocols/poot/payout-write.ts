/**
 * The chain's own payout computation (the system write of PayoutBatches.recordEntitlements at the first block of
 * payout epoch e + 1, docs/chain.md "System writes"): a pure function of what every node reads alike from the parent
 * block's state and the blocks of epoch e, so the builder and every re-executing follower compute the same batch.
 *
 *   holders   = genesis accounts (allocation, entities' reward addresses) ∪ holders stored by earlier writes ∪
 *               senders and recipients of epoch e's transactions, minus accounts with code and the system address;
 *               rollover addresses always stay holders. Roles: node-worker for reward addresses (KYC route),
 *               end-user otherwise (V0 route).
 *   income    = what the disbursers declared for e (none: 0 gross, 0 fee; only rollovers may then be paid).
 *   the batch = payoutEpoch(...) of payouts.ts with the vault and rollovers the previous write left.
 * When no holder has a balance the distributable pool (and stimulus) goes back to the vault, so nothing is lost.
 */
import { toHex } from './bytes.js'
import { buildPayoutBatch, splitRevenue, vaultStimulus, type Holder, type PayoutBatch, type PayoutParams, type RevenueSplit, type VaultState } from './payouts.js'
import { invalid, okValue, type Result } from './validity.js'

export interface DeclaredIncome { readonly grossUsd: bigint, readonly networkFeeUsd: bigint }

/** What the previous system write left in PayoutBatches (vault next goal 0: there was none yet). */
export interface StoredPayoutState {
  readonly vaultBalanceUsd: bigint
  readonly vaultNextGoalUsd: bigint
  readonly rollover: ReadonlyMap<string, bigint>
  readonly holders: readonly string[]
}

export interface HolderSources {
  /** the genesis allocation's accounts and every entity's reward address */
  readonly genesis: readonly string[]
  readonly stored: readonly string[]
  /** senders and recipients of the transactions of the epoch's blocks */
  readonly seen: readonly string[]
}

export interface AccountAtSnapshot { readonly balance: bigint, readonly hasCode: boolean }

export interface PayoutWriteInput {
  readonly epoch: number
  readonly income: DeclaredIncome | null
  readonly state: StoredPayoutState
  readonly sources: HolderSources
  /** reward addresses (node workers, paid through the KYC router) */
  readonly nodeWorkers: ReadonlySet<string>
  readonly systemAddress: string
  /** balance and code of every address of holderCandidates(), read from the parent block's state */
  readonly accounts: ReadonlyMap<string, AccountAtSnapshot>
}

export interface PayoutWrite {
  readonly epoch: number
  readonly split: RevenueSplit
  readonly stimulusUsd: bigint
  readonly vault: VaultState
  readonly batch: PayoutBatch
  /**
   * holders to append to the stored set: seen this epoch with a balance, neither genesis nor stored before, sorted.
   * One seen without a balance (a precompile a contract called, a contract creation that left no code) is not
   * stored: an account can only get a balance in a block that writes it, where it is seen again.
   */
  readonly newHolders: readonly string[]
  /** the holders the batch was computed over, sorted */
  readonly holders: readonly Holder[]
  /** the pool shared out: the split's distributable part plus the stimulus (0 when no holder has a balance) */
  readonly distributedUsd: bigint
}

const ADDRESS = /^0x[0-9a-f]{40}$/
const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort()

/** Every address whose balance and code the computation needs (lowercase, sorted): the sources and the rollovers. */
export function holderCandidates (sources: HolderSources, rollover: ReadonlyMap<string, bigint>): string[] {
  return sortedUnique([...sources.genesis, ...sources.stored, ...sources.seen, ...rollover.keys()].map((a) => a.toLowerCase()))
}

/**
 * The accounts a block wrote that its child's system write hands to PayoutBatches.recordHolders: all but those every
 * node knows from genesis (`known`: the genesis holders, the system address, the genesis contracts); lowercase,
 * sorted, unique. The contract stores those with a balance and no code it does not hold yet (the same test
 * computePayoutWrite applies to the accounts seen), so a payout boundary finds every earlier block's holders stored.
 */
export function holderRecordCandidates (written: readonly string[], known: ReadonlySet<string>): string[] {
  return sortedUnique(written.map((a) => a.toLowerCase()).filter((a) => !known.has(a)))
}

export function computePayoutWrite (input: PayoutWriteInput, p: PayoutParams): Result<PayoutWrite> {
  const candidates = holderCandidates(input.sources, input.state.rollover)
  for (const a of candidates) if (!ADDRESS.test(a)) return invalid(`bad-address:${a}`)
  const system = input.systemAddress.toLowerCase()
  const known = new Set([...input.sources.genesis, ...input.sources.stored].map((a) => a.toLowerCase()))
  const holders: Holder[] = []
  const newHolders: string[] = []
  for (const address of candidates) {
    const acct = input.accounts.get(address)
    if (acct === undefined) return invalid(`missing-account:${address}`)
    const carried = input.state.rollover.has(address)
    if (!carried && (acct.hasCode || address === system)) continue
    holders.push({ address, balance: acct.balance, role: input.nodeWorkers.has(address) ? 'node-worker' : 'end-user' })
    if (!known.has(address) && !carried && acct.balance > 0n) newHolders.push(address)
  }
  const gross = input.income?.grossUsd ?? 0n
  const networkFeeUsd = input.income?.networkFeeUsd ?? 0n
  if (gross < 0n || networkFeeUsd < 0n) return invalid('negative-income')
  const split = splitRevenue(gross, p)
  const goal = input.state.vaultNextGoalUsd === 0n ? p.vaultFirstGoalUsd : input.state.vaultNextGoalUsd
  const stim = vaultStimulus({ balanceUsd: input.state.vaultBalanceUsd + split.vault, nextGoalUsd: goal }, p)
  let pool = split.distributable + stim.stimulusUsd
  let vault = stim.vault
  if (holders.every((h) => h.balance === 0n)) { vault = { ...vault, balanceUsd: vault.balanceUsd + pool }; pool = 0n }
  const batch = buildPayoutBatch({ epoch: input.epoch, distributableUsd: pool, holders, carried: input.state.rollover, networkFeeUsd }, p)
  if (!batch.ok) return batch
  return okValue({ epoch: input.epoch, split, stimulusUsd: stim.stimulusUsd, vault, batch: batch.value, newHolders, holders, distributedUsd: pool })
}

/** The root as the contract stores it (0x + 64 hex; all zero when nothing is paid). */
export const payoutRootHex = (batch: PayoutBatch): string => '0x' + toHex(batch.root)
