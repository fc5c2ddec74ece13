/**
 * The catch-up protocol (crdt/sync.ts) over one libp2p stream, length-prefixed. The dialler sends its vector and
 * receives what it lacks; the listener then sends its own vector and receives what it lacks. Every envelope received
 * goes through the same check as gossip; invalid ones are reported (the caller penalises the peer).
 */
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { MAX_SYNC_MESSAGE_BYTES } from '../../../crdt/constants.js'
import { decodeSyncMessage, encodeStep1, encodeStep2, step2Batches, type VectorEntry } from '../../../crdt/sync.js'
import type { SwarmState, IngestResult } from '../../../crdt/state.js'

export interface SyncOutcome { sent: number, received: number, applied: number, rejected: number }

export type OnIngest = (result: IngestResult) => void

type Lp = ReturnType<typeof lpStream>

async function readMessage (lp: Lp, signal: AbortSignal): Promise<ReturnType<typeof decodeSyncMessage>> {
  const data = await lp.read({ signal })
  return decodeSyncMessage(data.subarray())
}

async function sendMissing (lp: Lp, state: SwarmState, vector: VectorEntry[], signal: AbortSignal): Promise<number> {
  let sent = 0
  const envelopes = [...state.missing(vector)]
  for (const batch of step2Batches(envelopes.map((e) => e.bytes))) await lp.write(batch, { signal })
  sent += envelopes.length
  await lp.write(encodeStep2([]), { signal })
  return sent
}

async function receiveMissing (lp: Lp, state: SwarmState, from: string, onIngest: OnIngest, out: SyncOutcome, signal: AbortSignal): Promise<void> {
  for (;;) {
    const msg = await readMessage(lp, signal)
    if (msg.type !== 'step2') throw new Error('expected sync step 2')
    if (msg.envelopes.length === 0) return
    for (const e of msg.envelopes) {
      out.received++
      const r = state.ingest(e, from)
      if (r.status === 'applied') out.applied += r.applied.length
      if (r.status === 'rejected') out.rejected++
      onIngest(r)
    }
  }
}

/** Dialler side. */
export async function syncAsDialler (stream: Stream, state: SwarmState, remote: string, onIngest: OnIngest, signal: AbortSignal): Promise<SyncOutcome> {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES })
  const out: SyncOutcome = { sent: 0, received: 0, applied: 0, rejected: 0 }
  await lp.write(encodeStep1(state.vector()), { signal })
  await receiveMissing(lp, state, remote, onIngest, out, signal)
  const theirs = await readMessage(lp, signal)
  if (theirs.type !== 'step1') throw new Error('expected sync step 1')
  out.sent = await sendMissing(lp, state, theirs.vector, signal)
  await stream.close({ signal })
  return out
}

/** Listener side. */
export async function syncAsListener (stream: Stream, state: SwarmState, remote: string, onIngest: OnIngest, signal: AbortSignal): Promise<SyncOutcome> {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES })
  const out: SyncOutcome = { sent: 0, received: 0, applied: 0, rejected: 0 }
  const first = await readMessage(lp, signal)
  if (first.type !== 'step1') throw new Error('expected sync step 1')
  out.sent = await sendMissing(lp, state, first.vector, signal)
  await lp.write(encodeStep1(state.vector()), { signal })
  await receiveMissing(lp, state, remote, onIngest, out, signal)
  await stream.close({ signal }).catch(() => {})
  return out
}
