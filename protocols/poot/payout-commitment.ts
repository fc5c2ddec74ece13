/**
 * A payout batch as committed on the Lucid chain (contracts/src/PayoutBatches.sol) and paid on TRON: the one
 * encoding shared by the committer (`lucid payout commit`, node/) and the payout sidecar (payment-sidecar/), which
 * may not import each other. Pure: ABI encoding, keccak trees and EIP-712 type definitions, no I/O, no keys.
 *
 *   event PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch)
 *   batch    = abi.encode(Entry[] entries, Approval[] approvals)
 *   Entry    = (uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd,
 *               uint256 netUsd, bytes32 kycHash, uint256 kycExpiry, bytes kycSignature)   route: 0 = V0, 1 = KYC
 *   Approval = (uint8 route, bytes32 root, uint256 total, uint256 deadline, bytes[] signatures)
 *
 * A batch larger than one transaction carries is committed in parts (PayoutBatches.commitParts / publishPart):
 *
 *   event PayoutBatchPartsCommitted(uint64 indexed epoch, bytes32 indexed root, bytes head, bytes32[] partHashes)
 *   event PayoutBatchPart(uint64 indexed epoch, bytes32 indexed root, uint32 part, uint32 parts, bytes batch)
 *
 * head and every part are batch payloads as above (splitBatchPayload: the approvals in the head, the entries in the
 * parts, in order); the batch is their entries and approvals joined in order (head, then part 0, 1 …).
 *
 * `root` is the BLAKE3 root of buildPayoutBatch (payouts.ts); the entries are its entries. An approval is the
 * disbursers' EIP-712 PayoutBatch(root, total, deadline) signatures in a router's domain on TRON over that router's
 * keccak tree of the route's entries, whose leaves are OpenZeppelin's double-hashed
 * (sessionId = the BLAKE3 root, to, amount = netUsd, nonce = epoch · 2^32 + index).
 */
import { ethers } from 'ethers'
import type { PayoutRoute } from './payouts.js'

export const COMMIT_EVENT = 'event PayoutBatchCommitted(uint64 indexed epoch, bytes32 indexed root, bytes batch)'
export const PARTS_COMMIT_EVENT = 'event PayoutBatchPartsCommitted(uint64 indexed epoch, bytes32 indexed root, bytes head, bytes32[] partHashes)'
export const PART_EVENT = 'event PayoutBatchPart(uint64 indexed epoch, bytes32 indexed root, uint32 part, uint32 parts, bytes batch)'

export interface CommittedEntry {
  readonly index: number
  /** 20-byte account, 0x + 40 lowercase hex (the TRON address without 0x41) */
  readonly address: string
  readonly route: PayoutRoute | 'unknown'
  readonly grossUsd: bigint
  readonly networkFeeUsd: bigint
  readonly platformFeeUsd: bigint
  readonly netUsd: bigint
  /** KYC entries only: the compliance signer's KycAttestation(to, kycHash, expiry) */
  readonly kyc?: { readonly kycHash: string, readonly expiry: bigint, readonly signature: string }
}

export interface RouterApproval {
  readonly route: PayoutRoute | 'unknown'
  /** keccak root of the route's leaves (OpenZeppelin MerkleProof tree) */
  readonly root: string
  readonly total: bigint
  readonly deadline: bigint
  /** disburser signatures, ascending by signer address */
  readonly signatures: readonly string[]
}

const ENTRY = 'tuple(uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd, uint256 netUsd, bytes32 kycHash, uint256 kycExpiry, bytes kycSignature)[]'
const APPROVAL = 'tuple(uint8 route, bytes32 root, uint256 total, uint256 deadline, bytes[] signatures)[]'
const coder = ethers.AbiCoder.defaultAbiCoder()

const routeCode = (r: string): number => r === 'v0' ? 0 : r === 'kyc' ? 1 : 255
const routeName = (c: bigint | number): 'v0' | 'kyc' | 'unknown' => Number(c) === 0 ? 'v0' : Number(c) === 1 ? 'kyc' : 'unknown'

