/**
 * Transactions waiting for a block. Checks on entry, each with its own reason (MempoolError.reason):
 * size, type, chain id, signature, intrinsic gas, gas limit against the block's, fee cap, nonce against the
 * sender's account, balance for gas × fee + value, replacement (same sender and nonce needs +10% on both fee
 * fields), per-sender and total capacity (count and bytes). Nonce gaps are kept (queued) but only a contiguous run from the
 * account nonce is offered to the block builder, best tip first across senders.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'

export const MEMPOOL_LIMITS = {
  /**
   * One transaction, encoded. Ethereum's pools stop at 128 KiB; this chain's disbursers commit whole payout batches
   * in one transaction (calldata and event carry the batch: ~434 bytes an entry), and the largest such commit a 30M
   * block holds is ~1.66 MB (3,817 entries, bench/chain/payout-commit.bench.ts), so 2 MiB, with maxTotalBytes
   * bounding what the pool keeps.
   */
  maxTxBytes: 2 * 1024 * 1024,
  /** every pending transaction's encoded bytes together */
  maxTotalBytes: 64 * 1024 * 1024,
  maxPerSender: 64,
  maxTotal: 10_000,
  /** a nonce at most this far ahead of the account's is queued; further is refused */
  maxNonceGap: 64,
  replaceBumpPercent: 10n
}

/** Blob (EIP-4844) and set-code (EIP-7702) transactions: neither accepted nor included, nor accepted in a block. */
export const UNSUPPORTED_TX_TYPES: ReadonlySet<number> = new Set([3, 4])

export class MempoolError extends Error {
  constructor (readonly reason: string, message: string) { super(message) }
}

export interface AccountView { nonce: bigint, balance: bigint }

export interface MempoolContext {
  chainId: bigint
  blockGasLimit: bigint
  baseFee: bigint
  account: (address: string) => Promise<AccountView>
}

interface Entry { tx: TypedTransaction, hash: string, sender: string, tip: bigint, maxFee: bigint, bytes: number }

const feeCap = (tx: TypedTransaction): bigint => 'maxFeePerGas' in tx ? tx.maxFeePerGas : (tx as unknown as { gasPrice: bigint }).gasPrice
const tipCap = (tx: TypedTransaction): bigint => 'maxPriorityFeePerGas' in tx ? tx.maxPriorityFeePerGas : (tx as unknown as { gasPrice: bigint }).gasPrice

export class Mempool {
  private readonly bySender = new Map<string, Map<bigint, Entry>>()
  private readonly byHash = new Map<string, Entry>()
  private totalBytes = 0

  get size (): number { return this.byHash.size }
  /** the encoded bytes of every pending transaction */
  get bytes (): number { return this.totalBytes }
  get (hash: string): TypedTransaction | undefined { return this.byHash.get(hash.toLowerCase())?.tx }

