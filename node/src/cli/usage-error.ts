/** An error the operator can act on: printed as one line `lucid: <message>`, exit code 1 (2 for usage mistakes). */
export class UsageError extends Error {
  constructor (message: string, readonly exitCode = 2) {
    super(message)
    this.name = 'UsageError'
  }
}