export function encodeBatchPayload (entries: readonly CommittedEntry[], approvals: readonly RouterApproval[]): string {
  return coder.encode([ENTRY, APPROVAL], [
    entries.map((e) => [e.index, e.address, routeCode(e.route), e.grossUsd, e.networkFeeUsd, e.platformFeeUsd, e.netUsd,
      e.kyc?.kycHash ?? ethers.ZeroHash, e.kyc?.expiry ?? 0n, e.kyc?.signature ?? '0x']),
    approvals.map((a) => [routeCode(a.route), a.root, a.total, a.deadline, [...a.signatures]])
  ])
}

export function decodeBatchPayload (data: string): { entries: CommittedEntry[], approvals: RouterApproval[] } {
  let decoded: ethers.Result
  try { decoded = coder.decode([ENTRY, APPROVAL], data) } catch (e) { throw new Error(`batch payload is not ABI-encoded (Entry[], Approval[]): ${(e as Error).message}`) }
  const entries = (decoded[0] as ethers.Result[]).map((e): CommittedEntry => {
    const route = routeName(e[2] as bigint)
    const sig = e[9] as string
    return {
      index: Number(e[0]),
      address: (e[1] as string).toLowerCase(),
      route,
      grossUsd: e[3] as bigint,
      networkFeeUsd: e[4] as bigint,
      platformFeeUsd: e[5] as bigint,
      netUsd: e[6] as bigint,
      ...(route === 'kyc' || sig !== '0x' ? { kyc: { kycHash: e[7] as string, expiry: e[8] as bigint, signature: sig } } : {})
    }
  })
  const approvals = (decoded[1] as ethers.Result[]).map((a): RouterApproval => ({
    route: routeName(a[0] as bigint), root: a[1] as string, total: a[2] as bigint, deadline: a[3] as bigint, signatures: [...(a[4] as string[])]
  }))
  return { entries, approvals }
}

// ---- batches in parts ----

const WORD = 32
const padded = (bytes: number): number => Math.ceil(bytes / WORD) * WORD
/** An entry's bytes in the payload: its offset, 10 head words, and its attestation's length and padded bytes. */
const entryBytes = (e: CommittedEntry): number => WORD + 10 * WORD + WORD + padded(e.kyc === undefined ? 0 : ethers.dataLength(e.kyc.signature))

export type SplitPayload = { whole: string } | { head: string, parts: string[] }

/**
 * The batch as one payload when it encodes to at most `maxBytes`, otherwise as a head (the approvals, no entries)
 * and parts (the entries in order, no approvals), each at most `maxBytes`. Deterministic: the same entries always
 * give the same parts (a commit interrupted between its parts can be completed by another run).
 */
export function splitBatchPayload (entries: readonly CommittedEntry[], approvals: readonly RouterApproval[], maxBytes: number): SplitPayload {
  const whole = encodeBatchPayload(entries, approvals)
  if (ethers.dataLength(whole) <= maxBytes) return { whole }
  const head = encodeBatchPayload([], approvals)
  if (ethers.dataLength(head) > maxBytes) throw new Error(`the batch's approvals alone encode to ${ethers.dataLength(head)} bytes, more than ${maxBytes}`)
  const empty = ethers.dataLength(encodeBatchPayload([], [])) // the two arrays' offsets and lengths
  const parts: string[] = []
  let chunk: CommittedEntry[] = []
  let size = empty
  for (const e of entries) {
    const b = entryBytes(e)
    if (empty + b > maxBytes) throw new Error(`entry ${e.index} alone encodes to more than ${maxBytes} bytes`)
    if (size + b > maxBytes) { parts.push(encodeBatchPayload(chunk, [])); chunk = []; size = empty }
    chunk.push(e)
    size += b
  }
  if (chunk.length > 0) parts.push(encodeBatchPayload(chunk, []))
  return { head, parts }
}

