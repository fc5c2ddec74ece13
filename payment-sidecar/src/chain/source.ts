// Where final payout batches come from. The sidecar reads the On-System chain only through JSON-RPC (ethers):
// PayoutBatchCommitted events of the batch-commitment contract, in blocks that are final, and the disburser set
// of the signer registry (ParamRegistry.disbursers()) at the final block. A batch committed in parts
// (PayoutBatchPartsCommitted, then one PayoutBatchPart per part) is one batch once its last part is in a final
// block: reported in the window that holds that block, so once for contiguous windows.
import { ethers } from 'ethers'
import { COMMIT_EVENT, PART_EVENT, PARTS_COMMIT_EVENT, decodeBatchPayload, joinBatchPayloads } from '../batch/codec.js'
import type { CommittedBatch } from '../batch/types.js'

export interface BatchSource {
  /** batches committed in final blocks from `fromBlock` on, in chain order, and the last final block looked at */
  finalBatchesSince: (fromBlock: number) => Promise<{ batches: CommittedBatch[], toBlock: number, undecodable: Array<{ blockNumber: number, reason: string }> }>
  /** the 2-of-3 disburser set on chain (0x lowercase) */
  disbursers: () => Promise<string[]>
  /**
   * The root the chain's system write recorded for `epoch` (PayoutBatches.entitlementsOf), 0x lowercase; null when
   * none or a zero root (nothing computed: the epoch is not bound). A committed batch must carry it.
   */
  systemRoot?: (epoch: number) => Promise<string | null>
}

const REGISTRY_ABI = ['function disbursers() view returns (address[3])']
const ENTITLED_ABI = ['function entitlementsOf(uint64 epoch) view returns (bool written, bytes32 root, uint64 blockNumber)']
const COMMITMENT_ABI = ['function commitmentOf(uint64 epoch) view returns (bytes32 root, bytes32 batchHash, uint64 blockNumber, address committer)']
const iface = new ethers.Interface([COMMIT_EVENT, PARTS_COMMIT_EVENT, PART_EVENT])
const topic = iface.getEvent('PayoutBatchCommitted')!.topicHash
const partsTopic = iface.getEvent('PayoutBatchPartsCommitted')!.topicHash
const partTopic = iface.getEvent('PayoutBatchPart')!.topicHash
const MAX_RANGE = 5_000

