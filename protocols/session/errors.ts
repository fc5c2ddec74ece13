/** Why a sealed session (or a piece of one) was refused. `code` is stable for programs; `message` is for people. */
export type SessionErrorCode =
  | 'bad-input' | 'bad-session-id' | 'bad-chunk-size' | 'bad-blob' | 'bad-cid' | 'cid-mismatch'
  | 'merkle-mismatch' | 'bad-proof' | 'bad-manifest' | 'bad-signature' | 'decrypt-failed'
  | 'decompress-failed' | 'size-mismatch' | 'missing-chunk' | 'extra-chunk'

export class SessionError extends Error {
  readonly code: SessionErrorCode
  /** The chunk the error is about, when it is about one. */
  readonly chunk?: number

  constructor (code: SessionErrorCode, message: string, chunk?: number) {
    super(message)
    this.name = 'SessionError'
    this.code = code
    if (chunk !== undefined) this.chunk = chunk
  }
}
