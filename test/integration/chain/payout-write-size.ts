// A payout system write of a given size on a scratch VM at the dev genesis state, run the way the chain runs it (a
// call from the system address, not counted in any block's gas): for the size test and bench/chain/payout-write.
import { ethers } from 'ethers'
import { createVM, type VM } from '@ethereumjs/vm'
import { createBlock } from '@ethereumjs/block'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { SYSTEM_ADDRESS, type Genesis } from '../../../node/src/chain/index.js'
import { payoutBatchesInterface } from '../../../node/src/chain/payout-system.js'
import { encodeBatchPayload, encodeEntitlements, type CommittedEntry, type RouterApproval } from '../../../protocols/poot/payout-commitment.js'

export async function scratchVm (g: Genesis): Promise<VM> {
  const sm = new MerkleStateManager({ common: g.common })
  await sm.generateCanonicalGenesis(g.state)
  return await createVM({ common: g.common, stateManager: sm })
}

/** `n` distinct addresses that are not dev accounts. */
export const syntheticHolders = (n: number, salt = 0): string[] => Array.from({ length: n }, (_, i) => ethers.getAddress('0x' + ethers.id(`holder-${salt}-${i}`).slice(26)).toLowerCase())

/**
 * recordEntitlements(epoch, root, entries, newHolders, rollovers, …) with one end-user (V0 route) entry per holder,
 * each new unless told, and the given rollovers (none by default).
 */
export function recordEntitlementsData (epoch: number, holders: string[], opts: { newHolders?: boolean, rollover?: ReadonlyArray<readonly [string, bigint]> } = {}): Uint8Array {
  const entries: CommittedEntry[] = holders.map((address, index) => ({ index, address, route: 'v0', grossUsd: 1_000_000n + BigInt(index), networkFeeUsd: 1_000n, platformFeeUsd: 0n, netUsd: 999_000n + BigInt(index) }))
  const roll = opts.rollover ?? []
  return ethers.getBytes(payoutBatchesInterface().encodeFunctionData('recordEntitlements', [epoch, ethers.id(`root-${epoch}`), encodeEntitlements(entries), opts.newHolders === false ? [] : holders, roll.map((r) => r[0]), roll.map((r) => r[1]), 0n, 1n]))
}

/** Runs `data` as the system write to PayoutBatches with `gas`; its error (if any) and gas used. */
export async function runSystemWrite (vm: VM, g: Genesis, data: Uint8Array, gas: bigint): Promise<{ error?: string, gasUsed: bigint }> {
  const block = createBlock({ header: { number: 1n, timestamp: 1_700_000_100n, gasLimit: 30_000_000n, baseFeePerGas: 10n ** 9n } }, { common: g.common })
  const r = await vm.evm.runCall({ caller: createAddressFromString(SYSTEM_ADDRESS), to: createAddressFromString(g.contracts.PayoutBatches), data, gasLimit: gas, block })
  return { error: r.execResult.exceptionError?.error, gasUsed: r.execResult.executionGasUsed }
}

/** PayoutBatches.payoutHolders() on the VM's current state. */
export async function storedHolders (vm: VM, g: Genesis): Promise<string[]> {
  const iface = payoutBatchesInterface()
  const r = await vm.evm.runCall({ to: createAddressFromString(g.contracts.PayoutBatches), data: hexToBytes(iface.encodeFunctionData('payoutHolders', []) as `0x${string}`), gasLimit: 10n ** 9n })
  return (iface.decodeFunctionResult('payoutHolders', r.execResult.returnValue)[0] as string[]).map((a) => a.toLowerCase())
}

/**
 * A committed batch of `n` entries as `lucid payout commit` makes it: every other entry a node worker with a
 * 65-byte compliance attestation, two router approvals of two signatures. The signatures are placeholders:
 * PayoutBatches only hashes the payload (the sidecar checks them).
 */
export function syntheticBatch (n: number): { entries: CommittedEntry[], approvals: RouterApproval[] } {
  const signature = '0x' + '5a'.repeat(65)
  const entries: CommittedEntry[] = syntheticHolders(n, 7).map((address, index) => ({
    index, address, route: index % 2 === 0 ? 'kyc' : 'v0', grossUsd: 25_000_000n + BigInt(index), networkFeeUsd: 1_000_000n, platformFeeUsd: 0n, netUsd: 24_000_000n + BigInt(index),
    ...(index % 2 === 0 ? { kyc: { kycHash: ethers.id(`kyc-${index}`), expiry: 1_900_000_000n, signature } } : {})
  }))
  const approval = (route: 'kyc' | 'v0'): RouterApproval =>
    ({ route, root: ethers.id(`router-root-${route}`), total: BigInt(n) * 24_000_000n, deadline: 1_900_000_000n, signatures: [signature, signature] })
  return { entries, approvals: [approval('kyc'), approval('v0')] }
}

/** syntheticBatch's payload (`abi.encode(Entry[], Approval[])`), as committed whole. */
export function syntheticBatchPayload (n: number): string {
  const { entries, approvals } = syntheticBatch(n)
  return encodeBatchPayload(entries, approvals)
}
