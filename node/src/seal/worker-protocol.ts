/** Messages between the seal pipeline and its worker threads. Buffers are transferred, never copied. */
export interface SealJob {
  op: 'seal'
  id: number
  sessionKey: Uint8Array
  sessionId: Uint8Array
  index: number
  plaintext: Uint8Array
  nonce: Uint8Array
  /** A recycled buffer to seal into, when the pipeline has one. */
  spare?: Uint8Array
}

export interface OpenJob {
  op: 'open'
  id: number
  sessionKey: Uint8Array
  sessionId: Uint8Array
  index: number
  blob: Uint8Array
  plaintextLength: number
  /** sha2-256 the blob must have; on a mismatch the worker replies with its hashes and does not decrypt. */
  expectedDigest: Uint8Array
}

export type Job = SealJob | OpenJob

/** `plaintext` is the job's input buffer, handed back so the pipeline can refill it. */
export interface SealResult { id: number, blob: Uint8Array, cidDigest: Uint8Array, leaf: Uint8Array, plaintext: Uint8Array }
/** The plaintext, and the blob's sha2-256 and Merkle leaf hash so the caller can verify it in the same pass. */
export interface OpenResult { id: number, plaintext?: Uint8Array, cidDigest: Uint8Array, leaf: Uint8Array }
export interface JobError { id: number, error: { code: string, message: string, chunk?: number } }
export type JobReply = SealResult | OpenResult | JobError
