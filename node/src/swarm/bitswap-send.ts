/**
 * Bitswap's message sending, with blocks written to the stream without being copied.
 *
 * @helia/bitswap (4.0.x, network.js `sendMessage`) splits an outgoing message with `splitMessage`, which protobuf-encodes
 * every block once only to learn its encoded size (a copy of the block, thrown away) and then encodes each part into
 * one new buffer (a second copy of every block), before the length prefix and yamux/noise framing. With 1 MiB chunks
 * that is two extra megabyte copies per megabyte served, and in the provider's CPU profile the garbage collector they
 * feed (bench/swarm/transfer.bench.ts, docs/swarm.md "Chunk transfer over bitswap").
 *
 * `sendMessage` below is bitswap's own (the same per-peer queue, merging of queued messages, progress events and
 * statistics) with two differences: each part of the split message is written as a list of buffers (length prefix, the
 * small fields encoded by bitswap's own protobuf codecs, and per block a few header bytes followed by the block's bytes
 * as they are) instead of one freshly encoded buffer; and the parts go on one kept-open stream per peer instead of a new
 * stream per message (OutboundStreams below). The parts are split at the same places and the
 * bytes on the wire are the same as bitswap's (test/integration/swarm/bitswap-send.test.ts compares them), so any
 * bitswap peer reads them as before. Installed on the node's bitswap instance after Helia starts; if the installed
 * bitswap does not have the expected shape, nothing is changed (stock sending, correct and slower).
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Helia } from '@helia/interface'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'
import { bitswapOf } from './bitswap-internals.js'

const BITSWAP_120 = '/ipfs/bitswap/1.2.0'
/** bitswap's split-message.js limits (https://github.com/ipfs/kubo/issues/4473#issuecomment-350390693) */
const MAX_ENCODED_BLOCK_SIZE = 4193648 + 16

interface BlockEntry { prefix: Uint8Array, data: Uint8Array }
export interface QueuedMessage {
  full?: boolean
  wantlist: Map<string, unknown>
  blocks: Map<string, BlockEntry>
  blockPresences: Map<string, unknown>
}
export interface PbCodecs {
  BitswapMessage: { encode: (m: unknown) => Uint8Array }
  BlockPresence: { encode: (m: unknown) => Uint8Array }
  WantlistEntry: { encode: (m: unknown) => Uint8Array }
}
type Merge = (existing: QueuedMessage, next: QueuedMessage) => QueuedMessage

function varintLength (n: number): number {
  let length = 1
  while (n >= 0x80) { n = Math.floor(n / 0x80); length++ }
  return length
}

function writeVarint (out: number[], n: number): void {
  while (n >= 0x80) { out.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80) }
  out.push(n)
}

/** A length-delimited field's size: tag (one byte for field numbers < 16), length, bytes. */
function fieldSize (bytes: number): number {
  return 1 + varintLength(bytes) + bytes
}

/** The encoded size of a Block message (prefix = 1, data = 2; protons omits empty bytes). */
function blockBodySize (b: BlockEntry): number {
  return (b.prefix.byteLength > 0 ? fieldSize(b.prefix.byteLength) : 0) + (b.data.byteLength > 0 ? fieldSize(b.data.byteLength) : 0)
}

/** Field 3 of the message (one block) as a small header followed by the block's bytes, uncopied. */
function appendBlock (list: Uint8ArrayList, b: BlockEntry): void {
  const head: number[] = [0x1a]
  writeVarint(head, blockBodySize(b))
  if (b.prefix.byteLength > 0) {
    head.push(0x0a)
    writeVarint(head, b.prefix.byteLength)
    for (const x of b.prefix) head.push(x)
  }
  if (b.data.byteLength > 0) {
    head.push(0x12)
    writeVarint(head, b.data.byteLength)
    list.append(Uint8Array.from(head), b.data)
  } else {
    list.append(Uint8Array.from(head))
  }
}

/**
 * The length-prefixed parts of `message`, split where bitswap's splitMessage splits it (blocks first, then block
 * presences, then wantlist entries, each part under `maxSize`) and byte for byte what bitswap would write.
 */
