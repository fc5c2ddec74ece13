/** The chain's system address (EIP-4788 style): it writes NodeEligibility and, later, the payout batch roots. */
export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe'
