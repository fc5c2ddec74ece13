/**
 * The payout system write's inputs and calldata: what Chain reads from the parent block's state (PayoutBatches'
 * declared income and stored payout state, balances and code of the holder candidates, the last write's rollover
 * list the node kept by its hash) for the pure computePayoutWrite of protocols/poot, and
 * `PayoutBatches.recordEntitlements(...)` from its result.
 */
import { ethers } from 'ethers'
import { bigIntToBytes, bytesToBigInt, bytesToHex, createAddressFromString, setLengthLeft } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { loadArtifact } from '../../../contracts/index.js'
import { computePayoutWrite, holderCandidates, payoutRootHex, type AccountAtSnapshot, type PayoutParams, type PayoutWrite, type StoredPayoutState } from '../../../protocols/poot/index.js'
import { encodeEntitlements } from '../../../protocols/poot/payout-commitment.js'
import type { Genesis } from './genesis.js'

const batches = new ethers.Interface(loadArtifact('PayoutBatches').abi as ethers.InterfaceAbi)
export const payoutBatchesInterface = (): ethers.Interface => batches

const READ_AHEAD = 256

export interface PayoutReads {
  /** a view call to PayoutBatches on the parent block's state; the return data */
  call: (data: string) => Promise<string>
  /** the parent block's state */
  state: MerkleStateManager
  /** an encoded rollover list (encodeRollover) by its hash, as kept by the node that executed the write; undefined if not kept */
  rollover: (hash: string) => Promise<Uint8Array | undefined>
  /** PayoutBatches' stored holders in the parent's state (readStoredHolders, with what the chain already knows of them) */
  storedHolders: () => Promise<string[]>
}

const ROLLOVER = ['address[]', 'uint256[]']
const abi = ethers.AbiCoder.defaultAbiCoder()

/**
 * A write's rollovers as PayoutBatches takes them (accounts ascending, their amounts) and keeps them: `hash` =
 * keccak256(abi.encode(accounts, amounts)), the contract's `rolloverHash`; `encoded` is what the hash is over.
 */
export function encodeRollover (rollover: ReadonlyMap<string, bigint>): { accounts: string[], amounts: bigint[], encoded: Uint8Array, hash: string } {
  const sorted = [...rollover].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  const accounts = sorted.map(([a]) => a)
  const amounts = sorted.map(([, v]) => v)
  const encoded = ethers.getBytes(abi.encode(ROLLOVER, [accounts, amounts]))
  return { accounts, amounts, encoded, hash: ethers.keccak256(encoded) }
}