export function * encodeMessageParts (message: QueuedMessage, maxSize: number, pb: PbCodecs): Generator<Uint8ArrayList> {
  const wants = [...message.wantlist.values()]
  const presences = [...message.blockPresences.values()]
  const blocks = [...message.blocks.values()]
  let wi = 0
  let pi = 0
  let bi = 0
  const full = message.full ?? false
  const empty = pb.BitswapMessage.encode({ wantlist: { full, entries: [] }, blockPresences: [], blocks: [], pendingBytes: 0 }).byteLength
  for (;;) {
    let size = empty
    const subBlocks: BlockEntry[] = []
    let moreBlocks = false
    for (; bi < blocks.length; bi++) {
      const s = fieldSize(blockBodySize(blocks[bi]))
      if (s > MAX_ENCODED_BLOCK_SIZE) { const err = new Error('Cannot send block as after encoding it is over the max message size'); err.name = 'BlockTooLargeError'; throw err }
      if (size + s > maxSize) { moreBlocks = true; break }
      subBlocks.push(blocks[bi])
      size += s
    }
    const subPresences: unknown[] = []
    let morePresences = false
    for (; pi < presences.length; pi++) {
      const s = fieldSize(pb.BlockPresence.encode(presences[pi]).byteLength)
      if (size + s > maxSize) { morePresences = true; break }
      subPresences.push(presences[pi])
      size += s
    }
    const entries: unknown[] = []
    let moreWants = false
    for (; wi < wants.length; wi++) {
      const s = fieldSize(pb.WantlistEntry.encode(wants[wi]).byteLength)
      if (size + s > maxSize) { moreWants = true; break }
      entries.push(wants[wi])
      size += s
    }
    const done = !moreBlocks && !morePresences && !moreWants
    if (!done && subBlocks.length === 0 && subPresences.length === 0 && entries.length === 0) {
      const err = new Error(`a bitswap message part does not fit in ${maxSize} bytes`)
      err.name = 'BlockTooLargeError'
      throw err
    }
    // bitswap's field order: wantlist (1), blocks (3), block presences (4); pendingBytes (5) is 0 and omitted
    const head = pb.BitswapMessage.encode({ wantlist: { full: done ? full : false, entries }, blocks: [], blockPresences: [], pendingBytes: 0 })
    const tail = pb.BitswapMessage.encode({ blocks: [], blockPresences: subPresences, pendingBytes: 0 })
    let length = head.byteLength + tail.byteLength
    for (const b of subBlocks) length += fieldSize(blockBodySize(b))
    const prefix: number[] = []
    writeVarint(prefix, length)
    const part = new Uint8ArrayList(Uint8Array.from(prefix), head)
    for (const b of subBlocks) appendBlock(part, b)
    part.append(tail)
    yield part
    if (done) return
  }
}

/** bitswap's progress events (progress-events' CustomProgressEvent: an Event with a detail). */
class ProgressEvent<T> extends Event {
  constructor (type: string, readonly detail: T) { super(type) }
}

interface SendJob { status: string, options: { peerId: PeerId, message?: QueuedMessage }, join: (options?: unknown) => Promise<void> }
interface NetworkInternals {
  running: boolean
  libp2p: { dialProtocol: (peer: PeerId, protocol: string, options?: object) => Promise<Stream> }
  sendQueue: { queue: SendJob[], add: (fn: (options: any) => Promise<void>, options: object) => Promise<void> }
  runOnLimitedConnections: boolean
  maxOutgoingMessageSize: number
  messageSendTimeout: number
  log: { (...args: unknown[]): void, error: (...args: unknown[]) => void }
  _updateSentStats: (blocks: Map<string, BlockEntry>) => void
  sendMessage: (peerId: PeerId, message: QueuedMessage, options?: any) => Promise<void>
}

function isNetwork (n: any): n is NetworkInternals {
  return n != null && typeof n.sendMessage === 'function' && Array.isArray(n.sendQueue?.queue) && typeof n.sendQueue?.add === 'function' &&
    typeof n.libp2p?.dialProtocol === 'function' && typeof n._updateSentStats === 'function' && typeof n.maxOutgoingMessageSize === 'number'
}

