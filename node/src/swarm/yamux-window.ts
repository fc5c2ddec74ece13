/**
 * yamux with a larger receive window, announced the way the protocol allows.
 *
 * Every yamux stream starts with a 256 KiB window on both sides (the spec's fixed initial value). A receiver may grant
 * more at any time with a window update. @chainsafe/libp2p-yamux only grows a window when the reader keeps up within
 * four ping round trips, which on loopback (RTT 0–1 ms) and a busy event loop almost never happens, and its
 * `initialStreamWindowSize` option is not announced: it makes the sender assume the peer granted that much, which
 * overflows a stock peer's 256 KiB window ("Receive window exceeded", the stream is reset).
 *
 * Helia's bitswap opens a new stream for every message, so every message travelled at 256 KiB per round trip. Here
 * each new stream keeps the spec's 256 KiB initial window for sending and, as receiver, raises its own window to
 * `window` in its first window update (the SYN for streams we open, the ACK for streams the peer opens). A stock peer
 * sees an ordinary window update; what it may send us is bounded by the window we granted, and yamux's read buffer
 * limit still applies. Later window updates are sent when half the window has been used, not after every frame.
 */
import { yamux } from '@chainsafe/libp2p-yamux'

type YamuxInit = NonNullable<Parameters<typeof yamux>[0]>
type MuxerFactory = ReturnType<ReturnType<typeof yamux>>

interface StreamWindow { recvWindow: number, recvWindowCapacity?: number, state?: number, sendWindowUpdate?: () => void }

/** @chainsafe/libp2p-yamux's StreamState values for a stream whose SYN or ACK has been sent. */
const SYN_SENT = 1
const ESTABLISHED = 3
interface MuxerInternals { _newStream: (...args: unknown[]) => StreamWindow }

/** The yamux spec's initial window; the sender side always starts from it. */
export const YAMUX_INITIAL_WINDOW = 256 * 1024

export function yamuxWithWindow (init: YamuxInit, window: number): ReturnType<typeof yamux> {
  if (window < YAMUX_INITIAL_WINDOW) throw new Error(`the yamux window must be at least ${YAMUX_INITIAL_WINDOW} bytes`)
  const make = yamux({ ...init, streamOptions: { ...init.streamOptions, initialStreamWindowSize: YAMUX_INITIAL_WINDOW, maxStreamWindowSize: Math.max(window, init.streamOptions?.maxStreamWindowSize ?? window) } })
  return () => {
    const factory: MuxerFactory = make()
    const create = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const muxer = create(maConn)
      const internals = muxer as unknown as MuxerInternals
      if (typeof internals._newStream !== 'function') return muxer
      const newStream = internals._newStream.bind(muxer)
      internals._newStream = (...args: unknown[]) => {
        const stream = newStream(...args)
        // The first window update (sent when the stream opens or on its first data) grants window − 256 KiB more.
        if (typeof stream.recvWindow === 'number' && stream.recvWindow < window) stream.recvWindow = window
        // The stock stream sends a window update after every data frame it receives (16 a MiB of 64 KiB frames, each
        // a yamux frame, a noise frame and a socket write here and a decryption at the sender). Once the stream's
        // SYN/ACK is out, ours waits until the sender has used half the window, as Go's yamux does: the sender always
        // keeps at least half the window to send with.
        const update = stream.sendWindowUpdate?.bind(stream)
        if (update !== undefined && typeof stream.recvWindowCapacity === 'number' && typeof stream.state === 'number') {
          stream.sendWindowUpdate = () => {
            if ((stream.state === SYN_SENT || stream.state === ESTABLISHED) && (stream.recvWindowCapacity as number) * 2 > stream.recvWindow) return
            update()
          }
        }
        return stream
      }
      return muxer
    }
    return factory
  }
}
