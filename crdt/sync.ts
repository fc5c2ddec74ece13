/**
 * The catch-up protocol's messages, pure encode/decode over lib0 (transports are in node/src/state/). It follows
 * y-protocols' sync steps and reuses their message numbers, but what travels is signed envelopes, not raw Yjs
 * updates, so that a catch-up answer is checked exactly like gossip (a peer cannot forge another author's update by
 * computing a diff):
 *
 *   step 1 (messageYjsSyncStep1 = 0): the sender's vector: varUint n ‖ n × (varUint8Array author (32) ‖ varUint seq ‖ head (16))
 *                                      head = the author's log hash chain at seq (state.ts), so diverged logs are noticed
 *   step 2 (messageYjsSyncStep2 = 1): envelopes the receiver lacks: varUint n ‖ n × varUint8Array envelope;
 *                                      a step 2 with n = 0 ends the answer
 *
 * Exchange on one stream: the dialler sends step 1; the listener answers with step-2 batches, an empty step 2, then
 * its own step 1; the dialler answers that with step-2 batches and an empty step 2, and closes. Both sides end with
 * the union of what they had.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { messageYjsSyncStep1, messageYjsSyncStep2 } from 'y-protocols/sync'
import { MAX_SYNC_MESSAGE_BYTES, MAX_VECTOR_AUTHORS } from './constants.js'

export const STEP1 = messageYjsSyncStep1
export const STEP2 = messageYjsSyncStep2

export interface VectorEntry { author: Uint8Array, seq: number, head: Uint8Array }
export const HEAD_BYTES = 16
export type SyncMessage = { type: 'step1', vector: VectorEntry[] } | { type: 'step2', envelopes: Uint8Array[] }

export function encodeStep1 (vector: VectorEntry[]): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, STEP1)
  encoding.writeVarUint(enc, vector.length)
  for (const v of vector) { encoding.writeVarUint8Array(enc, v.author); encoding.writeVarUint(enc, v.seq); encoding.writeUint8Array(enc, v.head) }
  return encoding.toUint8Array(enc)
}

export function encodeStep2 (envelopes: Uint8Array[]): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, STEP2)
  encoding.writeVarUint(enc, envelopes.length)
  for (const e of envelopes) encoding.writeVarUint8Array(enc, e)
  return encoding.toUint8Array(enc)
}

/** Cuts envelopes into step-2 messages of at most MAX_SYNC_MESSAGE_BYTES each (the empty terminator not included). */
export function * step2Batches (envelopes: Iterable<Uint8Array>, limit = MAX_SYNC_MESSAGE_BYTES): Generator<Uint8Array> {
  let batch: Uint8Array[] = []
  let size = 16
  for (const e of envelopes) {
    if (batch.length > 0 && size + e.length + 8 > limit) { yield encodeStep2(batch); batch = []; size = 16 }
    batch.push(e)
    size += e.length + 8
  }
  if (batch.length > 0) yield encodeStep2(batch)
}

export class SyncDecodeError extends Error {}

export function decodeSyncMessage (bytes: Uint8Array): SyncMessage {
  if (bytes.length > MAX_SYNC_MESSAGE_BYTES) throw new SyncDecodeError(`sync message of ${bytes.length} bytes is over the limit`)
  try {
    const dec = decoding.createDecoder(bytes)
    const type = decoding.readVarUint(dec)
    const n = decoding.readVarUint(dec)
    let msg: SyncMessage
    if (type === STEP1) {
      if (n > MAX_VECTOR_AUTHORS) throw new SyncDecodeError(`vector of ${n} authors is over the limit`)
      const vector: VectorEntry[] = []
      for (let i = 0; i < n; i++) {
        const author = decoding.readVarUint8Array(dec)
        if (author.length !== 32) throw new SyncDecodeError('vector author must be 32 bytes')
        vector.push({ author, seq: decoding.readVarUint(dec), head: decoding.readUint8Array(dec, HEAD_BYTES) })
      }
      msg = { type: 'step1', vector }
    } else if (type === STEP2) {
      const envelopes: Uint8Array[] = []
      for (let i = 0; i < n; i++) {
        // Each envelope's own limits are checked by ingest, which also attributes the offence to the sender.
        envelopes.push(decoding.readVarUint8Array(dec))
      }
      msg = { type: 'step2', envelopes }
    } else {
      throw new SyncDecodeError(`unknown sync message type ${type}`)
    }
    if (decoding.hasContent(dec)) throw new SyncDecodeError('trailing bytes')
    return msg
  } catch (err) {
    if (err instanceof SyncDecodeError) throw err
    throw new SyncDecodeError(`malformed sync message (${(err as Error).message})`)
  }
}