  /** Checks and admits a signed transaction; throws MempoolError with the reason. Returns its hash. */
  async add (tx: TypedTransaction, ctx: MempoolContext, encodedLength: number): Promise<string> {
    const reject = (reason: string, message: string): never => { throw new MempoolError(reason, message) }
    if (encodedLength > MEMPOOL_LIMITS.maxTxBytes) reject('oversized', `transaction is ${encodedLength} bytes, more than ${MEMPOOL_LIMITS.maxTxBytes}`)
    if (UNSUPPORTED_TX_TYPES.has(tx.type)) reject('unsupported-type', `transaction type ${tx.type} is not accepted`)
    if (!tx.isSigned()) reject('unsigned', 'transaction is not signed')
    if (tx.type === 0 && !tx.supports(155)) reject('no-chain-id', 'legacy transaction without EIP-155 replay protection')
    if (tx.common.chainId() !== ctx.chainId) reject('wrong-chain-id', `chain id ${tx.common.chainId()} is not ${ctx.chainId}`)
    let sender: string
    try { sender = tx.getSenderAddress().toString() } catch (e) { return reject('bad-signature', `invalid signature: ${(e as Error).message}`) }
    const errors = tx.getValidationErrors()
    if (errors.length > 0) reject('invalid', errors.join('; '))
    if (tx.gasLimit > ctx.blockGasLimit) reject('gas-limit-exceeds-block', `gas limit ${tx.gasLimit} exceeds the block gas limit ${ctx.blockGasLimit}`)
    const maxFee = feeCap(tx)
    const tip = tipCap(tx)
    if (maxFee < ctx.baseFee) reject('fee-too-low', `max fee per gas ${maxFee} is below the base fee ${ctx.baseFee}`)
    const account = await ctx.account(sender)
    if (tx.nonce < account.nonce) reject('nonce-too-low', `nonce ${tx.nonce} is below the account nonce ${account.nonce}`)
    if (tx.nonce > account.nonce + BigInt(MEMPOOL_LIMITS.maxNonceGap)) reject('nonce-too-high', `nonce ${tx.nonce} is more than ${MEMPOOL_LIMITS.maxNonceGap} ahead of the account nonce ${account.nonce}`)
    const cost = tx.gasLimit * maxFee + tx.value
    if (account.balance < cost) reject('insufficient-funds', `insufficient funds for gas × price + value: balance ${account.balance}, cost ${cost}`)
    const hash = bytesToHex(tx.hash())
    if (this.byHash.has(hash)) reject('already-known', 'transaction already in the mempool')
    const queue = this.bySender.get(sender) ?? new Map<bigint, Entry>()
    const old = queue.get(tx.nonce)
    const after = this.totalBytes - (old?.bytes ?? 0) + encodedLength
    if (after > MEMPOOL_LIMITS.maxTotalBytes) reject('mempool-full', `mempool holds ${this.totalBytes} bytes of transactions; ${encodedLength} more would pass ${MEMPOOL_LIMITS.maxTotalBytes}`)
    if (old !== undefined) {
      const bump = (x: bigint): bigint => x + (x * MEMPOOL_LIMITS.replaceBumpPercent + 99n) / 100n
      if (maxFee < bump(old.maxFee) || tip < bump(old.tip)) reject('replacement-underpriced', `replacing nonce ${tx.nonce} needs max fee ≥ ${bump(old.maxFee)} and tip ≥ ${bump(old.tip)}`)
      this.byHash.delete(old.hash)
      this.totalBytes -= old.bytes
    } else {
      if (queue.size >= MEMPOOL_LIMITS.maxPerSender) reject('sender-full', `sender has ${queue.size} pending transactions`)
      if (this.byHash.size >= MEMPOOL_LIMITS.maxTotal) reject('mempool-full', 'mempool is full')
    }
    const entry: Entry = { tx, hash, sender, tip, maxFee, bytes: encodedLength }
    queue.set(tx.nonce, entry)
    this.bySender.set(sender, queue)
    this.byHash.set(hash, entry)
    this.totalBytes += encodedLength
    return hash
  }

  /** The next nonce of `sender` counting its contiguous pending transactions. */
  pendingNonce (sender: string, accountNonce: bigint): bigint {
    const queue = this.bySender.get(sender.toLowerCase())
    let n = accountNonce
    while (queue?.has(n) === true) n++
    return n
  }

  /** Executable transactions in proposal order: per sender by nonce from `nonceOf`, across senders best tip first. */
  async executable (nonceOf: (sender: string) => Promise<bigint>, baseFee: bigint): Promise<TypedTransaction[]> {
    const runs: Entry[][] = []
    for (const [sender, queue] of this.bySender) {
      const run: Entry[] = []
      for (let n = await nonceOf(sender); queue.has(n); n++) run.push(queue.get(n) as Entry)
      if (run.length > 0) runs.push(run)
    }
    const eff = (e: Entry): bigint => { const room = e.maxFee - baseFee; return room < e.tip ? room : e.tip }
    const out: TypedTransaction[] = []
    const next = runs.map(() => 0)
    for (;;) {
      let best = -1
      for (let i = 0; i < runs.length; i++) {
        const e = runs[i][next[i]]
        if (e === undefined || e.maxFee < baseFee) continue
        if (best < 0 || eff(e) > eff(runs[best][next[best]])) best = i
      }
      if (best < 0) return out
      out.push(runs[best][next[best]++].tx)
    }
  }

  remove (hash: string): void {
    const e = this.byHash.get(hash)
    if (e === undefined) return
    this.byHash.delete(hash)
    this.totalBytes -= e.bytes
    const queue = this.bySender.get(e.sender)
    queue?.delete(e.tx.nonce)
    if (queue?.size === 0) this.bySender.delete(e.sender)
  }

  /** Drops every transaction whose nonce the new head's state has passed. */
  async prune (nonceOf: (sender: string) => Promise<bigint>): Promise<void> {
    for (const [sender, queue] of [...this.bySender]) {
      const nonce = await nonceOf(sender)
      for (const [n, e] of [...queue]) if (n < nonce) this.remove(e.hash)
    }
  }

  all (): TypedTransaction[] { return [...this.byHash.values()].map((e) => e.tx) }
}
