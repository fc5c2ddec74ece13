/**
 * The crdt-benchmarks B3.1 workload ("20√N clients concurrently set number in Map", N = 6,000: 1,540 clients), on
 * plain Yjs in this run, beside its published figure (Yjs 75 ms on an i5-8400 with Node 20), and Lucid's analogue:
 * 1,540 nodes each asserting one thing in their own document (holding a session), signed, merged into one replica
 * with every signature and permission checked.
 */
import * as Y from 'yjs'
import { recordHolding } from '../../crdt/index.js'
import { emit, median, replica, sid } from './support.js'

const N = 6000
const CLIENTS = Math.floor(Math.sqrt(N)) * 20

function b31 (): number {
  const t0 = performance.now()
  const updates: Uint8Array[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const doc = new Y.Doc()
    doc.on('update', (u: Uint8Array) => updates.push(u))
    doc.getMap('map').set('v', i)
  }
  const target = new Y.Doc()
  for (const u of updates) Y.applyUpdate(target, u)
  if (typeof target.getMap('map').get('v') !== 'number') throw new Error('no value')
  return performance.now() - t0
}
const yjs = median([b31(), b31(), b31(), b31(), b31()])

const signed: Uint8Array[] = []
const tw = performance.now()
for (let i = 0; i < CLIENTS; i++) signed.push(...recordHolding(replica(i + 1), sid(1), true, i).map((e) => e.bytes))
const writeMs = performance.now() - tw
const target = replica(0)
const t0 = performance.now()
for (const e of signed) if (target.ingest(e).status !== 'applied') throw new Error('not applied')
const mergeMs = performance.now() - t0

emit({ bench: 'crdt-b3.1-baseline', clients: CLIENTS, yjsMs: Number(yjs.toFixed(1)), publishedYjsMs: 75, publishedOn: 'i5-8400, Node 20 (crdt-benchmarks)', lucidAnalogue: `${CLIENTS} nodes each add themselves as holder; signed envelopes merged into one replica`, lucidWriteAndSignMs: Number(writeMs.toFixed(0)), lucidMergeMs: Number(mergeMs.toFixed(0)) })
