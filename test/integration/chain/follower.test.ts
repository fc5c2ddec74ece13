// A second in-process chain imports every block of the first (re-executing it) and reaches the same state root;
// tampered envelopes are refused with a clear reason and leave the follower unchanged.
import { strict as assert } from 'node:assert'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { decodeEnvelope, devNodeKeys, encodeEnvelope, type Chain } from '../../../node/src/chain/index.js'
import { makeBlock, nodeKeyFromSeed } from '../../../protocols/poot/index.js'
import { heartbeats, openDevChain, produce, removeChainDirs, signedTx, slotTime, DEV_KEYS } from './support.js'

describe('chain: follower re-execution', function () {
  this.timeout(120_000)
  let leader: Chain
  let follower: Chain
  before(async () => {
    leader = await openDevChain()
    follower = await openDevChain()
    for (let i = 0; i < 4; i++) await leader.submitRaw(signedTx(leader, { nonce: BigInt(i) }, DEV_KEYS[1]).serialize())
    await produce(leader)
    await leader.submitRaw(signedTx(leader, { nonce: 0n, to: undefined, data: '0x6001600055', gasLimit: 100_000n } as never, DEV_KEYS[2]).serialize())
    await produce(leader)
    await produce(leader)
  })
  after(async () => { await leader.close(); await follower.close(); removeChainDirs() })

  const envelopeAt = async (n: bigint): Promise<Uint8Array> => (await leader.envelopeOf((await leader.blockByNumber(n))!))!

  it('imports every block and reaches the same head and state root', async () => {
    for (let n = 1n; n <= leader.head.header.number; n++) {
      const r = await follower.importEnvelope(await envelopeAt(n), slotTime(100))
      assert.ok(r.ok, r.ok ? '' : r.reason)
    }
    assert.equal(bytesToHex(follower.head.hash()), bytesToHex(leader.head.hash()))
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
    assert.equal(follower.headPoot.hash, leader.headPoot.hash)
    const receipts = await follower.store.receipts((await follower.blockByNumber(1n))!.hash())
    assert.equal(receipts?.length, 4)
  })

  it('answers a known block as known', async () => {
    const r = await follower.importEnvelope(await envelopeAt(1n), slotTime(100))
    assert.ok(r.ok && r.known === true)
  })

  describe('tampered blocks', () => {
    let base: Chain
    let next: Uint8Array
    before(async () => {
      // `base` has the leader's chain up to block 2; block 3 of the leader is the honest next block
      base = await openDevChain()
      for (let n = 1n; n <= 2n; n++) assert.ok((await base.importEnvelope(await envelopeAt(n), slotTime(100))).ok)
      next = await envelopeAt(3n)
    })
    after(async () => { await base.close() })

    /** Re-encodes the envelope with a changed EVM header field (keeps body, transactions, signatures). */
    const withHeaderField = (raw: Uint8Array, index: number, value: Uint8Array): Uint8Array => {
      const env = decodeEnvelope(raw)
      const evm = RLP.decode(env.evm) as unknown as Uint8Array[][]
      evm[0][index] = value
      return encodeEnvelope({ ...env, evm: RLP.encode(evm as never) })
    }

    const refuses = async (raw: Uint8Array, pattern: RegExp): Promise<void> => {
      const head = bytesToHex(base.head.hash())
      const r = await base.importEnvelope(raw, slotTime(100))
      assert.equal(r.ok, false)
      assert.match((r as { reason: string }).reason, pattern)
      assert.equal(bytesToHex(base.head.hash()), head)
    }

    it('wrong stateRoot: refused by re-execution (the seal no longer matches first)', async () => {
      // a changed header changes the EVM hash, so the proposer's seal fails before execution
      await refuses(withHeaderField(next, 3, new Uint8Array(32).fill(7)), /seal-bad-signature/)
    })

    it('wrong stateRoot re-sealed by the proposer: refused by re-execution', async () => {
      // the proposer itself lies about the state root: seal is valid, execution catches it
      const env = decodeEnvelope(next)
      const evm = RLP.decode(env.evm) as unknown as Uint8Array[][]
      evm[0][3] = new Uint8Array(32).fill(7)
      const evmRaw = RLP.encode(evm as never)
      const { createBlockFromRLP } = await import('@ethereumjs/block')
      const forged = createBlockFromRLP(evmRaw, { common: base.common })
      const { devNodeKeys } = await import('../../../node/src/chain/index.js')
      const proposerKey = devNodeKeys(9).find((k) => k.id === env.poot.signed.header.proposer)!
      const seal = [{ member: 0, sig: proposerKey.sign(forged.hash()) }]
      await refuses(encodeEnvelope({ ...env, evm: evmRaw, seal }), /execution: .*state ?root/i)
    })

    it('bad PoOT signature', async () => {
      const env = decodeEnvelope(next)
      const sig = new Uint8Array(env.poot.signed.signatures[0].sig)
      sig[0] ^= 1
      await refuses(encodeEnvelope({ ...env, poot: { ...env.poot, signed: { ...env.poot.signed, signatures: [{ member: 0, sig }] } } }), /poot:header:bad-signature/)
    })

    it('bad seal signature', async () => {
      const env = decodeEnvelope(next)
      const sig = new Uint8Array(env.seal[0].sig)
      sig[5] ^= 1
      await refuses(encodeEnvelope({ ...env, seal: [{ member: 0, sig }] }), /seal-bad-signature/)
    })

    it('wrong proposer for the slot', async () => {
      const env = decodeEnvelope(next)
      const h = env.poot.signed.header
      const intruder = nodeKeyFromSeed(new Uint8Array(32).fill(9))
      const forged = makeBlock({ parentHash: h.parent, slot: h.slot, rank: 0, timeMs: h.timeMs, proposer: intruder.id, signers: [{ member: 0, key: intruder }], body: env.poot.body })
      await refuses(encodeEnvelope({ ...env, poot: forged }), /poot:header:not-scheduled/)
    })

    it('unknown parent', async () => {
      await refuses(withHeaderField(next, 0, new Uint8Array(32).fill(1)), /unknown-parent/)
    })

    it('malformed envelopes', async () => {
      await refuses(new Uint8Array([1, 2, 3]), /bad envelope/)
      await refuses(RLP.encode([new Uint8Array([2])]), /bad envelope: envelope has 1 items/)
      const env = decodeEnvelope(next)
      await refuses(encodeEnvelope({ ...env, evm: new Uint8Array([0xc0]) }), /bad evm block/)
    })

    it('a block from the future', async () => {
      const r = await base.importEnvelope(next, slotTime(0))
      assert.equal(r.ok, false)
      assert.match((r as { reason: string }).reason, /future-block/)
    })

    it('a field in a non-canonical RLP encoding (a zero as the byte 0x00) is refused, though it decodes to the same block', async () => {
      // difficulty (header field 7) is zero: as the byte 0x00 it decodes to the same header and hash, so the seal holds
      await refuses(withHeaderField(next, 7, new Uint8Array([0])), /^bad evm block: the header, uncles or withdrawals not in its canonical RLP encoding/)
    })

    it('a copy of a known block with another PoOT header or body is refused; the block itself is known', async () => {
      const e = decodeEnvelope(await envelopeAt(2n)) // base holds blocks 1 and 2
      const { header } = e.poot.signed
      const otherHeader = { ...e, poot: { ...e.poot, signed: { ...e.poot.signed, header: { ...header, timeMs: header.timeMs + 1 } } } }
      const otherBody = { ...e, poot: { ...e.poot, body: { ...e.poot.body, proofs: heartbeats(devNodeKeys(1))(base, header.slot) } } }
      assert.ok(otherBody.poot.body.proofs.length > 0)
      await refuses(encodeEnvelope(otherHeader), /^known-block-mismatch: the PoOT header is not the one the EVM block/)
      await refuses(encodeEnvelope(otherBody), /^known-block-mismatch: the PoOT body does not hash to its header's bodyHash/)
      const r = await base.importEnvelope(await envelopeAt(2n), slotTime(100))
      assert.ok(r.ok && r.known === true)
    })

    it('a copy of a known block with other transactions or signatures that do not hold is refused; valid ones are known', async () => {
      const raw = await envelopeAt(1n) // four transactions
      const e = decodeEnvelope(raw)
      const withTxs = (edit: (txs: Uint8Array[]) => Uint8Array[]): Uint8Array => {
        const evm = RLP.decode(e.evm) as unknown as Uint8Array[][]
        evm[1] = edit(evm[1])
        return encodeEnvelope({ ...e, evm: RLP.encode(evm as never) })
      }
      assert.equal((RLP.decode(e.evm) as unknown as Uint8Array[][])[1].length, 4)
      const txs = /^known-block-mismatch: the transactions, withdrawals or ommers are not the ones the EVM header commits to$/
      await refuses(withTxs((t) => t.slice(0, 3)), txs)
      await refuses(withTxs((t) => [t[1], t[0], t[2], t[3]]), txs)
      await refuses(withTxs(() => []), txs)
      const flipped = (sig: Uint8Array): Uint8Array => { const c = Uint8Array.from(sig); c[7] ^= 1; return c }
      const { signed } = e.poot
      await refuses(encodeEnvelope({ ...e, poot: { ...e.poot, signed: { ...signed, signatures: signed.signatures.map((x) => ({ ...x, sig: flipped(x.sig) })) } } }), /^known-block-mismatch: poot:header:bad-signature$/)
      await refuses(encodeEnvelope({ ...e, poot: { ...e.poot, signed: { ...signed, signatures: [] } } }), /^known-block-mismatch: poot:header:below-threshold$/)
      await refuses(encodeEnvelope({ ...e, seal: e.seal.map((x) => ({ ...x, sig: flipped(x.sig) })) }), /^known-block-mismatch: seal-bad-signature$/)
      const r = await base.importEnvelope(raw, slotTime(100))
      assert.ok(r.ok && r.known === true, 'the block itself is still known')
    })

    it('still accepts the honest block afterwards', async () => {
      const r = await base.importEnvelope(next, slotTime(100))
      assert.ok(r.ok, r.ok ? '' : r.reason)
      assert.equal(bytesToHex(base.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
    })
  })
})
