/**
 * The node's yamux (yamux-window.ts) grants a larger receive window in a stream's first window update, and keeps the
 * protocol's 256 KiB initial window for what it sends: with a stock yamux peer, streams opened by either side carry
 * several MiB in both directions, and each stream's sender learns the granted window.
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Stream } from '@libp2p/interface'
import { yamuxWithWindow, YAMUX_INITIAL_WINDOW } from '../../../node/src/swarm/yamux-window.js'

const PROTOCOL = '/lucid-test/echo-size/1.0.0'
const WINDOW = 4 * 1024 * 1024
const BYTES = 6 * 1024 * 1024 + 123

async function peer (muxer: ReturnType<typeof yamux>): Promise<Libp2p> {
  const node = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [muxer] })
  // The handler reads everything, then answers with as many bytes as it read.
  await node.handle(PROTOCOL, async (stream: Stream) => {
    const got = await readAll(stream)
    await writeAll(stream, new Uint8Array(randomBytes(got)))
  })
  return node
}

async function writeAll (stream: Stream, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; off += 512 * 1024) {
    if (!stream.send(bytes.subarray(off, off + 512 * 1024))) await stream.onDrain()
  }
  await stream.close()
}

async function readAll (stream: Stream): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    let got = 0
    stream.addEventListener('message', (evt) => { got += evt.data.byteLength })
    stream.addEventListener('remoteCloseWrite', () => { resolve(got) })
    stream.addEventListener('close', (evt) => { if (evt.error !== undefined) reject(evt.error) })
  })
}

/** What the stream may still send before a window update: the peer's grant as this side sees it. */
const sendWindow = (stream: Stream): number => (stream as unknown as { sendWindowCapacity: number }).sendWindowCapacity

describe('yamux with a granted receive window, against a stock yamux peer', function () {
  this.timeout(60_000)
  let ours: Libp2p
  let stock: Libp2p

  before(async () => {
    ours = await peer(yamuxWithWindow({}, WINDOW))
    stock = await peer(yamux())
  })
  after(async () => {
    await ours?.stop()
    await stock?.stop()
  })

  for (const [from, to] of [['ours', 'stock'], ['stock', 'ours']] as const) {
    it(`a stream opened by ${from} carries ${BYTES} bytes each way`, async () => {
      const [a, b] = from === 'ours' ? [ours, stock] : [stock, ours]
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTOCOL)
      const reply = readAll(stream)
      await writeAll(stream, new Uint8Array(randomBytes(BYTES)))
      assert.equal(await reply, BYTES, `${to} answered with the wrong byte count`)
    })
  }

  it('our side grants the larger window; the stock side grants the protocol default', async () => {
    // A stream we open: the stock peer never grants more than 256 KiB.
    const out = await ours.dialProtocol(stock.getMultiaddrs()[0], PROTOCOL)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.ok(sendWindow(out) <= YAMUX_INITIAL_WINDOW, `sending to a stock peer, our window is ${sendWindow(out)}`)
    out.abort(new Error('done'))
    // A stream the stock peer opens to us: once it has sent data, our grant is visible to it.
    const inbound = await stock.dialProtocol(ours.getMultiaddrs()[0], PROTOCOL)
    inbound.send(new Uint8Array(1024))
    const deadline = Date.now() + 5_000
    while (sendWindow(inbound) <= YAMUX_INITIAL_WINDOW && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(sendWindow(inbound) > 2 * YAMUX_INITIAL_WINDOW, `the stock sender sees a window of ${sendWindow(inbound)}, not our grant`)
    inbound.abort(new Error('done'))
  })
})