/** The bitswap Network of a Helia node started with withBitswap, if it has the expected shape. */
function findNetwork (helia: Helia): NetworkInternals | undefined {
  const network = bitswapOf(helia)?.network
  return isNetwork(network) ? network : undefined
}

/** @helia/bitswap's entry module (dist/src/index.js), as a file URL. */
function bitswapEntry (): string {
  // import.meta.resolve where the module runs as ESM; require's resolution where it was compiled to CommonJS (tsx
  // under mocha). Node 22's require matches the package's "module-sync" export.
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('@helia/bitswap')
  const from = typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js')
  return pathToFileURL(createRequire(from).resolve('@helia/bitswap')).href
}

async function loadBitswapInternals (): Promise<{ pb: PbCodecs, merge: Merge } | undefined> {
  try {
    const entry = bitswapEntry()
    const pb = await import(new URL('./pb/message.js', entry).href) as Partial<PbCodecs>
    const { mergeMessages } = await import(new URL('./utils/merge-messages.js', entry).href) as { mergeMessages?: Merge }
    if (typeof pb.BitswapMessage?.encode !== 'function' || typeof pb.BlockPresence?.encode !== 'function' || typeof pb.WantlistEntry?.encode !== 'function' || typeof mergeMessages !== 'function') return undefined
    return { pb: pb as PbCodecs, merge: mergeMessages }
  } catch {
    return undefined
  }
}

/** bitswap's protobuf codecs, for tests that compare encodings. */
export async function bitswapCodecs (): Promise<PbCodecs | undefined> {
  return (await loadBitswapInternals())?.pb
}

/**
 * How long an outbound bitswap stream stays open without a message. @helia/bitswap's receiver aborts a stream after
 * `messageReceiveTimeout` (10 s by default) without a message, so ours close well before a stock peer's would.
 */
export const OUTBOUND_STREAM_IDLE_MS = 3_000

interface OutboundStream { stream: Stream, sending: number, idle?: ReturnType<typeof setTimeout> }

function writable (stream: Stream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable'
}

/**
 * One outbound bitswap stream per peer, kept open while messages follow each other. Bitswap's receivers (Helia's, as
 * Go's) read length-prefixed messages from a stream until it closes, so any peer reads them as before; what is saved is
 * a new yamux stream, a multistream-select round trip through the other (busy) peer and a fresh 256 KiB window per
 * message (docs/swarm.md "Chunk transfer over bitswap").
 */
class OutboundStreams {
  private readonly open = new Map<string, Promise<OutboundStream>>()

  constructor (private readonly dial: (peer: PeerId, options: AbortOptions) => Promise<Stream>, private readonly idleMs: number) {}

  /** The peer's open stream, or a new one; `reused` says whether it had carried messages before. */
  async acquire (peer: PeerId, options: AbortOptions): Promise<{ entry: OutboundStream, reused: boolean }> {
    const key = peer.toString()
    for (let pending = this.open.get(key); pending !== undefined; pending = this.open.get(key)) {
      const entry = await pending.catch(() => undefined)
      if (this.open.get(key) !== pending) continue // replaced while we waited: look at the new one
      if (entry !== undefined && writable(entry.stream)) {
        clearTimeout(entry.idle)
        entry.sending++
        return { entry, reused: true }
      }
      this.open.delete(key)
    }
    const opening = (async (): Promise<OutboundStream> => {
      const stream = await this.dial(peer, options)
      await stream.closeRead(options)
      return { stream, sending: 0 }
    })()
    this.open.set(key, opening)
    try {
      const entry = await opening
      entry.sending++
      return { entry, reused: false }
    } catch (err) {
      if (this.open.get(key) === opening) this.open.delete(key)
      throw err
    }
  }

  /** Done sending on `entry`: close it after the idle time unless another message uses it first. */
  release (peer: PeerId, entry: OutboundStream): void {
    entry.sending--
    if (entry.sending > 0) return
    clearTimeout(entry.idle)
    entry.idle = setTimeout(() => {
      if (entry.sending > 0) return
      this.forget(peer, entry)
      entry.stream.close().catch((err: Error) => entry.stream.abort(err))
    }, this.idleMs)
    entry.idle.unref?.()
  }

