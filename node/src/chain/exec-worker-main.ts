/**
 * The execution worker: builds this node's blocks (system writes, then the mempool's transactions with the linear
 * builder) and re-executes received ones (system writes, then runBlock with all of ethereumjs' checks) on its own
 * thread, so a node's largest CPU work never holds its event loop (gossip, sync, JSON-RPC).
 * Its VM is the chain's (same Common, state trie, journal hook for the accounts written); the trie's LevelDB is the
 * main thread's, reached by messages (exec-protocol.ts). Nothing here decides: the main thread checks everything
 * else about a block, seals and stores it; this returns the header built, the receipts and the accounts written, or
 * ethereumjs' error.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Block, createBlockFromRLP, createBlockHeaderFromRLP } from '@ethereumjs/block'
import { createMPT } from '@ethereumjs/mpt'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { ValueEncoding, bytesToUnprefixedHex, createAddressFromString, type BatchDBOp, type DB } from '@ethereumjs/util'
import { createVM, runBlock } from '@ethereumjs/vm'
import { makeCommon, type CommonSpec } from './common.js'
import { decodeValue, encodeKey, encodeValue, type Key, type Value } from './level-db.js'
import { NodeCache } from './node-cache.js'
import { toStoredReceipts } from './receipts.js'
import { TouchedAccounts } from './touched-accounts.js'
import { buildLinearBlock } from './builder.js'
import type { BuildRequest, ExecSystemWrite, ImportRequest, MainMessage, WorkerAsk, WorkerMessage } from './exec-protocol.js'

const port = parentPort
if (port === null) throw new Error('exec-worker-main.ts runs in a worker thread')

let nextId = 1
const waiting = new Map<number, { resolve: (value: Uint8Array | null) => void, reject: (e: Error) => void }>()
/** A question to the main thread (a trie node, a flush of the writes sent, a block hash); a failed one fails the block. */
async function ask (msg: WorkerAsk): Promise<Uint8Array | null> {
  const id = nextId++
  return await new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject })
    port?.postMessage({ ...msg, id })
  })
}

/** Trie nodes the worker keeps (node-cache.ts): the hot part of the state (~0.6 KB each with its key and the heap around them: ~20 MB full). */
const NODE_CACHE_ENTRIES = 32_768

/** ethereumjs' DB interface over the main thread's state sublevel, with the worker's node cache in front. */
class MainThreadDB implements DB<Key, Value> {
  private readonly cache = new NodeCache<Value>(NODE_CACHE_ENTRIES)

  async get (key: Key): Promise<Value | undefined> {
    const k = encodeKey(key)
    const id = bytesToUnprefixedHex(k)
    const cached = this.cache.get(id)
    if (cached !== undefined) return cached
    const raw = await ask({ kind: 'get', key: k })
    if (raw === null) return undefined
    const value = decodeValue(raw)
    this.cache.set(id, value)
    return value
  }

  async put (key: Key, value: Value): Promise<void> { await this.batch([{ type: 'put', key, value }]) }
  async del (key: Key): Promise<void> { await this.batch([{ type: 'del', key }]) }
  /** Sent without waiting: the main thread applies writes and reads in order; execute() flushes before replying. */
  async batch (ops: Array<BatchDBOp<Key, Value>>): Promise<void> {
    const encoded = ops.map((op) => {
      const key = encodeKey(op.key)
      if (op.type === 'del') { this.cache.delete(bytesToUnprefixedHex(key)); return { type: 'del' as const, key } }
      this.cache.set(bytesToUnprefixedHex(key), op.value)
      return { type: 'put' as const, key, value: encodeValue(op.value) }
    })
    port?.postMessage({ kind: 'write', ops: encoded } satisfies WorkerMessage)
  }

  shallowCopy (): DB<Key, Value> { return this }
  async open (): Promise<void> {}
}

const spec = (workerData as { common: CommonSpec }).common
const common = makeCommon(spec)
const trie = await createMPT({ db: new MainThreadDB() as never, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common, cacheSize: 0 })
const stateManager = new MerkleStateManager({ trie, common })
/** The parent of the block being executed or built: BLOCKHASH reads its branch, which may be a side branch. */
let branchTip: Uint8Array = new Uint8Array(32)
// BLOCKHASH is the only use runBlock makes of the blockchain here (header checks are the main thread's)
const blockchain = {
  async getBlock (n: bigint | number | Uint8Array): Promise<{ hash: () => Uint8Array }> {
    if (n instanceof Uint8Array) return { hash: () => n }
    const hash = await ask({ kind: 'blockHash', number: BigInt(n), parent: branchTip }) // BLOCKHASH passes a number
    if (hash === null) throw new Error(`block ${n} not found`)
    return { hash: () => hash }
  }
}
const vm = await createVM({ common, stateManager, blockchain: blockchain as never })
const touched = new TouchedAccounts(vm)

