/**
 * Catch-up of a node 10,000 updates behind: one author wrote 10,000 updates (session starts, seals, holding changes)
 * while the node was away; the node sends its vector, receives the missing envelopes in step-2 batches and ingests
 * them (signature, permission check, apply), in process (the libp2p stream adds framing only). Measured with OpenSSL
 * Ed25519 (the node's) and with the pure-JS verifier. Baseline in the same run: plain Yjs catch-up of the same
 * 10,000 map writes as one state-vector diff (no signatures, no checks).
 */
import * as Y from 'yjs'
import { SwarmState, recordSessionStart, recordSealed, recordHolding, step2Batches, decodeSyncMessage, nobleVerify } from '../../crdt/index.js'
import { cid, emit, key, replica, sid, SESSION } from './support.js'
import { connect, startPeer, stopPeer, tempDir } from '../../test/integration/state/support.js'

const UPDATES = 10_000
const author = replica(1)
let written = 0
for (let i = 1; written < UPDATES; i++) {
  written += recordSessionStart(author, sid(i), { ...SESSION, createdAt: i }).length
  if (written < UPDATES) written += recordSealed(author, sid(i), [cid(i)], { manifest: cid(i).replace('bafkrei', 'bafyrei'), merkleRoot: 'ab'.repeat(32), chunkCount: 1, plaintextSize: 1, sealedAt: i }).length
  if (written < UPDATES) written += recordHolding(author, sid(i), false, i).length
}
if (author.ownSeq !== UPDATES) throw new Error(`wrote ${author.ownSeq}`)

function catchUp (node: SwarmState): { ms: number, messages: number, bytes: number } {
  const t0 = performance.now()
  let messages = 0; let bytes = 0
  for (const msg of step2Batches([...author.missing(node.vector())].map((e) => e.bytes))) {
    messages++; bytes += msg.length
    const m = decodeSyncMessage(msg)
    if (m.type !== 'step2') throw new Error('bad message')
    for (const e of m.envelopes) node.ingest(e)
  }
  const ms = performance.now() - t0
  if (node.stateHash() !== author.stateHash()) throw new Error('did not converge')
  return { ms: Number(ms.toFixed(0)), messages, bytes }
}

const fast = catchUp(replica(2))
let r = 3
const slow = catchUp(new SwarmState({ secretKey: key(3), random: () => (r = (r * 48271) % 2147483647), verify: nobleVerify }))

const doc = new Y.Doc()
const map = doc.getMap('m')
for (let i = 0; i < UPDATES; i++) map.set(`k${i % 3333}`, i)
const fresh = new Y.Doc()
const t0 = performance.now()
Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(fresh)))
const yjsMs = performance.now() - t0

emit({ bench: 'crdt-catch-up-10k-updates', updatesBehind: UPDATES, step2Messages: fast.messages, bytes: fast.bytes, msOpenSSL: fast.ms, usPerUpdateOpenSSL: Number((fast.ms * 1000 / UPDATES).toFixed(0)), msNobleVerify: slow.ms, baseline: 'plain Yjs: 10,000 map writes caught up as one state-vector diff (no signatures, no checks)', baselineMs: Number(yjsMs.toFixed(1)) })

// Over real libp2p: node A (LevelDB) has the 10,000 envelopes; node B starts empty, dials A, and the catch-up runs
// on connect (TCP on 127.0.0.1, noise, yamux, length-prefixed sync messages; B stores every envelope in LevelDB).
const tmp = await tempDir()
const a = await startPeer(1, tmp.dir, { syncIntervalMs: 0 })
for (const e of author.allEnvelopes()) a.svc.state.ingest(e.bytes)
await a.svc.persistence.flush()
const b = await startPeer(2, tmp.dir, { syncIntervalMs: 0 })
const target = a.svc.state.stateHash()
const tNet = performance.now()
await connect(b, a)
while (b.svc.state.stateHash() !== target) await new Promise((resolve) => setTimeout(resolve, 20))
const netMs = performance.now() - tNet
await b.svc.persistence.flush()
const storedMs = performance.now() - tNet
await stopPeer(a); await stopPeer(b); await tmp.cleanup()
emit({ bench: 'crdt-catch-up-10k-updates-libp2p', updatesBehind: UPDATES, transport: 'TCP 127.0.0.1, noise, yamux; both nodes on LevelDB', msUntilConverged: Number(netMs.toFixed(0)), msUntilStored: Number(storedMs.toFixed(0)), baseline: 'in-process catch-up above (same checks, no transport or storage)', baselineMs: fast.ms })
