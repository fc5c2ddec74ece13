/**
 * Helpers for state integration tests: real libp2p 3 peers (TCP on 127.0.0.1, noise, yamux, identify, gossipsub 17
 * with the state topic scored) with their own LevelDB datastores, a connection gater for partitions, and a
 * StateService each.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { LevelDatastore } from 'datastore-level'
import { ed25519 } from '@noble/curves/ed25519.js'
import { TOPIC_STATE } from '../../../crdt/constants.js'
import { StateService, type StateLibp2p } from '../../../node/src/state/service.js'
import { stateTopicScoreParams } from '../../../node/src/state/score.js'

export interface Peer {
  index: number
  secretKey: Uint8Array
  libp2p: Libp2p<{ pubsub: GossipSub, identify: unknown }>
  datastore: LevelDatastore
  svc: StateService
  blocked: Set<string>
  dir: string
  logs: string[]
}

export async function tempDir (): Promise<{ dir: string, cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lucid-state-'))
  return { dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export function secretKeyOf (n: number): Uint8Array {
  const k = new Uint8Array(32); k[0] = 0x51; k[1] = n; return k
}

export async function startPeer (index: number, dir: string, opts: { syncIntervalMs?: number, compactEvery?: number, secretKey?: Uint8Array } = {}): Promise<Peer> {
  const secretKey = opts.secretKey ?? secretKeyOf(index)
  const blocked = new Set<string>()
  const libp2p = await createLibp2p({
    privateKey: privateKeyFromRaw(new Uint8Array([...secretKey, ...ed25519.getPublicKey(secretKey)])),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: (p) => blocked.has(p.toString()),
      denyInboundEncryptedConnection: (p) => blocked.has(p.toString()),
      denyOutboundEncryptedConnection: (p) => blocked.has(p.toString())
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        allowedTopics: [TOPIC_STATE],
        maxInboundDataLength: 256 * 1024,
        scoreParams: { topics: { [TOPIC_STATE]: stateTopicScoreParams() }, appSpecificWeight: 0, IPColocationFactorWeight: 0, decayInterval: 1000, decayToZero: 0.01, retainScore: 3600_000 },
        scoreThresholds: { gossipThreshold: -10, publishThreshold: -40, graylistThreshold: -80, acceptPXThreshold: 5, opportunisticGraftThreshold: 2 }
      })
    }
  })
  const datastore = new LevelDatastore(join(dir, `node-${index}`, 'datastore'))
  await datastore.open()
  const logs: string[] = []
  const log = {
    info: (o: object, m: string) => { logs.push(`${m} ${JSON.stringify(o)}`) },
    warn: (o: object, m: string) => { logs.push(`WARN ${m} ${JSON.stringify(o)}`) },
    debug: (_o: object, _m: string) => {}
  }
  const svc = await StateService.start({ libp2p: libp2p as unknown as StateLibp2p, datastore, secretKey, log, syncIntervalMs: opts.syncIntervalMs ?? 1000, compactEvery: opts.compactEvery })
  return { index, secretKey, libp2p: libp2p as Peer['libp2p'], datastore, svc, blocked, dir, logs }
}

export async function stopPeer (p: Peer): Promise<void> {
  await p.svc.stop()
  await p.libp2p.stop()
  await p.datastore.close()
}

/** Dials b from a, retrying: a dial racing the other side's dial (or a closing connection) can be reset. */
export async function connect (a: Peer, b: Peer): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (a.libp2p.getPeers().some((p) => p.equals(b.libp2p.peerId))) return
    try {
      await a.libp2p.dial(b.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
      return
    } catch (err) {
      if (attempt >= 10) throw err
      await new Promise((resolve) => setTimeout(resolve, 100 + 100 * attempt))
    }
  }
}

export { waitFor } from '../../support/wait-for.js'

export const SESSION = (createdAt: number, owner = 'alice'): { owner: string, participants: string[], policyHash: string, createdAt: number } =>
  ({ owner, participants: ['bob'], policyHash: '00'.repeat(32), createdAt })

export function sid (n: number): string { return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` }
export function cid (n: number): string { return 'bafkrei' + n.toString(32).padStart(52, 'a').replace(/[0-1]/g, 'q').replace(/[8-9]/g, 'z').slice(0, 52) }
export const seal = (chunkCount: number, at = 2): { manifest: string, merkleRoot: string, chunkCount: number, plaintextSize: number, sealedAt: number } =>
  ({ manifest: 'bafyrei' + 'a'.repeat(52), merkleRoot: 'ab'.repeat(32), chunkCount, plaintextSize: 10, sealedAt: at })
