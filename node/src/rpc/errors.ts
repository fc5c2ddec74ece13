/** JSON-RPC 2.0 error codes and the error type every handler throws. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  /** execution and transaction errors (geth's convention); revert data in `data` */
  SERVER: -32000,
  /** request too large (batch or body); outside the reserved range's standard codes, as other servers do */
  LIMIT_EXCEEDED: -32005
} as const

export class RpcError extends Error {
  constructor (readonly code: number, message: string, readonly data?: unknown) { super(message) }
}

export const invalidParams = (message: string): RpcError => new RpcError(RPC.INVALID_PARAMS, `invalid params: ${message}`)