  /** A stream that failed: aborted and never handed out again. */
  fail (peer: PeerId, entry: OutboundStream, err: Error): void {
    entry.sending--
    clearTimeout(entry.idle)
    this.forget(peer, entry)
    entry.stream.abort(err)
  }

  private forget (peer: PeerId, entry: OutboundStream): void {
    const key = peer.toString()
    const current = this.open.get(key)
    if (current === undefined) return
    void current.then((e) => { if (e === entry && this.open.get(key) === current) this.open.delete(key) }, () => {})
  }
}

/** A message part could not be written to an open stream (opening one fails with the dial's own error). */
class StreamWriteError extends Error {
  constructor (override readonly cause: Error, readonly reused: boolean) { super(cause.message) }
}

/**
 * Installs the copy-free sending on the node's bitswap, over one kept-open stream per peer; false when the installed
 * bitswap is not the expected one.
 */
export async function sendBitswapBlocksWithoutCopies (helia: Helia, idleMs = OUTBOUND_STREAM_IDLE_MS): Promise<boolean> {
  const network = findNetwork(helia)
  const internals = await loadBitswapInternals()
  if (network === undefined || internals === undefined) return false
  const { pb, merge } = internals
  const { maxOutgoingMessageSize } = network
  const streams = new OutboundStreams(async (peer, options) => await network.libp2p.dialProtocol(peer, BITSWAP_120, { ...options, runOnLimitedConnection: network.runOnLimitedConnections }), idleMs)
  /** Writes every part; a stream that fails is aborted and the error thrown. */
  async function writeParts (peerId: PeerId, message: QueuedMessage, options: AbortOptions): Promise<{ reused: boolean }> {
    const { entry, reused } = await streams.acquire(peerId, options)
    try {
      for (const part of encodeMessageParts(message, maxOutgoingMessageSize, pb)) {
        if (!entry.stream.send(part)) await entry.stream.onDrain(options)
      }
    } catch (err) {
      streams.fail(peerId, entry, err as Error)
      throw new StreamWriteError(err as Error, reused)
    }
    streams.release(peerId, entry)
    return { reused }
  }
  network.sendMessage = async function (this: NetworkInternals, peerId: PeerId, message: QueuedMessage, options?: any): Promise<void> {
    if (!this.running) throw new Error('network isn\'t running')
    const existingJob = this.sendQueue.queue.find((job) => peerId.equals(job.options.peerId) && job.status === 'queued')
    if (existingJob != null) {
      existingJob.options.message = merge(existingJob.options.message as QueuedMessage, message)
      await existingJob.join(options)
      return
    }
    await this.sendQueue.add(async (options: any) => {
      const message = options.message as QueuedMessage | undefined
      if (message == null) { const err = new Error('No message to send'); err.name = 'InvalidParametersError'; throw err }
      this.log('sendMessage to %p', peerId)
      options.onProgress?.(new ProgressEvent('bitswap:send-wantlist', peerId))
      try {
        await writeParts(peerId, message, options).catch(async (err: Error) => {
          // a kept stream can die between messages (the peer closed it); the message goes once more on a new one
          if (!(err instanceof StreamWriteError) || !err.reused || options.signal?.aborted === true) throw err
          await writeParts(peerId, message, options)
        })
      } catch (err) {
        // as bitswap's own sendMessage: a failed dial rejects the send, a failed write is reported and dropped
        if (!(err instanceof StreamWriteError)) throw err
        this.log.error('error sending message to %p - %e', peerId, err.cause)
        options?.onProgress?.(new ProgressEvent('bitswap:send-wantlist:error', { peer: peerId, error: err.cause }))
      }
      this._updateSentStats(message.blocks)
    }, {
      onProgress: options?.onProgress,
      peerId,
      signal: options?.signal ?? AbortSignal.timeout(this.messageSendTimeout),
      message
    })
  }
  return true
}