export class JsonRpcBatchSource implements BatchSource {
  readonly provider: ethers.JsonRpcProvider
  constructor (rpcUrl: string, private readonly opts: { batchContract: string, registry: string, finality: 'finalized' | number }) {
    this.provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 })
  }

  private async finalBlock (): Promise<number> {
    if (this.opts.finality === 'finalized') {
      const b = await this.provider.getBlock('finalized')
      if (b === null) throw new Error('chain: the RPC has no finalized block')
      return b.number
    }
    return Math.max(-1, (await this.provider.getBlockNumber()) - this.opts.finality)
  }

  async finalBatchesSince (fromBlock: number): Promise<{ batches: CommittedBatch[], toBlock: number, undecodable: Array<{ blockNumber: number, reason: string }> }> {
    const toBlock = await this.finalBlock()
    const batches: CommittedBatch[] = []
    const undecodable: Array<{ blockNumber: number, reason: string }> = []
    const partEpochs = new Set<number>()
    for (const log of await this.logs([[topic, partTopic]], fromBlock, toBlock)) {
      try {
        const parsed = iface.parseLog(log)!
        if (parsed.name === 'PayoutBatchPart') { partEpochs.add(Number(parsed.args.epoch)); continue }
        const { entries, approvals } = decodeBatchPayload(parsed.args.batch as string)
        batches.push({ id: (parsed.args.root as string).toLowerCase(), epoch: Number(parsed.args.epoch), blockNumber: log.blockNumber, txHash: log.transactionHash, entries, approvals })
      } catch (e) { undecodable.push({ blockNumber: log.blockNumber, reason: (e as Error).message }) }
    }
    for (const epoch of partEpochs) {
      const r = await this.batchInParts(epoch, toBlock)
      if (r === null || r.blockNumber < fromBlock) continue // incomplete, or completed in an earlier window
      if ('reason' in r) undecodable.push(r)
      else batches.push(r)
    }
    batches.sort((a, b) => a.blockNumber - b.blockNumber)
    return { batches, toBlock, undecodable }
  }

  private async logs (topics: Array<string | string[] | null>, fromBlock: number, toBlock: number): Promise<ethers.Log[]> {
    const out: ethers.Log[] = []
    for (let from = fromBlock; from <= toBlock; from += MAX_RANGE) {
      out.push(...await this.provider.getLogs({ address: this.opts.batchContract, topics, fromBlock: from, toBlock: Math.min(toBlock, from + MAX_RANGE - 1) }))
    }
    return out
  }

  /**
   * The batch of `epoch` committed in parts, as of final block `toBlock`: null while a part is missing; otherwise
   * the batch (head and parts joined, each part checked against its committed hash), dated by the block of its
   * last part, or why it cannot be read.
   */
  private async batchInParts (epoch: number, toBlock: number): Promise<CommittedBatch | { blockNumber: number, reason: string } | null> {
    const [, , committedAt] = await new ethers.Contract(this.opts.batchContract, COMMITMENT_ABI, this.provider).commitmentOf(epoch) as [string, string, bigint]
    const epochTopic = ethers.zeroPadValue(ethers.toBeHex(epoch), 32)
    const logs = await this.logs([[partsTopic, partTopic], epochTopic], Number(committedAt), toBlock)
    const head = logs.find((l) => l.topics[0] === partsTopic)
    if (head === undefined) return null
    const { root, head: headBytes, partHashes } = iface.parseLog(head)!.args as unknown as { root: string, head: string, partHashes: string[] }
    const parts = new Map<number, { bytes: string, log: ethers.Log }>()
    for (const l of logs) {
      if (l.topics[0] !== partTopic) continue
      const a = iface.parseLog(l)!.args
      parts.set(Number(a.part), { bytes: a.batch as string, log: l })
    }
    if (parts.size < partHashes.length) return null
    const last = [...parts.values()].reduce((a, b) => (b.log.blockNumber > a.log.blockNumber ? b : a)).log
    const ordered = partHashes.map((_, i) => parts.get(i))
    const bad = ordered.findIndex((p, i) => p === undefined || ethers.keccak256(p.bytes) !== partHashes[i])
    if (bad >= 0) return { blockNumber: last.blockNumber, reason: `epoch ${epoch}: part ${bad} is not the committed one` }
    try {
      const { entries, approvals } = joinBatchPayloads([headBytes, ...ordered.map((p) => p!.bytes)])
      return { id: root.toLowerCase(), epoch, blockNumber: last.blockNumber, txHash: last.transactionHash, entries, approvals }
    } catch (e) { return { blockNumber: last.blockNumber, reason: `epoch ${epoch}: ${(e as Error).message}` } }
  }

  async disbursers (): Promise<string[]> {
    const registry = new ethers.Contract(this.opts.registry, REGISTRY_ABI, this.provider)
    const set = await registry.disbursers() as string[]
    return [...set].map((a) => a.toLowerCase())
  }

  async systemRoot (epoch: number): Promise<string | null> {
    const batches = new ethers.Contract(this.opts.batchContract, ENTITLED_ABI, this.provider)
    let written: boolean
    let root: string
    // a PayoutBatches without entitlementsOf (an older deployment) has no system-written roots
    try { [written, root] = await batches.entitlementsOf(epoch) as [boolean, string] } catch (e) {
      if ((e as { code?: string }).code === 'CALL_EXCEPTION' || (e as { code?: string }).code === 'BAD_DATA') return null
      throw e
    }
    return written && BigInt(root) !== 0n ? root.toLowerCase() : null
  }
}
