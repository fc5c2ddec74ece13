/**
 * Sending a payout batch to PayoutBatches for `lucid payout commit`: one `commit` when the batch fits one
 * transaction, otherwise `commitParts` (the head with the approvals, the part hashes) and one `publishPart` per part
 * (protocols/poot/payout-commitment.ts' splitBatchPayload). The parts depend on the entries only, so a run that
 * stopped after `commitParts` is completed by the next run: the parts the chain already holds are skipped and the
 * rest published, provided their hashes are the committed ones.
 */
import { ethers } from 'ethers'
import { COMMIT_TYPES, commitValue, partsCommitValue, publishedParts, type SplitPayload } from '../../../../protocols/poot/payout-commitment.js'
import { revertName } from './payout-rpc.js'
import { fail } from './payout-flags.js'

/** Parts sent before waiting for the oldest one's block (8 parts of at most 1.6 MB: well inside the mempool). */
const PARTS_IN_FLIGHT = 8

export interface SentBatch { txHash: string, blockNumber: number, gasUsed: string, parts: number, resumed: boolean }

export interface CommittedParts { hashes: string[], published: ReadonlySet<number> }

/** The part hashes of an epoch committed in parts and which parts are published (null: not committed, or whole). */
export async function pendingParts (batches: ethers.Contract, epoch: number): Promise<CommittedParts | null> {
  const [hashes, bits] = await batches.partsOf(epoch) as [string[], bigint]
  return hashes.length === 0 ? null : { hashes: [...hashes], published: publishedParts(bits, hashes.length) }
}

export async function sendBatch (
  call: ethers.Contract,
  iface: ethers.Interface,
  c: { epoch: number, root: string, split: SplitPayload, signers: ethers.Wallet[], domain: ethers.TypedDataDomain, resume: CommittedParts | null, dryRun: boolean },
  log: (line: string) => void
): Promise<SentBatch | null> {
  const { epoch, root, split } = c
  const sign = async (value: Record<string, unknown>): Promise<string[]> => await Promise.all(c.signers.map(async (s) => await s.signTypedData(c.domain, COMMIT_TYPES, value)))
  const submit = async (what: string, tx: () => Promise<ethers.ContractTransactionResponse>): Promise<{ what: string, sent: ethers.ContractTransactionResponse }> => {
    let sent: ethers.ContractTransactionResponse
    try { sent = await tx() } catch (e) { return fail(`the ${what} transaction was refused: ${revertName(iface, e)}`, 1) }
    log(`sent ${what} ${sent.hash}`)
    return { what, sent }
  }
  const confirmed = async ({ what, sent }: { what: string, sent: ethers.ContractTransactionResponse }): Promise<ethers.TransactionReceipt> => {
    const receipt = await sent.wait()
    if (receipt === null || receipt.status !== 1) return fail(`the ${what} transaction ${sent.hash} failed`, 1)
    return receipt
  }
  const send = async (what: string, tx: () => Promise<ethers.ContractTransactionResponse>): Promise<ethers.TransactionReceipt> => await confirmed(await submit(what, tx))

  if ('whole' in split) {
    const sigs = await sign(commitValue(epoch, root, split.whole))
    try { await call.commit.staticCall(epoch, root, split.whole, sigs) } catch (e) { return fail(`PayoutBatches refused the commit: ${revertName(iface, e)}`, 1) }
    if (c.dryRun) return null
    const r = await send('commit', async () => await call.commit(epoch, root, split.whole, sigs))
    return { txHash: r.hash, blockNumber: r.blockNumber, gasUsed: r.gasUsed.toString(), parts: 1, resumed: false }
  }

  const hashes = split.parts.map((p) => ethers.keccak256(p))
  const receipts: ethers.TransactionReceipt[] = []
  let published: ReadonlySet<number> = new Set()
  if (c.resume !== null) {
    if (c.resume.hashes.length !== hashes.length || c.resume.hashes.some((h, i) => h.toLowerCase() !== hashes[i])) {
      return fail(`epoch ${epoch} is already committed in ${c.resume.hashes.length} parts whose hashes are not this batch's ${hashes.length}: one batch per epoch`, 1)
    }
    published = c.resume.published
    log(`epoch ${epoch} is committed in ${hashes.length} parts; publishing the ${hashes.length - published.size} not published yet`)
  } else {
    const sigs = await sign(partsCommitValue(epoch, root, split.head, split.parts))
    try { await call.commitParts.staticCall(epoch, root, split.head, hashes, sigs) } catch (e) { return fail(`PayoutBatches refused the commit: ${revertName(iface, e)}`, 1) }
    if (c.dryRun) return null
    receipts.push(await send(`commit of ${hashes.length} parts`, async () => await call.commitParts(epoch, root, split.head, hashes, sigs)))
  }
  if (c.dryRun) return null
  // the parts go out PARTS_IN_FLIGHT at a time (each send takes the next nonce), then every receipt is checked; a
  // part another run's transaction published meanwhile is done, not an error
  const isPublished = async (i: number): Promise<boolean> => (await pendingParts(call, epoch))?.published.has(i) === true
  const unlessPublished = async <T>(i: number, step: () => Promise<T>): Promise<T | null> => {
    try { return await step() } catch (e) {
      if (!await isPublished(i)) throw e
      log(`part ${i + 1} of ${hashes.length} was published by another transaction`)
      return null
    }
  }
  const inFlight: Array<{ i: number, tx: Awaited<ReturnType<typeof submit>> }> = []
  const settle = async (p: { i: number, tx: Awaited<ReturnType<typeof submit>> }): Promise<void> => {
    const r = await unlessPublished(p.i, async () => await confirmed(p.tx))
    if (r !== null) receipts.push(r)
  }
  for (const [i, part] of split.parts.entries()) {
    if (published.has(i)) continue
    if (inFlight.length === PARTS_IN_FLIGHT) await settle(inFlight.shift()!)
    const tx = await unlessPublished(i, async () => await submit(`part ${i + 1} of ${hashes.length}`, async () => await call.publishPart(epoch, i, part)))
    if (tx !== null) inFlight.push({ i, tx })
  }
  for (const p of inFlight) await settle(p)
  const last = receipts[receipts.length - 1]
  if (last === undefined) return fail(`epoch ${epoch} is already committed, every one of its ${hashes.length} parts published: one batch per epoch`, 1)
  return { txHash: last.hash, blockNumber: last.blockNumber, gasUsed: receipts.reduce((s, r) => s + r.gasUsed, 0n).toString(), parts: hashes.length, resumed: c.resume !== null }
}