/** The parts of `parts` that a PayoutBatches.partsOf bitmap says are published (bit i: part i). */
export function publishedParts (bits: bigint, parts: number): Set<number> {
  const out = new Set<number>()
  for (let i = 0; i < parts; i++) if (((bits >> BigInt(i)) & 1n) === 1n) out.add(i)
  return out
}

/** The batch a head and its parts make: entries and approvals joined in order. */
export function joinBatchPayloads (payloads: readonly string[]): { entries: CommittedEntry[], approvals: RouterApproval[] } {
  const entries: CommittedEntry[] = []
  const approvals: RouterApproval[] = []
  for (const [i, p] of payloads.entries()) {
    let d
    try { d = decodeBatchPayload(p) } catch (e) { throw new Error(`${i === 0 ? 'head' : `part ${i - 1}`}: ${(e as Error).message}`) }
    entries.push(...d.entries)
    approvals.push(...d.approvals)
  }
  return { entries, approvals }
}

// ---- the chain's own entitlements (PayoutBatches.recordEntitlements, the system write) ----

export const ENTITLEMENTS_EVENT = 'event PayoutEntitlements(uint64 indexed epoch, bytes32 indexed root, bytes entries)'
const ENTITLEMENT = 'tuple(uint32 index, address to, uint8 route, uint256 grossUsd, uint256 networkFeeUsd, uint256 platformFeeUsd, uint256 netUsd)[]'

/** The entries of a PayoutEntitlements event: a batch's entries without KYC attestations (the disbursers add them). */
export function encodeEntitlements (entries: readonly CommittedEntry[]): string {
  return coder.encode([ENTITLEMENT], [entries.map((e) => [e.index, e.address, routeCode(e.route), e.grossUsd, e.networkFeeUsd, e.platformFeeUsd, e.netUsd])])
}

export function decodeEntitlements (data: string): CommittedEntry[] {
  let decoded: ethers.Result
  try { decoded = coder.decode([ENTITLEMENT], data) } catch (e) { throw new Error(`entitlements are not ABI-encoded Entitlement[]: ${(e as Error).message}`) }
  return (decoded[0] as ethers.Result[]).map((e) => ({
    index: Number(e[0]), address: (e[1] as string).toLowerCase(), route: routeName(e[2] as bigint),
    grossUsd: e[3] as bigint, networkFeeUsd: e[4] as bigint, platformFeeUsd: e[5] as bigint, netUsd: e[6] as bigint
  }))
}

// ---- router leaves and trees (docs/contracts.md, "Batch path") ----

export interface RouterLeaf { sessionId: string, to: string, amount: bigint, nonce: bigint }
/** What a leaf needs of its batch: the BLAKE3 root (0x hex) and the epoch. */
export interface BatchIdentity { readonly id: string, readonly epoch: number }

export function leafOf (batch: BatchIdentity, e: CommittedEntry): RouterLeaf {
  return { sessionId: batch.id, to: e.address, amount: e.netUsd, nonce: (BigInt(batch.epoch) << 32n) + BigInt(e.index) }
}

export function leafHash (p: RouterLeaf): string {
  const inner = ethers.keccak256(coder.encode(['bytes32', 'address', 'uint256', 'uint256'], [p.sessionId, p.to, p.amount, p.nonce]))
  return ethers.keccak256(inner)
}

function pair (a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]))
}

export interface KeccakTree { root: string, proof: (index: number) => string[] }

/** The tree MerkleProof verifies; an odd node is promoted. Zero leaves: root 0x00…0 (nothing to approve). */
export function keccakTree (leaves: readonly string[]): KeccakTree {
  if (leaves.length === 0) return { root: ethers.ZeroHash, proof: () => [] }
  const layers: string[][] = [[...leaves]]
  while (layers[layers.length - 1].length > 1) {
    const prev = layers[layers.length - 1]
    const next: string[] = []
    for (let i = 0; i < prev.length; i += 2) next.push(i + 1 < prev.length ? pair(prev[i], prev[i + 1]) : prev[i])
    layers.push(next)
  }
  return {
    root: layers[layers.length - 1][0],
    proof: (index) => {
      const out: string[] = []
      for (let l = 0, i = index; l < layers.length - 1; l++, i = Math.floor(i / 2)) {
        const sibling = i % 2 === 0 ? i + 1 : i - 1
        if (sibling < layers[l].length) out.push(layers[l][sibling])
      }
      return out
    }
  }
}