/** The rollover list the contract's hash and count name, from what the node kept; throws when it is missing or differs. */
export async function storedRollover (reads: PayoutReads, hash: string, count: bigint): Promise<Map<string, bigint>> {
  if (count === 0n) return new Map()
  const encoded = await reads.rollover(hash)
  if (encoded === undefined) throw new Error(`the rollover list ${hash} of the last payout write is not kept in this store (a store from before they were kept: sync it again)`)
  if (ethers.keccak256(encoded) !== hash.toLowerCase()) throw new Error(`the rollover list kept as ${hash} does not hash to it (a damaged store)`)
  const [accounts, amounts] = abi.decode(ROLLOVER, encoded) as unknown as [string[], bigint[]]
  if (BigInt(accounts.length) !== count) throw new Error(`the rollover list ${hash} has ${accounts.length} entries, PayoutBatches counts ${count}`)
  return new Map(accounts.map((a, i) => [a.toLowerCase(), amounts[i]]))
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
  const [vaultBalanceUsd, vaultNextGoalUsd, rolloverHash, rolloverCount] = await fn('payoutState', []) as unknown as [bigint, bigint, string, bigint]
  const stored = await reads.storedHolders()
  let state: StoredPayoutState = {
    vaultBalanceUsd,
    vaultNextGoalUsd,
    rollover: await storedRollover(reads, rolloverHash, rolloverCount),
    holders: [...stored].map((a) => a.toLowerCase())
  }
  const { all, nodeWorkers } = genesisHolders(genesis)
  const accounts = new Map<string, AccountAtSnapshot>()
  const out: PayoutWrite[] = []
  for (const [i, epoch] of epochs.entries()) {
    const [declared, grossUsd, networkFeeUsd] = await fn('incomeOf', [epoch]) as unknown as [boolean, bigint, bigint]
    const sources = { genesis: all, stored: state.holders, seen: i === 0 ? seen : [] }
    // read READ_AHEAD at a time: each is a walk down the state trie, whose LevelDB reads overlap on its own threads
    const missing = holderCandidates(sources, state.rollover).filter((a) => !accounts.has(a))
    for (let i = 0; i < missing.length; i += READ_AHEAD) {
      const read = await Promise.all(missing.slice(i, i + READ_AHEAD).map(async (a) => await reads.state.getAccount(createAddressFromString(a))))
      read.forEach((account, k) => accounts.set(missing[i + k], { balance: account?.balance ?? 0n, hasCode: account?.isContract() ?? false }))
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

/** PayoutBatches' `_holders` array's slot (solc's storage layout, kept in the build artifact). */
const HOLDERS_SLOT = (() => {
  const v = loadArtifact('PayoutBatches').storage.find((x) => x.label === '_holders')
  if (v === undefined || v.offset !== 0) throw new Error('PayoutBatches artifact: no _holders slot in its storage layout (rebuild the contracts)')
  return BigInt(v.slot)
})()

/** Trie nodes kept while the stored holders are read (their paths share the upper nodes of the contract's storage trie). */
const HOLDERS_READ_CACHE_NODES = 4096

/**
 * PayoutBatches' stored holders (what `payoutHolders()` returns), read from the array's storage slots READ_AHEAD at
 * a time: the view call reads them one after another inside the EVM, ~0.5 ms a slot on a cold state, which made a
 * boundary with many holders wait seconds on them. The slots are read through a storage trie of their own with a
 * node cache: the state manager's storage tries keep none, so every slot walked the trie from its root in LevelDB
 * (2,000 holders: 564 ms, most of a boundary's reads). `knownPrefix`: the holders read at an ancestor's state (only
 * the slots after it are read).
 */
export async function readStoredHolders (state: MerkleStateManager, contract: string, knownPrefix: readonly string[] = []): Promise<string[]> {
  const account = await state.getAccount(createAddressFromString(contract))
  if (account === undefined) return []
  // the account trie's own MPT, rooted at the contract's storage root (the state manager prefixes no storage keys)
  const trie = (state as unknown as { _trie: MerklePatriciaTrie })._trie.shallowCopy(false, { cacheSize: HOLDERS_READ_CACHE_NODES })
  trie.root(account.storageRoot)
  const slot = async (n: bigint): Promise<Uint8Array> => {
    const v = await trie.get(setLengthLeft(bigIntToBytes(n), 32))
    return v === null ? new Uint8Array() : RLP.decode(v) as Uint8Array
  }
  const length = Number(bytesToBigInt(await slot(HOLDERS_SLOT)))
  const base = BigInt(ethers.keccak256(setLengthLeft(bigIntToBytes(HOLDERS_SLOT), 32)))
  // the array only grows (PayoutBatches pushes, never rewrites): a prefix read at an ancestor's state is still there
  const out: string[] = knownPrefix.length <= length ? [...knownPrefix] : []
  for (let i = out.length; i < length; i += READ_AHEAD) {
    const slots = Array.from({ length: Math.min(READ_AHEAD, length - i) }, (_, k) => (base + BigInt(i + k)) % (1n << 256n))
    for (const v of await Promise.all(slots.map(slot))) out.push(bytesToHex(setLengthLeft(v, 32).subarray(12)))
  }
  return out
}

/** `PayoutBatches.recordEntitlements(epoch, root, entries, newHolders, rollover accounts, amounts, vault balance, next goal)`. */
export function recordEntitlementsCalldata (w: PayoutWrite): Uint8Array {
  const { accounts, amounts } = encodeRollover(w.batch.rollover)
  return ethers.getBytes(batches.encodeFunctionData('recordEntitlements', [
    w.epoch, payoutRootHex(w.batch), encodeEntitlements(w.batch.entries), [...w.newHolders],
    accounts, amounts, w.vault.balanceUsd, w.vault.nextGoalUsd
  ]))
}
