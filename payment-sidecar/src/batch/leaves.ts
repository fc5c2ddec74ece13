// How a Lucid payout entry becomes a router batch leaf (docs/contracts.md): OpenZeppelin's double-hashed leaf over
// (sessionId, to, amount, nonce) in a sorted-pair keccak tree.
//   sessionId = the batch's BLAKE3 root (so every TRON Paid event names the Lucid batch it pays)
//   nonce     = epoch · 2^32 + entry index (one nonce per entry per epoch: a second batch for the same epoch
//               cannot pay anyone again, the router refuses a used nonce)
//   amount    = netUsd (6 decimals, the token's unit)
// The leaf and tree code lives in protocols/poot/payout-commitment.ts, shared with the committer.
export { BATCH_TYPES, KYC_TYPES, keccakTree, leafHash, leafOf, routeTree, typedDigest, type KeccakTree, type RouterLeaf } from '../../../protocols/poot/payout-commitment.js'
