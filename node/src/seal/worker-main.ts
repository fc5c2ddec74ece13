/** Runs seal and open jobs on a worker thread with the pure session-format functions. */
import { parentPort } from 'node:worker_threads'
import { chunkKey } from '../../../protocols/session/chunk-key.js'
import { openChunk, sealChunk } from '../../../protocols/session/chunk.js'
import { sha256 } from '../../../protocols/session/cid.js'
import { equalBytes } from '../../../protocols/session/bytes.js'
import { leafHash } from '../../../protocols/session/merkle.js'
import { SessionError } from '../../../protocols/session/errors.js'
import type { Job, JobReply } from './worker-protocol.js'

function run (job: Job): { reply: JobReply, transfer: ArrayBuffer[] } {
  const key = chunkKey(job.sessionKey, job.sessionId, job.index)
  if (job.op === 'seal') {
    const blob = sealChunk({ chunkKey: key, sessionId: job.sessionId, index: job.index, plaintext: job.plaintext, nonce: job.nonce }, job.spare)
    return { reply: { id: job.id, blob, cidDigest: sha256(blob), leaf: leafHash(blob), plaintext: job.plaintext }, transfer: [blob.buffer as ArrayBuffer, job.plaintext.buffer as ArrayBuffer] }
  }
  const cidDigest = sha256(job.blob)
  const leaf = leafHash(job.blob)
  if (!equalBytes(cidDigest, job.expectedDigest)) return { reply: { id: job.id, cidDigest, leaf }, transfer: [] }
  const plaintext = openChunk({ chunkKey: key, sessionId: job.sessionId, index: job.index, blob: job.blob, plaintextLength: job.plaintextLength })
  const copy = plaintext.byteOffset === 0 && plaintext.byteLength === plaintext.buffer.byteLength ? plaintext : plaintext.slice()
  return { reply: { id: job.id, plaintext: copy, cidDigest, leaf }, transfer: [copy.buffer as ArrayBuffer] }
}

// A job leaves chunk-sized temporaries behind (the zstd frame, OpenSSL's output slices); a minor GC after each job
// frees them at once instead of letting them pile up until V8's external-memory heuristics notice. `gc` is there
// because the pool turns --expose-gc on before it starts its workers (worker-pool.ts).
const collect = (globalThis as { gc?: (opts?: { type: 'minor' | 'major', execution: 'sync' | 'async' }) => void }).gc

parentPort?.on('message', (job: Job) => {
  try {
    const { reply, transfer } = run(job)
    parentPort?.postMessage(reply, transfer)
    collect?.({ type: 'minor', execution: 'sync' })
  } catch (err) {
    const e = err as Error
    parentPort?.postMessage({ id: job.id, error: { code: err instanceof SessionError ? err.code : 'internal', message: e.message, chunk: err instanceof SessionError ? err.chunk : undefined } })
  }
})
