/**
 * The chain's system address (EIP-4788 style, keyless): the only writer of NodeEligibility, and a committer of
 * PayoutBatches that needs no disburser signatures. Only the chain runtime's own system writes can act as it.
 */
export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe'
