/**
 * The JSON-RPC methods over a Chain: the eth_* set ethers v6 and the usual tools need, net_*, web3_*, and
 * lucid_* for PoOT (schedule, credits, finality, envelopes). Each handler validates its params (errors name
 * them) and throws RpcError.
 */
import type { Block } from '@ethereumjs/block'
import { Interface, keccak256, type InterfaceAbi } from 'ethers'
import { bytesToHex, bigIntToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { loadArtifact } from '../../../contracts/index.js'
import { slotStartMs, windowSlots } from '../../../protocols/poot/index.js'
import { encodeEntitlements, publishedParts } from '../../../protocols/poot/payout-commitment.js'
import { LUCID_VERSION } from '../version.js'
import { CallFailed, type Chain, type CallRequest } from '../chain/chain.js'
import { MempoolError } from '../chain/mempool.js'
import type { SyncProgress } from '../chain/sync.js'
import { RpcError, RPC, invalidParams } from './errors.js'
import { address, blockTag, bool, data, expectCount, hash, numberOrQuantity, object, quantity, type BlockTag, type Params } from './params.js'
import { formatBlock, formatReceipts, formatTx } from './format.js'
import { FilterManager, matches, parseCriteria, type LogCriteria, type RpcLog } from './filters.js'

export type Handler = (params: Params) => Promise<unknown>

export const MAX_LOG_RANGE = 10_000n
export const MAX_LOGS = 10_000
const q = (n: bigint | number): string => bigIntToHex(BigInt(n))

/** geth's wording first, so that ethers maps the error to its code (NONCE_EXPIRED, INSUFFICIENT_FUNDS, …). */
const GETH_PHRASES: Record<string, string> = {
  'nonce-too-low': 'nonce too low',
  'insufficient-funds': 'insufficient funds for gas * price + value',
  'replacement-underpriced': 'replacement transaction underpriced',
  'already-known': 'already known',
  'fee-too-low': 'max fee per gas less than block base fee',
  'gas-limit-exceeds-block': 'exceeds block gas limit',
  'oversized': 'oversized data',
  'wrong-chain-id': 'invalid chain id'
}

/** What the JSON-RPC reads of the node around its chain; absent for a standalone chain (no peers, never catching up). */
export interface RpcNodeView {
  peerCount: () => number
  /** the catch-up running from a peer, or null */
  syncing: () => SyncProgress | null
}

export function makeMethods (chain: Chain, filters: FilterManager, node?: RpcNodeView): Map<string, Handler> {
  const m = new Map<string, Handler>()
  const def = (name: string, min: number, max: number, fn: Handler): void => {
    m.set(name, async (params) => { expectCount(params, min, max); return await fn(params) })
  }

  const resolve = async (tag: BlockTag, name: string): Promise<Block> => {
    let b: Block | undefined
    if ('tag' in tag) {
      if (tag.tag === 'earliest') b = await chain.blockByNumber(0n)
      else if (tag.tag === 'safe' || tag.tag === 'finalized') b = await chain.blockByHash(hexToBytes(chain.finalizedHash as `0x${string}`))
      else b = chain.head
    } else if ('number' in tag) b = await chain.blockByNumber(tag.number)
    else b = await chain.blockByHash(tag.hash)
    if (b === undefined) throw new RpcError(RPC.SERVER, `${name}: header not found`)
    return b
  }
  /** For getBlockBy*: an unknown block answers null, not an error. */
  const maybeBlock = async (tag: BlockTag): Promise<Block | null> => { try { return await resolve(tag, '') } catch { return null } }
  const stateAt = async (tag: unknown, name: string) => await chain.stateAt((await resolve(blockTag(tag, name), name)).header.stateRoot)

  const callRequest = (x: unknown, name: string): CallRequest => {
    const o = object(x, name)
    const opt = <T>(k: string, f: (v: unknown, n: string) => T): T | undefined => o[k] === undefined || o[k] === null ? undefined : f(o[k], `${name}.${k}`)
    if (o.data !== undefined && o.input !== undefined && o.data !== o.input) throw invalidParams(`${name}: data and input differ`)
    return {
      from: opt('from', address)?.toString(),
      to: opt('to', address),
      gas: opt('gas', quantity),
      gasPrice: opt('gasPrice', quantity),
      maxFeePerGas: opt('maxFeePerGas', quantity),
      maxPriorityFeePerGas: opt('maxPriorityFeePerGas', quantity),
      value: opt('value', quantity),
      data: opt('input', data) ?? opt('data', data)
    }
  }
  const execError = (e: unknown): never => {
    if (e instanceof CallFailed) {
      throw new RpcError(RPC.SERVER, e.message, e.result.error === 'revert' ? bytesToHex(e.result.returnValue) : undefined)
    }
    throw new RpcError(RPC.SERVER, (e as Error).message.split('\n')[0])
  }
  const blockSize = (b: Block): number => b.serialize().length
  const txLookup = async (h: Uint8Array): Promise<{ block: Block, index: number } | null> => {
    const loc = await chain.store.txLocation(h)
    if (loc === undefined) return null
    const block = await chain.blockByHash(loc.blockHash)
    if (block === undefined) return null
    // an index entry may point at a block that is not canonical (crash before putBlock): check the number too
    const canon = await chain.blockByNumber(block.header.number)
    if (canon === undefined || bytesToHex(canon.hash()) !== bytesToHex(block.hash())) return null
    return { block, index: loc.index }
  }

  def('web3_clientVersion', 0, 0, async () => `lucid/${LUCID_VERSION}/ethereumjs`)
  def('web3_sha3', 1, 1, async ([x]) => keccak256(data(x, 'params[0] (data)')))
  def('net_version', 0, 0, async () => chain.chainId.toString())
  def('net_listening', 0, 0, async () => node !== undefined) // a standalone chain (lucid chain run) has no peer network
  def('net_peerCount', 0, 0, async () => q(BigInt(node?.peerCount() ?? 0)))
  def('eth_chainId', 0, 0, async () => q(chain.chainId))
  def('eth_syncing', 0, 0, async () => {
    const p = node?.syncing() ?? null
    return p === null ? false : { startingBlock: q(p.startingBlock), currentBlock: q(p.currentBlock), highestBlock: q(p.highestBlock) }
  })
  def('eth_accounts', 0, 0, async () => [])
  def('eth_blockNumber', 0, 0, async () => q(chain.head.header.number))
  def('eth_gasPrice', 0, 0, async () => q(chain.head.header.calcNextBaseFee() + 1_000_000_000n))
  def('eth_maxPriorityFeePerGas', 0, 0, async () => q(1_000_000_000n))
  def('eth_blobBaseFee', 0, 0, async () => '0x1')

  def('eth_feeHistory', 2, 3, async ([count, newest, percentiles]) => {
    const n = numberOrQuantity(count, 'params[0] (blockCount)')
    if (n < 1n || n > 1024n) throw invalidParams('params[0] (blockCount): must be 1 to 1024')
    const last = await resolve(blockTag(newest, 'params[1] (newestBlock)'), 'params[1]')
    const pcts = percentiles === undefined || percentiles === null ? undefined : (percentiles as unknown[])
    if (pcts !== undefined && (!Array.isArray(pcts) || pcts.some((p, i) => typeof p !== 'number' || p < 0 || p > 100 || (i > 0 && p < (pcts[i - 1] as number))))) {
      throw invalidParams('params[2] (rewardPercentiles): expected increasing numbers from 0 to 100')
    }
    const first = last.header.number - n + 1n < 0n ? 0n : last.header.number - n + 1n
    const baseFees: string[] = []
    const ratios: number[] = []
    const rewards: string[][] = []
    for (let i = first; i <= last.header.number; i++) {
      const b = await chain.blockByNumber(i) as Block
      const baseFee = b.header.baseFeePerGas ?? 0n
      baseFees.push(q(baseFee))
      ratios.push(Number(b.header.gasUsed) / Number(b.header.gasLimit))
      if (pcts !== undefined) {
        const tips = b.transactions.map((tx) => 'maxFeePerGas' in tx ? (tx.maxFeePerGas - baseFee < tx.maxPriorityFeePerGas ? tx.maxFeePerGas - baseFee : tx.maxPriorityFeePerGas) : (tx as unknown as { gasPrice: bigint }).gasPrice - baseFee).sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
        rewards.push((pcts as number[]).map((p) => q(tips.length === 0 ? 0n : tips[Math.min(tips.length - 1, Math.floor(p / 100 * tips.length))])))
      }
    }
    baseFees.push(q(last.header.calcNextBaseFee()))
    return { oldestBlock: q(first), baseFeePerGas: baseFees, gasUsedRatio: ratios, ...(pcts !== undefined ? { reward: rewards } : {}) }
  })

  def('eth_getBalance', 1, 2, async ([a, tag]) => {
    const addr = address(a, 'params[0] (address)')
    return q((await (await stateAt(tag, 'params[1] (block)')).getAccount(addr))?.balance ?? 0n)
  })
  def('eth_getTransactionCount', 1, 2, async ([a, tag]) => {
    const addr = address(a, 'params[0] (address)')
    const t = blockTag(tag, 'params[1] (block)')
    if (!('tag' in t && t.tag === 'pending')) return q((await (await stateAt(tag, 'params[1] (block)')).getAccount(addr))?.nonce ?? 0n)
    // The head's nonce and the mempool, read as one: a block stored while the state was read takes its transactions
    // out of the mempool, and counting from the older head's nonce would then hand out a nonce that block used.
    for (;;) {
      const head = chain.head
      const nonce = (await (await chain.stateAt(head.header.stateRoot)).getAccount(addr))?.nonce ?? 0n
      if (chain.head === head) return q(chain.mempool.pendingNonce(addr.toString(), nonce))
    }
  })
  def('eth_getCode', 1, 2, async ([a, tag]) => bytesToHex(await (await stateAt(tag, 'params[1] (block)')).getCode(address(a, 'params[0] (address)'))))
  def('eth_getStorageAt', 2, 3, async ([a, slot, tag]) => {
    const addr = address(a, 'params[0] (address)')
    const key = quantity(slot, 'params[1] (slot)')
    const sm = await stateAt(tag, 'params[2] (block)')
    const v = (await sm.getAccount(addr)) === undefined ? new Uint8Array(0) : await sm.getStorage(addr, hexToBytes(('0x' + key.toString(16).padStart(64, '0')) as `0x${string}`))
    return '0x' + Buffer.from(v).toString('hex').padStart(64, '0')
  })

  def('eth_call', 1, 3, async ([req, tag]) => {
    const r = callRequest(req, 'params[0] (transaction)')
    const block = await resolve(blockTag(tag, 'params[1] (block)'), 'params[1]')
    let res
    try { res = await chain.call(r, block) } catch (e) { return execError(e) }
    if (!res.ok) execError(new CallFailed(res))
    return bytesToHex(res.returnValue)
  })
  def('eth_estimateGas', 1, 3, async ([req, tag]) => {
    const r = callRequest(req, 'params[0] (transaction)')
    const block = await resolve(blockTag(tag, 'params[1] (block)'), 'params[1]')
    try { return q(await chain.estimateGas(r, block)) } catch (e) { return execError(e) }
  })

  def('eth_sendRawTransaction', 1, 1, async ([raw]) => {
    const bytes = data(raw, 'params[0] (signed transaction)')
    try {
      const h = await chain.submitRaw(bytes)
      filters.onPendingTx(h)
      return h
    } catch (e) {
      if (e instanceof MempoolError) {
        const phrase = GETH_PHRASES[e.reason]
        throw new RpcError(RPC.SERVER, phrase === undefined ? e.message : `${phrase}: ${e.message}`, { reason: e.reason })
      }
      throw e
    }
  })

  def('eth_getBlockByNumber', 1, 2, async ([tag, full]) => {
    const b = await maybeBlock(blockTag(tag, 'params[0] (block)'))
    return b === null ? null : formatBlock(b, full === undefined ? false : bool(full, 'params[1] (full transactions)'), blockSize(b))
  })
  def('eth_getBlockByHash', 1, 2, async ([h, full]) => {
    const b = await chain.blockByHash(hash(h, 'params[0] (block hash)'))
    return b === undefined ? null : formatBlock(b, full === undefined ? false : bool(full, 'params[1] (full transactions)'), blockSize(b))
  })
  def('eth_getBlockTransactionCountByNumber', 1, 1, async ([tag]) => { const b = await maybeBlock(blockTag(tag, 'params[0] (block)')); return b === null ? null : q(b.transactions.length) })
  def('eth_getBlockTransactionCountByHash', 1, 1, async ([h]) => { const b = await chain.blockByHash(hash(h, 'params[0] (block hash)')); return b === undefined ? null : q(b.transactions.length) })
  def('eth_getUncleCountByBlockNumber', 1, 1, async () => '0x0')
  def('eth_getUncleCountByBlockHash', 1, 1, async () => '0x0')

  def('eth_getTransactionByHash', 1, 1, async ([h]) => {
    const txHash = hash(h, 'params[0] (transaction hash)')
    const loc = await txLookup(txHash)
    if (loc !== null) return formatTx(loc.block.transactions[loc.index], loc.block, loc.index)
    const pending = chain.mempool.get(bytesToHex(txHash))
    return pending === undefined ? null : formatTx(pending)
  })
  const byIndex = async (b: Block | null | undefined, i: unknown): Promise<unknown> => {
    const index = Number(quantity(i, 'params[1] (index)'))
    const tx = b?.transactions[index]
    return b === null || b === undefined || tx === undefined ? null : formatTx(tx, b, index)
  }
  def('eth_getTransactionByBlockNumberAndIndex', 2, 2, async ([tag, i]) => await byIndex(await maybeBlock(blockTag(tag, 'params[0] (block)')), i))
  def('eth_getTransactionByBlockHashAndIndex', 2, 2, async ([h, i]) => await byIndex(await chain.blockByHash(hash(h, 'params[0] (block hash)')), i))

  def('eth_getTransactionReceipt', 1, 1, async ([h]) => {
    const loc = await txLookup(hash(h, 'params[0] (transaction hash)'))
    if (loc === null) return null
    const receipts = await chain.store.receipts(loc.block.hash())
    return receipts === undefined ? null : formatReceipts(loc.block, receipts)[loc.index]
  })
  def('eth_getBlockReceipts', 1, 1, async ([tag]) => {
    const b = await maybeBlock(blockTag(tag, 'params[0] (block)'))
    if (b === null) return null
    return formatReceipts(b, await chain.store.receipts(b.hash()) ?? [])
  })

  const logsOf = async (b: Block): Promise<RpcLog[]> => formatReceipts(b, await chain.store.receipts(b.hash()) ?? []).flatMap((r) => r.logs as RpcLog[])
  const getLogs = async (c: LogCriteria): Promise<RpcLog[]> => {
    let blocks: Block[]
    if (c.blockHash !== undefined) {
      const b = await chain.blockByHash(c.blockHash)
      if (b === undefined) throw new RpcError(RPC.SERVER, 'blockHash: unknown block')
      blocks = [b]
    } else {
      // Two explicit numbers in the wrong order are a bad request whether or not the blocks exist yet.
      const f = c.fromBlock
      const t = c.toBlock
      if ('number' in f && 'number' in t && f.number > t.number) throw invalidParams(`fromBlock ${f.number} is after toBlock ${t.number}`)
      const from = (await resolve(c.fromBlock, 'fromBlock')).header.number
      const to = (await resolve(c.toBlock, 'toBlock')).header.number
      if (from > to) throw invalidParams(`fromBlock ${from} is after toBlock ${to}`)
      if (to - from + 1n > MAX_LOG_RANGE) throw new RpcError(RPC.LIMIT_EXCEEDED, `block range too large: at most ${MAX_LOG_RANGE} blocks per query`)
      blocks = []
      for (let n = from; n <= to; n++) blocks.push(await chain.blockByNumber(n) as Block)
    }
    const out: RpcLog[] = []
    for (const b of blocks) {
      if (b.transactions.length === 0) continue
      for (const l of await logsOf(b)) {
        if (!matches(l, c)) continue
        if (out.length >= MAX_LOGS) throw new RpcError(RPC.LIMIT_EXCEEDED, `query returned more than ${MAX_LOGS} logs: narrow the range`)
        out.push(l)
      }
    }
    return out
  }
  def('eth_getLogs', 1, 1, async ([c]) => await getLogs(parseCriteria(c, 'params[0] (filter)')))
  def('eth_newFilter', 1, 1, async ([c]) => filters.newLogFilter(parseCriteria(c, 'params[0] (filter)')))
  def('eth_newBlockFilter', 0, 0, async () => filters.newBlockFilter())
  def('eth_newPendingTransactionFilter', 0, 0, async () => filters.newPendingTxFilter())
  def('eth_uninstallFilter', 1, 1, async ([id]) => filters.uninstall(filterId(id)))
  def('eth_getFilterChanges', 1, 1, async ([id]) => {
    const out = filters.changes(filterId(id))
    if (out === undefined) throw new RpcError(RPC.SERVER, 'filter not found')
    return out
  })
  def('eth_getFilterLogs', 1, 1, async ([id]) => {
    const c = filters.criteria(filterId(id))
    if (c === undefined) throw new RpcError(RPC.SERVER, 'filter not found')
    return await getLogs(c)
  })

  // ---- lucid_*: PoOT state of the head ----
  const { params, genesisMs } = chain.genesis.poot
  const nextSlot = (): number => Math.max(chain.headPoot.slot + 1, Math.floor((Date.now() - genesisMs) / params.slotMs))
  def('lucid_chainInfo', 0, 0, async () => {
    // the PoOT parameters of the next block (governed ones follow ParamRegistry from each epoch's start)
    const current = chain.configAt(nextSlot()).params
    return {
      chainId: q(chain.chainId),
      genesisHash: bytesToHex(chain.blockchain.genesisBlock.hash()),
      genesisMs: chain.genesis.spec.genesisMs,
      slotMs: params.slotMs,
      slotTimeoutMs: current.slotTimeoutMs,
      maxFallbacks: params.maxFallbacks,
      params: current,
      // the payout epoch the next block is in (its length is governed: Chain.payoutEpochAt)
      payoutEpoch: chain.payoutEpochAt(nextSlot()),
      contracts: chain.genesis.contracts,
      systemAddress: chain.genesis.spec.contracts.systemAddress
    }
  })
  def('lucid_schedule', 0, 1, async ([s]) => {
    const headSlot = chain.headPoot.slot
    const slot = s === undefined || s === null ? nextSlot() : Number(quantity(s, 'params[0] (slot)'))
    if (slot <= headSlot) throw invalidParams(`params[0] (slot): must be after the head's slot ${headSlot}`)
    const schedule = chain.schedule(slot)
    const start = slotStartMs(genesisMs, params, slot)
    const timeout = chain.configAt(slot).params.slotTimeoutMs
    return { slot, slotStartMs: start, turns: schedule.map((entity, rank) => ({ rank, entity, fromMs: start + rank * timeout })) }
  })
  def('lucid_credits', 0, 0, async () => {
    const s = chain.headPoot
    return {
      slot: s.slot,
      height: s.height,
      windowSlots: windowSlots(params),
      windowStart: s.windowStart,
      credits: Object.fromEntries([...s.credits].sort((a, b) => b[1] - a[1])),
      jailedUntil: Object.fromEntries(s.jailedUntil),
      totalMinted: q(s.totalMinted)
    }
  })
  def('lucid_finality', 0, 0, async () => {
    const s = chain.headPoot
    const finalBlock = await chain.blockByHash(hexToBytes(chain.finalizedHash as `0x${string}`))
    return {
      head: { number: q(chain.head.header.number), hash: bytesToHex(chain.head.hash()), slot: s.slot, pootHash: s.hash },
      finalized: { number: q(finalBlock?.header.number ?? 0n), hash: chain.finalizedHash, pootHash: s.finalized.hash, epoch: s.finalized.epoch },
      justified: s.justified.map((c) => ({ pootHash: c.hash, height: c.height, epoch: c.epoch }))
    }
  })
  def('lucid_storage', 0, 0, async () => {
    const s = chain.headPoot
    return {
      slot: s.slot,
      catalog: s.catalog.map((c) => ({ sessionId: c.sessionId, root: bytesToHex(c.root), chunkCount: c.chunkCount, holders: c.holders })),
      openChallenges: s.openChallenges.map((c) => ({ slot: c.slot, index: c.index, holder: c.holder, sessionId: c.sessionId, chunkIndex: c.chunkIndex, deadline: c.slot + params.challengeResponseSlots }))
    }
  })
  def('lucid_getEnvelope', 1, 1, async ([h]) => {
    const b = await chain.blockByHash(hash(h, 'params[0] (block hash)'))
    const env = b === undefined ? undefined : await chain.envelopeOf(b)
    return env === undefined ? null : bytesToHex(env)
  })
  def('lucid_getEnvelopes', 2, 2, async ([from, count]) => {
    const start = quantity(from, 'params[0] (from block)')
    const n = typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= MAX_ENVELOPES ? count : (() => { throw invalidParams(`params[1] (count): expected an integer from 1 to ${MAX_ENVELOPES}`) })()
    // keep answers well under a client's body limit
    return (await chain.envelopes(start, n, 4 * 1024 * 1024)).map((e) => bytesToHex(e))
  })
  // ---- lucid_payoutBatches: what PayoutBatches (genesis) holds, at the head ----
  const batchesIface = new Interface(loadArtifact('PayoutBatches').abi as InterfaceAbi)
  const committedTopics = new Set(['PayoutBatchCommitted', 'PayoutBatchPartsCommitted'].map((e) => batchesIface.getEvent(e)!.topicHash))
  const batchesCall = async (block: Block, fn: string, args: unknown[]): Promise<any> => {
    const to = chain.genesis.contracts.PayoutBatches
    if (to === undefined) throw new RpcError(RPC.SERVER, 'this chain\'s genesis has no PayoutBatches contract')
    const r = await chain.call({ to: createAddressFromString(to), data: hexToBytes(batchesIface.encodeFunctionData(fn, args) as `0x${string}`) }, block)
    if (!r.ok) throw new RpcError(RPC.INTERNAL, `PayoutBatches.${fn} failed: ${r.error ?? 'reverted'}`)
    return batchesIface.decodeFunctionResult(fn, bytesToHex(r.returnValue))
  }
  def('lucid_payoutBatches', 0, 1, async ([e]) => {
    const only = e === undefined || e === null ? undefined : numberOrQuantity(e, 'params[0] (epoch)')
    if (only !== undefined && only >= 2n ** 64n) throw invalidParams('params[0] (epoch): must fit in 64 bits')
    const head = chain.head
    const finalBlock = await chain.blockByHash(hexToBytes(chain.finalizedHash as `0x${string}`))
    const finalNumber = finalBlock?.header.number ?? 0n
    const epochs = only !== undefined ? [only] : [...(await batchesCall(head, 'committedEpochs', []))[0] as bigint[]]
    const out: unknown[] = []
    for (const epoch of epochs) {
      const [root, batchHash, blockNumber, committer] = await batchesCall(head, 'commitmentOf', [epoch]) as unknown as [string, string, bigint, string]
      if (BigInt(root) === 0n) continue
      const block = await chain.blockByNumber(blockNumber)
      const log = block === undefined
        ? undefined
        : (await logsOf(block)).find((l) => l.address.toLowerCase() === chain.genesis.contracts.PayoutBatches.toLowerCase() && committedTopics.has(l.topics[0]) && BigInt(l.topics[1]) === epoch)
      // a batch committed in parts: how many, and how many are published so far
      const [partHashes, publishedBits] = await batchesCall(head, 'partsOf', [epoch]) as unknown as [string[], bigint]
      const published = publishedParts(publishedBits, partHashes.length).size
      out.push({
        epoch: Number(epoch),
        root,
        batchHash,
        committer,
        blockNumber: q(blockNumber),
        blockHash: block === undefined ? null : bytesToHex(block.hash()),
        transactionHash: log?.transactionHash ?? null,
        final: blockNumber <= finalNumber,
        ...(partHashes.length > 0 ? { parts: { count: partHashes.length, published } } : {})
      })
    }
    return { contract: chain.genesis.contracts.PayoutBatches, head: q(head.header.number), finalized: q(finalNumber), batches: out }
  })
  // ---- lucid_payoutEntitlements: the entitlements the chain's system write recorded for an epoch (null: none) ----
  def('lucid_payoutEntitlements', 1, 1, async ([e]) => {
    const epoch = numberOrQuantity(e, 'params[0] (epoch)')
    if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidParams('params[0] (epoch): too large')
    let r
    try { r = await chain.payoutEntitlements(Number(epoch)) } catch (err) { throw new RpcError(RPC.INTERNAL, (err as Error).message) }
    if (r === null) return null
    return {
      epoch: r.epoch,
      root: r.root,
      blockNumber: q(r.blockNumber),
      entries: encodeEntitlements(r.entries),
      count: r.entries.length,
      distributedUsd6: r.distributedUsd.toString(),
      rollover: Object.fromEntries([...r.rollover].map(([a, v]) => [a, v.toString()]))
    }
  })
  return m
}

export const MAX_ENVELOPES = 256

function filterId (x: unknown): string {
  if (typeof x !== 'string' || !/^0x[0-9a-f]{1,64}$/i.test(x)) throw invalidParams(`params[0] (filter id): expected a hex id, got ${JSON.stringify(x)?.slice(0, 80)}`)
  return x.toLowerCase()
}

