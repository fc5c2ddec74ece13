/** The chain's Prometheus metrics, registered on the node's registry (served at /metrics with the rest). */
import { Counter, type Registry } from 'prom-client'
import { liveGauge } from '../api/metrics.js'

export interface ChainMetricsSource {
  head: () => number
  finalized: () => number
  slot: () => number
  pooledProofs: () => number
  mempool: () => number
  draftsReused: () => number
  statesKept: () => number
}

export class ChainMetrics {
  readonly blocksProduced: Counter
  readonly blocksImported: Counter<'via'>
  readonly blocksRejected: Counter<'reason'>
  readonly proofsPublished: Counter<'kind'>
  readonly syncs: Counter<'outcome'>
  readonly relayReceipts: Counter<'role' | 'outcome'>
  readonly voteEquivocations: Counter
  readonly cosign: Counter<'role' | 'outcome'>

  constructor (registry: Registry, source: ChainMetricsSource) {
    const r = [registry]
    const gauge = (name: string, help: string, fn: () => number): void => { liveGauge(registry, name, help, fn) }
    gauge('lucid_chain_head_number', 'number of the chain head block', source.head)
    gauge('lucid_chain_finalized_number', 'number of the latest finalized block', source.finalized)
    gauge('lucid_chain_slot', 'current PoOT slot by this node\'s clock', source.slot)
    gauge('lucid_chain_pooled_proofs', 'task proofs waiting to be included', source.pooledProofs)
    gauge('lucid_chain_mempool_transactions', 'transactions in the mempool', source.mempool)
    gauge('lucid_chain_cosigned_drafts_reused', 'pool blocks this member co-signed and then imported with the draft\'s execution (not executed twice), since start', source.draftsReused)
    gauge('lucid_chain_pootstates_kept', 'PoOT states held in memory (the blocks of the finalized credit window and above, and side blocks); older ones are pruned', source.statesKept)
    this.blocksProduced = new Counter({ name: 'lucid_chain_blocks_produced_total', help: 'blocks this node proposed', registers: r })
    this.blocksImported = new Counter({ name: 'lucid_chain_blocks_imported_total', help: 'blocks received, checked and re-executed', labelNames: ['via'], registers: r })
    this.blocksRejected = new Counter({ name: 'lucid_chain_blocks_rejected_total', help: 'blocks refused (gossip or sync)', labelNames: ['reason'], registers: r })
    this.proofsPublished = new Counter({ name: 'lucid_chain_proofs_published_total', help: 'task proofs this node made and gossiped', labelNames: ['kind'], registers: r })
    this.syncs = new Counter({ name: 'lucid_chain_syncs_total', help: 'catch-ups with a peer', labelNames: ['outcome'], registers: r })
    this.voteEquivocations = new Counter({ name: 'lucid_chain_vote_equivocations_total', help: 'double or surround votes caught on gossip (evidence for the next block)', registers: r })
    this.cosign = new Counter({ name: 'lucid_chain_cosign_total', help: 'pool co-signing: answers to this node as leader (signed, refused, bad-signature, unreachable) and requests it served as member (signed, refused)', labelNames: ['role', 'outcome'], registers: r })
    this.relayReceipts = new Counter({ name: 'lucid_chain_relay_receipts_total', help: 'relay receipts for chunk transfers, as receiver (sent to the relayer) and as relayer (countersigned or refused)', labelNames: ['role', 'outcome'], registers: r })
  }
}
