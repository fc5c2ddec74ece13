/** Prometheus metrics of a node (`GET /metrics`). Gauges are computed at scrape time from the node's state. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export interface MetricsSource {
  peers: () => number
  members: () => number
  storedBytes: () => number
  sessionsHeld: () => number
  sessionsKnown: () => number
  replicationDeficit: () => number
  sessionsRetained: () => number
}

/** A gauge read from `fn` at each scrape. */
export function liveGauge (registry: Registry, name: string, help: string, fn: () => number): void {
  // eslint-disable-next-line no-new
  new Gauge({ name, help, registers: [registry], collect () { this.set(fn()) } })
}

export class NodeMetrics {
  readonly registry = new Registry()
  readonly gossipIn: Counter<'topic'>
  readonly gossipOut: Counter<'topic'>
  readonly gossipRejected: Counter<'topic' | 'reason'>
  readonly bitswapServed: Counter
  readonly bitswapReceived: Counter
  readonly ingestBytes: Counter
  readonly ingestSeconds: Counter
  readonly incidents: Counter<'kind'>

  constructor (source: MetricsSource) {
    const r = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'lucid_' })
    const gauge = (name: string, help: string, fn: () => number): void => { liveGauge(this.registry, name, help, fn) }
    gauge('lucid_peers', 'libp2p peers with an open connection', source.peers)
    gauge('lucid_swarm_members', 'Lucid nodes whose heartbeats arrived within the grace period (self excluded)', source.members)
    gauge('lucid_store_bytes', 'bytes of the sessions this node holds (chunks + manifests)', source.storedBytes)
    gauge('lucid_sessions_held', 'sessions held (verified and pinned) here', source.sessionsHeld)
    gauge('lucid_sessions_known', 'sessions known from announcements', source.sessionsKnown)
    gauge('lucid_replication_deficit', 'sum over known sessions of the live holders missing to reach R', source.replicationDeficit)
    gauge('lucid_sessions_retained', 'sessions handed over to their desired holders but still pinned: the chain still owes them (a holding claim or an open challenge)', source.sessionsRetained)
    this.gossipIn = new Counter({ name: 'lucid_gossip_messages_received_total', help: 'gossip messages received (before validation)', labelNames: ['topic'], registers: r })
    this.gossipOut = new Counter({ name: 'lucid_gossip_messages_published_total', help: 'gossip messages published by this node', labelNames: ['topic'], registers: r })
    this.gossipRejected = new Counter({ name: 'lucid_gossip_messages_rejected_total', help: 'gossip messages rejected by validation', labelNames: ['topic', 'reason'], registers: r })
    this.bitswapServed = new Counter({ name: 'lucid_bitswap_served_bytes_total', help: 'block bytes read from the store to serve other peers', registers: r })
    this.bitswapReceived = new Counter({ name: 'lucid_bitswap_received_bytes_total', help: 'block bytes fetched from other peers', registers: r })
    this.ingestBytes = new Counter({ name: 'lucid_ingest_bytes_total', help: 'plaintext bytes sealed by this node', registers: r })
    this.ingestSeconds = new Counter({ name: 'lucid_ingest_seconds_total', help: 'seconds spent sealing; ingest throughput = rate(bytes) / rate(seconds)', registers: r })
    this.incidents = new Counter({ name: 'lucid_incidents_total', help: 'incidents recorded (e.g. a session ID announced twice with different manifests)', labelNames: ['kind'], registers: r })
  }
}
