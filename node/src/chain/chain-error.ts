/** An error of the chain runtime with a short machine-readable reason (e.g. 'payout-read', 'missing-block'). */
export class ChainError extends Error {
  constructor (readonly reason: string, message?: string) { super(message ?? reason) }
}
