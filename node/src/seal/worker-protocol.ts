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
}

export type Job = SealJob | OpenJob

/** `plaintext` is the job's input buffer, handed back so the pipeline can refill it. */
export interface SealResult { id: number, blob: Uint8Array, cidDigest: Uint8Array, leaf: Uint8Array, plaintext: Uint8Array }
export interface OpenResult { id: number, plaintext: Uint8Array }
export interface JobError { id: number, error: { code: string, message: string, chunk?: number } }
export type JobReply = SealResult | OpenResult | JobError
