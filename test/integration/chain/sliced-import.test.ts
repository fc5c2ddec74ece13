// Received blocks are decoded in slices (sliced-block.ts) and built blocks made from the executed transaction objects
// (builder.ts): the result must be the block ethereumjs' createBlockFromRLP makes, and tampered transactions must be refused with the reason
// the one-piece path (createBlockFromRLP + validateData) gives.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes } from '@ethereumjs/util'
import { decodeEnvelope, encodeEnvelope, type Chain } from '../../../node/src/chain/index.js'
import { Slicer } from '../../../node/src/chain/slicer.js'
import { decodeBlockSliced } from '../../../node/src/chain/sliced-block.js'
import { Chain as ChainClass, buildGenesis, checkGenesisSpec, devGenesisSpec } from '../../../node/src/chain/index.js'
import { openDevChain, produce, removeChainDirs, signedTx, slotTime, DEV_KEYS, GENESIS_MS, SLOT_MS } from './support.js'

describe('chain: sliced block import', function () {
  this.timeout(120_000)
  let leader: Chain
  let follower: Chain
  let env: Uint8Array
  let first: Block
  before(async () => {
    leader = await openDevChain()
    follower = await openDevChain()
    for (let k = 1; k <= 3; k++) for (let i = 0; i < 4; i++) await leader.submitRaw(signedTx(leader, { nonce: BigInt(i) }, DEV_KEYS[k]).serialize())
    first = await produce(leader)
    assert.equal(first.transactions.length, 12)
    env = (await leader.envelopeOf(first))!
  })
  after(async () => { await leader.close(); await follower.close(); removeChainDirs() })

  // a slicer that yields at every step, so every turn is taken
  const everyStep = (): Slicer => new Slicer(0)

  it('decodes the same block as createBlockFromRLP (hash, bytes, transactions, senders, withdrawals)', async () => {
    const evm = decodeEnvelope(env).evm
    const old = createBlockFromRLP(evm, { common: leader.common })
    const sliced = await decodeBlockSliced(evm, { common: leader.common }, everyStep())
    assert.equal(bytesToHex(sliced.hash()), bytesToHex(old.hash()))
    assert.equal(bytesToHex(sliced.serialize()), bytesToHex(evm))
    assert.deepEqual(sliced.transactions.map((t) => bytesToHex(t.hash())), old.transactions.map((t) => bytesToHex(t.hash())))
    assert.deepEqual(sliced.transactions.map((t) => t.getSenderAddress().toString()), old.transactions.map((t) => t.getSenderAddress().toString()))
    assert.ok(sliced.transactions.every((t) => Object.isFrozen(t) && t.common.hardfork() === old.transactions[0].common.hardfork()))
    assert.deepEqual(sliced.withdrawals?.map((w) => w.toValue()), old.withdrawals?.map((w) => w.toValue()))
    assert.ok(Object.isFrozen(sliced))
    await sliced.validateData(false, true)
  })

  it('builds the block ethereumjs would decode from its bytes (the worker\'s header, this thread\'s transactions)', async () => {
    const built = first
    const decoded = createBlockFromRLP(built.serialize(), { common: leader.common })
    assert.equal(bytesToHex(built.hash()), bytesToHex(decoded.hash()))
    assert.equal(bytesToHex(built.header.transactionsTrie), bytesToHex(await decoded.genTxTrie()))
    assert.ok(Object.isFrozen(built) && built.transactions.every((t) => Object.isFrozen(t)))
    await built.validateData(false, true)
  })

  it('throws what createBlockFromRLP throws for blocks it refuses', async () => {
    const evm = decodeEnvelope(env).evm
    const fields = RLP.decode(evm) as unknown as Uint8Array[][]
    const badTx = RLP.encode([fields[0], [new Uint8Array([2, 0xc1, 0x80])], fields[2], fields[3]] as never)
    const withUncle = RLP.encode([fields[0], fields[1], [fields[0]], fields[3]] as never)
    for (const bad of [new Uint8Array([0xc0]), badTx, withUncle, RLP.encode([fields[0], fields[1], fields[2]] as never)]) {
      const want = ((): string => { try { createBlockFromRLP(bad, { common: leader.common }); return 'no error' } catch (e) { return (e as Error).message } })()
      await assert.rejects(decodeBlockSliced(bad, { common: leader.common }, everyStep()), (e: Error) => e.message === want)
    }
  })

  it('a follower importing through the sliced path reaches the leader\'s hash and state root', async () => {
    const r = await follower.importEnvelope(env, slotTime(100))
    assert.ok(r.ok, r.ok ? '' : r.reason)
    assert.equal(bytesToHex(follower.head.hash()), bytesToHex(leader.head.hash()))
    assert.equal(bytesToHex(follower.head.header.stateRoot), bytesToHex(leader.head.header.stateRoot))
    assert.equal(bytesToHex(follower.head.header.receiptTrie), bytesToHex(leader.head.header.receiptTrie))
  })

  it('imports envelopes in the order they arrive, even when a later one decodes sooner', async () => {
    // the importer gives the loop a turn at every step (sliceMs 0): the 12-transaction block takes twelve turns to
    // decode while the empty block after it decodes at once
    const next = await produce(leader)
    assert.equal(next.transactions.length, 0)
    const fresh = await openDevChain({ sliceMs: 0 })
    try {
      const [a, b] = await Promise.all([fresh.importEnvelope(env, slotTime(100)), fresh.importEnvelope((await leader.envelopeOf(next))!, slotTime(100))])
      assert.ok(a.ok && b.ok, `${a.ok ? '' : a.reason} ${b.ok ? '' : b.reason}`)
      assert.equal(bytesToHex(fresh.head.hash()), bytesToHex(next.hash()))
    } finally { await fresh.close() }
  })

  describe('tampered transactions under an honest header and seal', () => {
    let base: Chain
    before(async () => { base = await openDevChain() })
    after(async () => { await base.close() })

    /** The envelope with the EVM block's transaction list replaced (header, so the seal, unchanged). */
    const withTransactions = (change: (txs: Uint8Array[]) => Uint8Array[]): Uint8Array => {
      const e = decodeEnvelope(env)
      const fields = RLP.decode(e.evm) as unknown as Uint8Array[][]
      fields[1] = change([...fields[1]])
      return encodeEnvelope({ ...e, evm: RLP.encode(fields as never) })
    }

    /** The reason the one-piece path gives: ethereumjs' own decode and validateData. */
    const oldReason = async (raw: Uint8Array): Promise<string> => {
      const block: Block = createBlockFromRLP(decodeEnvelope(raw).evm, { common: base.common })
      try { await block.validateData(false, true); return 'valid' } catch (e) { return `execution: ${(e as Error).message.split('\n')[0]}` }
    }

    const refusedAsBefore = async (raw: Uint8Array, pattern: RegExp): Promise<void> => {
      const want = await oldReason(raw)
      assert.match(want, pattern)
      const r = await base.importEnvelope(raw, slotTime(100))
      assert.equal(r.ok, false)
      assert.equal((r as { reason: string }).reason, want)
      assert.equal(base.head.header.number, 0n)
    }

    it('a transaction whose signature does not recover', async () => {
      await refusedAsBefore(withTransactions((txs) => {
        const f = RLP.decode(txs[0].subarray(1)) as Uint8Array[]
        f[10] = new Uint8Array(32).fill(0xff) // r above the curve order
        txs[0] = concatBytes(txs[0].subarray(0, 1), RLP.encode(f as never))
        return txs
      }), /invalid transactions: errors at tx 0: Invalid Signature/)
    })

    it('a dropped transaction (the transaction trie no longer matches)', async () => {
      await refusedAsBefore(withTransactions((txs) => txs.slice(1)), /invalid transaction trie/)
    })

    it('then accepts the honest block', async () => {
      const r = await base.importEnvelope(env, slotTime(100))
      assert.ok(r.ok, r.ok ? '' : r.reason)
      assert.equal(bytesToHex(base.head.header.stateRoot), bytesToHex(first.header.stateRoot))
    })
  })

  it('refuses a set-code (EIP-7702) transaction on a prague chain, which decodes it but includes none', async () => {
    const genesis = await buildGenesis(checkGenesisSpec({ ...devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS }), hardfork: 'prague' }))
    const made: string[] = []
    const open = async (): Promise<Chain> => { made.push(mkdtempSync(join(tmpdir(), 'lucid-prague-'))); return await ChainClass.open({ dir: made[made.length - 1], genesis }) }
    const [pLeader, pFollower] = [await open(), await open()]
    try {
      await pLeader.submitRaw(signedTx(pLeader, { nonce: 0n }).serialize())
      const honest = (await pLeader.envelopeOf(await produce(pLeader)))!
      const setCode = signedTx(pLeader, { type: 4, nonce: 0n, authorizationList: [{ chainId: '0x0', address: '0x' + '22'.repeat(20), nonce: '0x0', yParity: '0x0', r: '0x01', s: '0x01' }] } as never)
      const e = decodeEnvelope(honest)
      const fields = RLP.decode(e.evm) as unknown as Uint8Array[][]
      fields[1] = [setCode.serialize()]
      const r = await pFollower.importEnvelope(encodeEnvelope({ ...e, evm: RLP.encode(fields as never) }), slotTime(100))
      assert.deepEqual(r, { ok: false, reason: 'unsupported-tx-type: transaction 0 is of type 4, which this chain does not include' })
      const ok = await pFollower.importEnvelope(honest, slotTime(100))
      assert.ok(ok.ok, ok.ok ? '' : ok.reason)
    } finally {
      await pLeader.close()
      await pFollower.close()
      for (const d of made) rmSync(d, { recursive: true, force: true })
    }
  })
})
