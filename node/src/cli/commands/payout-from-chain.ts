/**
 * `lucid payout commit --from-chain <epoch>`: the batch is the one the chain's system write recorded for the epoch.
 * Its entries come from the node (lucid_payoutEntitlements: the write makes no receipt, the node recomputes them
 * from the writing block's parent); this side recomputes their BLAKE3 root and requires it to be the root
 * PayoutBatches stores (entitlementsOf), so a node cannot hand the disbursers other entries than the chain's.
 */
import { ethers } from 'ethers'
import { encodePayoutEntry, type PayoutBatch, type PayoutEntry } from '../../../../protocols/poot/payouts.js'
import { leafHash, merkleRoot } from '../../../../protocols/poot/merkle.js'
import { decodeEntitlements } from '../../../../protocols/poot/payout-commitment.js'

interface RpcEntitlements { epoch: number, root: string, blockNumber: string, entries: string, rollover: Record<string, string> }

export async function readChainEntitlements (provider: ethers.JsonRpcProvider, batches: ethers.Contract, epoch: number, fail: (message: string) => never): Promise<PayoutBatch> {
  const [written, root, block] = await batches.entitlementsOf(epoch) as [boolean, string, bigint]
  if (!written) return fail(`--from-chain ${epoch}: the chain has not written that epoch's entitlements (yet): they are written at the first block of epoch ${epoch + 1}`)
  if (BigInt(root) === 0n) return fail(`--from-chain ${epoch}: the chain's entitlements of epoch ${epoch} pay nothing (no income declared and no rollover due; block ${block})`)
  let got: RpcEntitlements | null
  try { got = await provider.send('lucid_payoutEntitlements', [epoch]) as RpcEntitlements | null } catch (e) { return fail(`--from-chain ${epoch}: lucid_payoutEntitlements: ${(e as Error).message}`) }
  if (got === null) return fail(`--from-chain ${epoch}: the node has no entitlements for epoch ${epoch}`)
  let entries: PayoutEntry[]
  try {
    entries = decodeEntitlements(got.entries).map((e) => {
      if (e.route === 'unknown') throw new Error(`entry ${e.index} has an unknown route`)
      return { ...e, route: e.route }
    })
  } catch (e) { return fail(`--from-chain ${epoch}: ${(e as Error).message}`) }
  const computed = merkleRoot(entries.map((e) => leafHash(encodePayoutEntry(epoch, e))))
  if (ethers.hexlify(computed) !== root.toLowerCase()) return fail(`--from-chain ${epoch}: the node's entries have root ${ethers.hexlify(computed)}, not the root ${root} PayoutBatches recorded`)
  return { epoch, entries, rollover: new Map(Object.entries(got.rollover).map(([a, v]) => [a, BigInt(v)])), root: computed }
}
