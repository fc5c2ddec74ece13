/**
 * What a block's payout system writes recorded, kept with the block (ChainStore `p:` records): per payout epoch the
 * root, the entries, the pool shared out and the rollover. The write makes no receipt, and recomputing it needs the
 * PoOT states of a whole payout epoch before the block, which a long-running node no longer keeps (protocols/poot
 * retire.ts prunes them), so lucid_payoutEntitlements reads these instead. ABI-encoded, as the chain's other payout
 * data is.
 */
import { ethers } from 'ethers'
import { decodeEntitlements, encodeEntitlements } from '../../../protocols/poot/payout-commitment.js'
import { payoutRootHex, type PayoutEntry, type PayoutWrite } from '../../../protocols/poot/index.js'

export interface EntitlementsRecord {
  readonly epoch: number
  /** 0x + 64 hex, as PayoutBatches stores it */
  readonly root: string
  readonly entries: readonly PayoutEntry[]
  /** the pool shared out (USD, 6 decimals) */
  readonly distributedUsd: bigint
  /** entitlements carried to the next epoch, by address */
  readonly rollover: ReadonlyMap<string, bigint>
}

const RECORDS = 'tuple(uint64 epoch, bytes32 root, bytes entries, uint256 distributedUsd, address[] rolloverTo, uint256[] rolloverUsd)[]'
const coder = ethers.AbiCoder.defaultAbiCoder()

export function entitlementsRecord (w: PayoutWrite): EntitlementsRecord {
  return { epoch: w.epoch, root: payoutRootHex(w.batch), entries: w.batch.entries, distributedUsd: w.distributedUsd, rollover: w.batch.rollover }
}

export function encodeEntitlementsRecords (records: readonly EntitlementsRecord[]): Uint8Array {
  return ethers.getBytes(coder.encode([RECORDS], [records.map((r) => [
    r.epoch, r.root, encodeEntitlements(r.entries), r.distributedUsd, [...r.rollover.keys()], [...r.rollover.values()]
  ])]))
}

/** Throws, naming what is wrong, on bytes that are not records this module wrote. */
export function decodeEntitlementsRecords (bytes: Uint8Array): EntitlementsRecord[] {
  let decoded: ethers.Result
  try { decoded = coder.decode([RECORDS], bytes) } catch (e) { throw new Error(`entitlements records are not ABI-encoded: ${(e as Error).message}`) }
  return (decoded[0] as ethers.Result[]).map((r) => {
    const to = (r[4] as string[]).map((a) => a.toLowerCase())
    const usd = r[5] as bigint[]
    if (to.length !== usd.length) throw new Error(`entitlements record of epoch ${String(r[0])}: ${to.length} rollover addresses, ${usd.length} amounts`)
    const entries = decodeEntitlements(r[2] as string).map((e): PayoutEntry => {
      if (e.route === 'unknown') throw new Error(`entitlements record of epoch ${String(r[0])}: entry ${e.index} has an unknown route`)
      return { ...e, route: e.route }
    })
    return { epoch: Number(r[0]), root: (r[1] as string).toLowerCase(), entries, distributedUsd: r[3] as bigint, rollover: new Map(to.map((a, i) => [a, usd[i]])) }
  })
}
