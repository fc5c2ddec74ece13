/**
 * Pool co-signing over libp2p (/lucid/1/chain/cosign/1.0.0, messages in cosign-codec.ts), one request per stream:
 * the serving side (a pool member asked to sign) and the asking side (the member leading the pool's block).
 */
import { lpStream } from '@libp2p/utils'
import type { PeerId, Stream } from '@libp2p/interface'
import { COSIGN_PROTOCOL, MAX_COSIGN_REQUEST_BYTES } from './constants.js'
import { decodeCosignAnswer, decodeCosignRequest, encodeCosignAnswer, encodeCosignRequest, MAX_COSIGN_ANSWER_BYTES, type CosignAnswer, type CosignRequest } from './cosign-codec.js'
import type { SyncLibp2p } from './sync-protocol.js'

/**
 * Serves one request on an inbound stream: `answer` decides. Throws CosignCodecError for a malformed request (the
 * caller counts the peer's fault); resolves with the request and the answer sent.
 */
export async function serveCosign (stream: Stream, answer: (r: CosignRequest) => Promise<CosignAnswer>, signal: AbortSignal): Promise<{ request: CosignRequest, answer: CosignAnswer }> {
  const lp = lpStream(stream, { maxDataLength: MAX_COSIGN_REQUEST_BYTES })
  const request = decodeCosignRequest((await lp.read({ signal })).subarray())
  const out = await answer(request)
  await lp.write(encodeCosignAnswer(out), { signal })
  await stream.close({ signal }).catch(() => {})
  return { request, answer: out }
}

/** Asks one member to co-sign a draft envelope: its answer (signatures or a refusal); throws when unreachable or late. */
export async function requestCosign (libp2p: SyncLibp2p, peer: PeerId, envelope: Uint8Array, signal: AbortSignal): Promise<CosignAnswer> {
  const stream = await libp2p.dialProtocol(peer, COSIGN_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_COSIGN_ANSWER_BYTES })
    await lp.write(encodeCosignRequest(envelope), { signal })
    const answer = decodeCosignAnswer((await lp.read({ signal })).subarray())
    await stream.close({ signal }).catch(() => {})
    return answer
  } catch (e) {
    stream.abort(e as Error)
    throw e
  }
}