async function systemCall (root: Uint8Array, block: Block, w: ExecSystemWrite): Promise<Uint8Array> {
  await vm.stateManager.setStateRoot(root)
  await vm.evm.journal.checkpoint()
  await vm.evm.runCall({ caller: createAddressFromString(w.caller), to: createAddressFromString(w.to), data: w.data, gasLimit: w.gas, block })
  // closed like a transaction (EIP-161 cleanup of what it touched), or the touched set would carry over to whatever
  // this worker executes next: a block without transactions never clears it, and another branch's block would
  // then delete accounts its own execution never touched
  await vm.evm.journal.cleanup()
  await vm.evm.journal.commit()
  return await vm.stateManager.getStateRoot()
}

async function execute (req: ImportRequest): Promise<WorkerMessage> {
  try {
    const block = createBlockFromRLP(req.block, { common })
    branchTip = block.header.parentHash
    let root = req.root
    for (const w of req.writes) root = await systemCall(root, block, w)
    const result = await runBlock(vm, { block, root, generate: false, skipHardForkValidation: true, skipHeaderValidation: true })
    await ask({ kind: 'flush' }) // every trie node stored before the chain stores the block
    return { kind: 'imported', id: req.id, ok: true, receipts: toStoredReceipts(result.receipts, result.results), written: touched.writtenBy(block) }
  } catch (e) {
    return { kind: 'imported', id: req.id, ok: false, message: (e as Error).message.split('\n')[0] }
  }
}

async function build (req: BuildRequest): Promise<WorkerMessage> {
  const blockOpts = { common, putBlockIntoBlockchain: false }
  let builder: Awaited<ReturnType<typeof buildLinearBlock>> | undefined
  try {
    const parent = new Block(createBlockHeaderFromRLP(req.parentHeader, { common }), [], [], [], blockOpts)
    branchTip = parent.hash()
    await vm.stateManager.setStateRoot(req.root)
    builder = await buildLinearBlock(vm, {
      parentBlock: parent,
      headerData: { ...req.header, coinbase: createAddressFromString(req.header.coinbase) },
      withdrawals: req.withdrawals.map((w) => ({ ...w, address: createAddressFromString(w.address) })),
      blockOpts
    })
    for (const w of req.writes) await builder.systemCall(createAddressFromString(w.caller), createAddressFromString(w.to), w.data, w.gas)
    const start = Date.now()
    const included: number[] = []
    const dropped: number[] = []
    for (const [i, raw] of req.txs.entries()) {
      if (Date.now() - start > req.maxBuildMs) break
      let tx
      try { tx = createTxFromRLP(raw, { common }) } catch { dropped.push(i); continue }
      if (tx.gasLimit > parent.header.gasLimit - builder.gasUsed) continue
      try { await builder.addTransaction(tx); included.push(i) } catch { dropped.push(i) }
    }
    const block = await builder.buildSliced()
    await ask({ kind: 'flush' }) // every trie node stored before the chain stores the block
    const results = (builder as unknown as { transactionResults: Parameters<typeof toStoredReceipts>[1] }).transactionResults
    return { kind: 'built', id: req.id, ok: true, header: block.header.serialize(), included, dropped, receipts: toStoredReceipts(builder.transactionReceipts, results), written: touched.writtenBy(block) }
  } catch (e) {
    if (builder?.getStatus().status === 'pending') await builder.revert().catch(() => {})
    return { kind: 'built', id: req.id, ok: false, message: (e as Error).message.split('\n')[0] }
  }
}

// one block at a time, in arrival order (the chain sends one and waits); build and execute answer every failure
let queue = Promise.resolve()
port.on('message', (msg: MainMessage) => {
  if (msg.kind === 'answer') {
    const w = waiting.get(msg.id)
    waiting.delete(msg.id)
    if (msg.error !== undefined) w?.reject(new Error(`state store: ${msg.error}`))
    else w?.resolve(msg.value)
    return
  }
  queue = queue
    .then(async () => { port.postMessage(msg.kind === 'build' ? await build(msg) : await execute(msg)) })
    // (a reply that could not be sent: the block fails rather than the queue stopping for good)
    .catch((e: Error) => { port.postMessage({ kind: msg.kind === 'build' ? 'built' : 'imported', id: msg.id, ok: false, message: e.message } satisfies WorkerMessage) })
})
port.postMessage({ kind: 'ready' })