/** The route's entries in batch order, their leaves and tree. */
export function routeTree (batch: BatchIdentity & { readonly entries: readonly CommittedEntry[] }, route: 'v0' | 'kyc'): { entries: CommittedEntry[], leaves: RouterLeaf[], tree: KeccakTree, total: bigint } {
  const entries = batch.entries.filter((e) => e.route === route)
  const leaves = entries.map((e) => leafOf(batch, e))
  return { entries, leaves, tree: keccakTree(leaves.map(leafHash)), total: leaves.reduce((s, l) => s + l.amount, 0n) }
}

// ---- EIP-712 ----

/** Signed by the disbursers in a router's domain (name LucidPayoutRouterV0 / LucidPayoutRouterKYC, version 1, TRON). */
export const BATCH_TYPES = { PayoutBatch: [{ name: 'root', type: 'bytes32' }, { name: 'total', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] }
/** Signed by the compliance signer in the KYC router's domain. */
export const KYC_TYPES = { KycAttestation: [{ name: 'to', type: 'address' }, { name: 'kycHash', type: 'bytes32' }, { name: 'expiry', type: 'uint256' }] }
/** Signed by the disbursers in PayoutBatches' domain on the Lucid chain to let a batch be committed. */
export const COMMIT_TYPES = { PayoutBatchCommit: [{ name: 'epoch', type: 'uint64' }, { name: 'root', type: 'bytes32' }, { name: 'batchHash', type: 'bytes32' }] }
/** Signed by the disbursers in PayoutBatches' domain to declare an epoch's income (PayoutBatches.declareIncome). */
export const INCOME_TYPES = { PayoutIncome: [{ name: 'epoch', type: 'uint64' }, { name: 'grossUsd', type: 'uint256' }, { name: 'networkFeeUsd', type: 'uint256' }] }
export const ROUTER_DOMAIN_NAMES = { v0: 'LucidPayoutRouterV0', kyc: 'LucidPayoutRouterKYC' } as const

export function routerDomain (route: 'v0' | 'kyc', chainId: bigint | number, router: string): ethers.TypedDataDomain {
  return { name: ROUTER_DOMAIN_NAMES[route], version: '1', chainId, verifyingContract: ethers.getAddress(router) }
}

export function commitDomain (chainId: bigint | number, payoutBatches: string): ethers.TypedDataDomain {
  return { name: 'LucidPayoutBatches', version: '1', chainId, verifyingContract: ethers.getAddress(payoutBatches) }
}

/** The value the disbursers sign for PayoutBatches.commit. */
export function commitValue (epoch: number, root: string, payload: string): { epoch: number, root: string, batchHash: string } {
  return { epoch, root, batchHash: ethers.keccak256(payload) }
}

/** The value the disbursers sign for PayoutBatches.commitParts (batchHash = PayoutBatches.partsBatchHash). */
export function partsCommitValue (epoch: number, root: string, head: string, parts: readonly string[]): { epoch: number, root: string, batchHash: string } {
  return { epoch, root, batchHash: ethers.keccak256(ethers.concat([ethers.keccak256(head), ...parts.map((p) => ethers.keccak256(p))])) }
}

/** The EIP-712 digest from a domain separator read from the contract itself (so TRON's chain id is right). */
export function typedDigest (domainSeparator: string, types: Record<string, ethers.TypedDataField[]>, value: Record<string, unknown>): string {
  const struct = ethers.TypedDataEncoder.from(types).hash(value)
  return ethers.keccak256(ethers.concat(['0x1901', domainSeparator, struct]))
}

/** PayoutBatches and the TRON routers take approvals in strictly ascending signer order. */
export const ascendingSigners = <T extends { address: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
