/**
 * The libp2p configuration of a Lucid node: TCP + WebSockets, noise, yamux, identify, ping, Lucid's own kad-dht in
 * server mode, @libp2p/gossipsub with our scoring, bootstrap and optional mDNS, a connection manager bounded by
 * maxPeers. Bitswap is added by Helia (withBitswap).
 */
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { tls } from '@libp2p/tls'
import { yamuxWithWindow } from './yamux-window.js'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, type KadDHT } from '@libp2p/kad-dht'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { bootstrap } from '@libp2p/bootstrap'
import { mdns } from '@libp2p/mdns'
import type { PrivateKey, PeerDiscovery } from '@libp2p/interface'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { Libp2pOptions } from 'libp2p'
import { KAD_PROTOCOL, TOPICS } from '../../../protocols/swarm/constants.js'
import { MAX_HEARTBEAT_BYTES } from '../../../protocols/swarm/constants.js'
import { scoreParams, SCORE_THRESHOLDS, topicScoreParams } from './scoring.js'
// Session state (issue 4): its gossip topic and that topic's score parameters.
import { TOPIC_STATE } from '../../../crdt/constants.js'
import { stateTopicScoreParams } from '../state/score.js'
// The chain (issue 7, docs/chain.md): block and task-proof topics.
import { CHAIN_TOPICS, MAX_GOSSIP_BLOCK_BYTES, TOPIC_BLOCKS, TOPIC_PROOFS, TOPIC_TXS } from '../chainnet/constants.js'

/** The receive window each yamux stream grants its sender (bench/swarm/transfer.bench.ts). */
export const YAMUX_STREAM_WINDOW = 4 * 1024 * 1024

export interface SwarmServices {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  [key: string]: unknown
}

export interface Libp2pSettings {
  privateKey: PrivateKey
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  maxPeers: number
  /** On loopback/private networks keep private addresses in the DHT. */
  lanDht: boolean
  ipColocationWeight?: number
}

export function libp2pOptions (s: Libp2pSettings): Libp2pOptions<SwarmServices> {
  const discovery: Array<(components: any) => PeerDiscovery> = []
  if (s.bootstrap.length > 0) discovery.push(bootstrap({ list: s.bootstrap, timeout: 100, tagTTL: 3_600_000 }))
  if (s.mdns) discovery.push(mdns({ interval: 5000 }))
  return {
    privateKey: s.privateKey,
    addresses: { listen: s.listen },
    transports: [tcp(), webSockets()],
    // TLS 1.3 first (libp2p's TLS handshake; Node's OpenSSL does the record layer, AES-GCM with the CPU's AES
    // instructions), noise for peers that offer only noise (a stock peer may): one libp2p stream carried 1.4-1.8x
    // the bytes at half the receiver's CPU per MB (bench/swarm/transfer.bench.ts, docs/swarm.md)
    connectionEncrypters: [tls(), noise()],
    // Each stream starts at the protocol's 256 KiB window and we grant 4 MiB as receiver in the stream's first window
    // update (yamux-window.ts): bitswap opens a stream per message, and at 256 KiB per round trip every multi-block
    // message stalled. The read buffer is raised from 4 MiB: Helia's bitswap handler closes its side before it starts
    // reading an incoming stream, a stream carrying several blocks overflowed the 4 MiB buffer meanwhile and was
    // aborted, and the wants it answered were lost.
    streamMuxers: [yamuxWithWindow({ streamOptions: { maxStreamWindowSize: 16 * 1024 * 1024, inactivityTimeout: 120_000, maxReadBufferLength: 64 * 1024 * 1024, maxWriteBufferLength: Infinity } }, YAMUX_STREAM_WINDOW)],
    connectionManager: { maxConnections: s.maxPeers },
    // libp2p's connection monitor pings every connection each 10 s and by default aborts it when a ping fails or runs
    // past its adaptive timeout, which a busy event loop (a 256 MiB transfer, 20 nodes in one process) does often.
    // Each abort removed the peer from gossipsub, and when libp2p reconnected before its (asynchronous) disconnect
    // handling ran, gossipsub dropped the new connection's peer too and never took it back: nodes ended up gossiping
    // with 2-4 of their 12-18 connected peers and some announcements reached nobody (bench/swarm/announce.bench.ts:
    // 1,500 gossip peer removals per run; none with this). Broken connections still close on transport errors.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    peerDiscovery: discovery,
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: KAD_PROTOCOL,
        clientMode: false,
        peerInfoMapper: s.lanDht ? passthroughMapper : removePrivateAddressesMapper,
        allowQueryWithZeroPeers: true
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        allowedTopics: [...TOPICS, TOPIC_STATE, ...CHAIN_TOPICS],
        // Larger than our own limits, so that oversize messages reach the validator and cost the sender score.
        maxInboundDataLength: Math.max(4 * MAX_HEARTBEAT_BYTES, MAX_GOSSIP_BLOCK_BYTES + 64 * 1024),
        scoreParams: withStateTopic(scoreParams(s.ipColocationWeight ?? 0)),
        scoreThresholds: SCORE_THRESHOLDS
      })
    }
  } as Libp2pOptions<SwarmServices>
}

/** Adds the session-state topic (docs/crdt.md) and the chain's topics (docs/chain.md) to the swarm's score parameters. */
function withStateTopic (p: ReturnType<typeof scoreParams>): ReturnType<typeof scoreParams> {
  // an invalid block or forged proof costs as much as an invalid announcement
  return { ...p, topics: { ...p.topics, [TOPIC_STATE]: stateTopicScoreParams(), [TOPIC_BLOCKS]: topicScoreParams(1), [TOPIC_PROOFS]: topicScoreParams(1), [TOPIC_TXS]: topicScoreParams(1) } }
}
