// Batches that fail a check are refused with their reason and never partly paid.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { encodePayoutEntry } from '../../protocols/poot/payouts.js'
import { leafHash, merkleRoot } from '../../protocols/poot/merkle.js'
import type { CommittedEntry } from '../../payment-sidecar/src/batch/types.js'
import { Guard } from '../../payment-sidecar/src/service/crash.js'
import { openService } from '../../payment-sidecar/src/service/open.js'
import { tickUntil } from './support/drive.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfig, USD, type World } from './support/world.js'

const blake3Root = (epoch: number, entries: CommittedEntry[]): string => ethers.hexlify(merkleRoot(entries.map((e) => leafHash(encodePayoutEntry(epoch, e as never)))))

describe('payment sidecar: refused batches', function () {
  this.timeout(120_000)
  let w: World
  before(async () => { w = await openWorld() })
  after(async () => { await w?.close() })

  it('refuses each bad batch with its reason, pays none of it, and still pays a good one', async () => {
    const now = BigInt(Math.floor(w.tron.chain.head.timestamp / 1000))
    const cases: Array<{ name: string, want: RegExp, make: (epoch: number) => ReturnType<typeof makeBatch> }> = [
      { name: 'tampered amount (root recomputed)', want: /^approval-(root|total)-mismatch:/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'tamper'), distributableUsd: 800n * USD, tamper: (b) => { const e = b.entries[1]; b.entries[1] = { ...e, grossUsd: e.grossUsd + 1_000n * USD, netUsd: e.netUsd + 1_000n * USD }; b.root = blake3Root(epoch, b.entries) } }) },
      { name: 'tampered amount (root kept)', want: /^wrong-root$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'tamper2'), distributableUsd: 800n * USD, tamper: (b) => { const e = b.entries[0]; b.entries[0] = { ...e, grossUsd: e.grossUsd + 1n, netUsd: e.netUsd + 1n } } }) },
      { name: 'net not gross minus fees', want: /^bad-amount:2$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'net'), distributableUsd: 800n * USD, tamper: (b) => { b.entries[2] = { ...b.entries[2], netUsd: b.entries[2].netUsd + 1n } } }) },
      { name: 'wrong root', want: /^wrong-root$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'root'), distributableUsd: 800n * USD, tamper: (b) => { b.root = ethers.id('not the root') } }) },
      { name: 'one approval instead of two', want: /^not-enough-approvals:(v0|kyc):1$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'one'), distributableUsd: 800n * USD, signers: [2] }) },
      { name: 'an approval by a non-disburser', want: /^unknown-signer:/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'stranger'), distributableUsd: 800n * USD, tamper: (b) => { b.approvals[0] = { ...b.approvals[0], signatures: [b.approvals[0].signatures[0], new ethers.Wallet(ethers.id('stranger')).signingKey.sign(ethers.id('x')).serialized] } } }) },
      { name: 'expired KYC attestation', want: /^kyc-expired:\d+$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'kyc'), distributableUsd: 800n * USD, kycExpiryS: now - 1n }) },
      { name: 'over the per-transaction cap (local)', want: /^over-per-tx-cap:\d+$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(2, 'cap'), distributableUsd: 9_000n * USD }) },
      { name: 'over the daily cap (local)', want: /^over-daily-cap/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(30, 'daily'), distributableUsd: 30_000n * USD }) },
      { name: 'unknown route', want: /^unknown-route:1$/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'route'), distributableUsd: 800n * USD, tamper: (b) => { b.entries[1] = { ...b.entries[1], route: 'unknown' } } }) },
      { name: 'approval deadline too close', want: /^approval-expired:/, make: async (epoch) => await makeBatch(w, { epoch, holders: holders(4, 'deadline'), distributableUsd: 800n * USD, deadlineS: now + 10n }) }
    ]
    const firstBlock = (await w.lucid.chain!.provider.getBlockNumber()) + 1
    const made = []
    for (let i = 0; i < cases.length; i++) {
      const b = await cases[i].make(200 + i)
      await commitBatch(w, b)
      made.push(b)
    }
    const good = await makeBatch(w, { epoch: 299, holders: holders(4, 'good'), distributableUsd: 800n * USD })
    await commitBatch(w, good)
    const txsBefore = w.tron.chain.txs.size
    const s = openService(sidecarConfig(w, { fromBlock: firstBlock, confirmations: 1, caps: { maxPerTxUsd6: String(5_000n * USD), dailyCapUsd6: String(20_000n * USD) } }), { keys: [w.payerKeys[0].privateKey, w.payerKeys[1].privateKey], guard: new Guard() })
    await tickUntil(s, () => s.state.batches.get(good.root)?.state === 'paid')
    for (let i = 0; i < cases.length; i++) {
      const rec = s.state.batches.get(made[i].root.toLowerCase())
      assert.equal(rec?.state, 'refused', `${cases[i].name}: ${JSON.stringify(rec)}`)
      assert.match(rec.reason ?? '', cases[i].want, cases[i].name)
      assert.equal([...s.state.txs.values()].filter((t) => t.batch === rec.id).length, 0, `${cases[i].name}: no transaction planned`)
      for (const e of made[i].entries) assert.equal(await w.tokenBalance(e.address), 0n, `${cases[i].name}: nothing paid to ${e.address}`)
    }
    // only the good batch's transactions reached TRON
    const goodTxs = good.entries.length + new Set(good.entries.map((e) => e.route)).size
    assert.equal(w.tron.chain.txs.size - txsBefore, goodTxs)
    assert.equal(s.state.counters.refused, cases.length)
    s.d.ledger.close()
  })
})
