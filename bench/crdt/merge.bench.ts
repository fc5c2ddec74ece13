/**
 * Merge of two replicas diverged by 10,000 chunk entries each (each side's recorder listed 10,000 chunk CIDs the
 * other has not seen), and the encoded size per chunk entry. Lucid's merge is the catch-up exchange: each side
 * takes the other's missing envelopes, checks signature and permissions, applies. Baseline in the same run: plain
 * Yjs, two documents each pushing 10,000 CIDs into a shared Y.Array, merged by state-vector diff both ways.
 */
import * as Y from 'yjs'
import { recordChunks, recordSessionStart, step2Batches, decodeSyncMessage } from '../../crdt/index.js'
import { cid, emit, median, replica, sid, SESSION } from './support.js'

const N = 10_000

function lucidMerge (batch: 'batched' | 'one-per-entry', runs: number): { ms: number, envelopes: number, bytesPerEntryState: number, bytesPerEntryEnvelopes: number } {
  const times: number[] = []
  let envelopes = 0
  let bytesState = 0
  let bytesEnv = 0
  for (let run = 0; run < runs; run++) {
    const a = replica(1)
    const b = replica(2)
    recordSessionStart(a, sid(1), SESSION)
    recordSessionStart(b, sid(2), SESSION)
    const cidsA = Array.from({ length: N }, (_, i) => cid(i))
    const cidsB = Array.from({ length: N }, (_, i) => cid(N + i))
    if (batch === 'batched') { recordChunks(a, sid(1), cidsA); recordChunks(b, sid(2), cidsB) } else {
      for (let i = 0; i < N; i++) { a.write((w) => w.appendChunks(sid(1), [cidsA[i]])); b.write((w) => w.appendChunks(sid(2), [cidsB[i]])) }
    }
    const t0 = performance.now()
    // What travels: step-2 messages, decoded on the other side.
    const send = (from: typeof a, to: typeof a): number => {
      let n = 0
      for (const msg of [...step2Batches([...from.missing(to.vector())].map((e) => e.bytes))].map(decodeSyncMessage)) {
        if (msg.type !== 'step2') throw new Error('bad message')
        for (const e of msg.envelopes) { n++; if (to.ingest(e).status !== 'applied') throw new Error('not applied') }
      }
      return n
    }
    const sent = send(a, b) + send(b, a)
    times.push(performance.now() - t0)
    if (a.stateHash() !== b.stateHash()) throw new Error('replicas differ after merge')
    envelopes = sent
    bytesState = a.encodeState().length / (2 * N)
    bytesEnv = [...a.allEnvelopes()].reduce((s, e) => s + e.bytes.length, 0) / (2 * N)
  }
  return { ms: Number(median(times).toFixed(1)), envelopes, bytesPerEntryState: Number(bytesState.toFixed(1)), bytesPerEntryEnvelopes: Number(bytesEnv.toFixed(1)) }
}

function yjsMerge (): { ms: number, bytesPerEntry: number } {
  const times: number[] = []
  let size = 0
  for (let run = 0; run < 3; run++) {
    const a = new Y.Doc(); const b = new Y.Doc()
    a.getArray('chunks').push(Array.from({ length: N }, (_, i) => cid(i)))
    b.getArray('chunks').push(Array.from({ length: N }, (_, i) => cid(N + i)))
    const t0 = performance.now()
    const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
    const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
    Y.applyUpdate(b, ua); Y.applyUpdate(a, ub)
    times.push(performance.now() - t0)
    size = Y.encodeStateAsUpdate(a).length / (2 * N)
  }
  return { ms: Number(median(times).toFixed(1)), bytesPerEntry: Number(size.toFixed(1)) }
}

const base = yjsMerge()
const batched = lucidMerge('batched', 3)
emit({ bench: 'crdt-merge-10k-chunk-entries-each', entriesPerSide: N, mode: 'chunk lists in updates of 512 CIDs', envelopes: batched.envelopes, ms: batched.ms, baseline: 'plain Yjs: two Y.Arrays, state-vector diff both ways', baselineMs: base.ms })
const single = lucidMerge('one-per-entry', 1)
emit({ bench: 'crdt-merge-10k-chunk-entries-each', entriesPerSide: N, mode: 'one signed update per chunk entry (worst case)', envelopes: single.envelopes, ms: single.ms, baseline: 'plain Yjs: two Y.Arrays, state-vector diff both ways', baselineMs: base.ms })
emit({ bench: 'crdt-encoded-bytes-per-chunk-entry', cidChars: cid(0).length, batchedState: batched.bytesPerEntryState, batchedStoredEnvelopes: batched.bytesPerEntryEnvelopes, onePerEntryState: single.bytesPerEntryState, onePerEntryStoredEnvelopes: single.bytesPerEntryEnvelopes, baseline: 'plain Yjs Y.Array of CID strings', baselineBytes: base.bytesPerEntry })
