// Where final payout batches come from. The sidecar reads the On-System chain only through JSON-RPC (ethers):
// PayoutBatchCommitted events of the batch-commitment contract, in blocks that are final, and the disburser set
// of the signer registry (ParamRegistry.disbursers()) at the final block.
import { ethers } from 'ethers'
import { COMMIT_EVENT, decodeBatchPayload } from '../batch/codec.js'
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
const iface = new ethers.Interface([COMMIT_EVENT])
const topic = iface.getEvent('PayoutBatchCommitted')!.topicHash
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
    for (let from = fromBlock; from <= toBlock; from += MAX_RANGE) {
      const logs = await this.provider.getLogs({ address: this.opts.batchContract, topics: [topic], fromBlock: from, toBlock: Math.min(toBlock, from + MAX_RANGE - 1) })
      for (const log of logs) {
        try {
          const parsed = iface.parseLog(log)!
          const { entries, approvals } = decodeBatchPayload(parsed.args.batch as string)
          batches.push({ id: (parsed.args.root as string).toLowerCase(), epoch: Number(parsed.args.epoch), blockNumber: log.blockNumber, txHash: log.transactionHash, entries, approvals })
        } catch (e) { undecodable.push({ blockNumber: log.blockNumber, reason: (e as Error).message }) }
      }
    }
    return { batches, toBlock, undecodable }
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
