/**
 * The leading member's side of co-signing: every other member of the pool is asked at once (`ask`, the network),
 * each answer's signatures are verified (the PoOT header hash and the EVM block hash, by the member asked), and the
 * gathering ends as soon as the threshold is reached or at the deadline, the requests still open being aborted.
 */
import { verifySignature } from '../../../protocols/poot/index.js'
import type { CoSignature } from '../chain/chain.js'
import type { PoolMembership } from '../chain/pool-member.js'
import type { CosignAnswer } from './cosign-codec.js'

export type CosignOutcome = 'signed' | 'refused' | 'bad-signature' | 'unreachable'

export async function gatherCosignatures (
  m: PoolMembership,
  signs: { headerHash: string, blockHash: Uint8Array },
  deadlineMs: number,
  ask: (member: number, signal: AbortSignal) => Promise<CosignAnswer>,
  report: (member: number, outcome: CosignOutcome, detail: string) => void = () => {}
): Promise<CoSignature[]> {
  const need = m.entity.threshold - 1
  const got: CoSignature[] = []
  if (need <= 0) return got
  const header = Buffer.from(signs.headerHash, 'hex')
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(new Error(`no threshold within ${deadlineMs} ms`)), deadlineMs)
  const others = m.entity.members.flatMap((_, member) => member === m.member ? [] : [member])
  let finished = false
  const tell = (member: number, outcome: CosignOutcome, detail: string): void => { if (!finished) report(member, outcome, detail) }
  await new Promise<void>((resolve) => {
    let open = others.length
    const done = (): void => { if (--open === 0 || got.length >= need) resolve() }
    if (open === 0) resolve()
    for (const member of others) {
      ask(member, stop.signal).then((a) => {
        if (!a.ok) { tell(member, 'refused', a.reason); return }
        const node = m.entity.members[member]
        if (a.member !== member || !verifySignature(node, header, a.poot) || !verifySignature(node, signs.blockHash, a.seal)) {
          tell(member, 'bad-signature', `member ${a.member}'s signatures do not verify`)
          return
        }
        if (got.length < need) got.push({ member, poot: a.poot, seal: a.seal })
        tell(member, 'signed', '')
      }, (err: Error) => { tell(member, 'unreachable', err.message) }).finally(done)
    }
    stop.signal.addEventListener('abort', () => resolve(), { once: true })
  })
  clearTimeout(timer)
  finished = true
  stop.abort(new Error('threshold reached'))
  return got
}
