import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { fixture, genesis, extend } from '../poot/helpers.js'
import { validateProof } from '../../../protocols/poot/proof-rules.js'
import { nodeKeyFromSeed, type NodeKey } from '../../../protocols/poot/keys.js'
import { slotStartMs } from '../../../protocols/poot/params.js'
import type { RelayReceipt } from '../../../protocols/poot/proofs.js'
import { bytesPerCredit, RelayAccounts, RECEIPT_MAX_LAG_SLOTS, type ReceiptRequest } from '../../../node/src/chainnet/relay-accounts.js'

const MiB = 1_048_576
const f = fixture({ pools: [{ size: 3, threshold: 2 }] })
const { params, registry } = f.config
const chain = extend(f, genesis(f), 12)
const earnsFrom = (me: NodeKey) => (node: string): boolean => {
  const e = registry.entityOfNode.get(node)
  return e !== undefined && e !== registry.entityOfNode.get(me.id)
}
const accounts = (k: NodeKey): RelayAccounts => new RelayAccounts(k, params, earnsFrom(k))
const relayer = f.keys[5]
const receiver = f.keys[6]

function validity (r: RelayReceipt): string {
  const slot = chain.slot + 1
  const v = validateProof(r, { config: f.config, parent: chain, slot, timeMs: slotStartMs(f.config.genesisMs, params, slot), blockKeys: new Set(), openChallenges: [] })
  return v.ok ? 'ok' : v.reason
}

describe('chain: relay receipt accounts', () => {
  it('a receiver owes a receipt only once it earns a credit; the countersigned receipt is valid PoOT', () => {
    const rx = accounts(receiver)
    const tx = accounts(relayer)
    rx.received(relayer.id, bytesPerCredit(params) - 1)
    assert.deepEqual(rx.due(chain.slot), [])
    rx.received(relayer.id, 1)
    tx.served(3 * MiB)
    const [req, ...rest] = rx.due(chain.slot)
    assert.equal(rest.length, 0)
    assert.equal(req.bytes, bytesPerCredit(params))
    assert.equal(rx.owedTo(relayer.id), 0)
    const receipt = tx.countersign(req, receiver.id, chain.slot)
    assert.ok(typeof receipt !== 'string', String(receipt))
    assert.equal(validity(receipt), 'ok')
    assert.equal(tx.servedUnreceipted, 3 * MiB - req.bytes)
  })

  it('counts no bytes from itself, its own entity or unregistered peers', () => {
    const rx = accounts(f.keys[0]) // in a pool with keys 1 and 2
    rx.received(f.keys[0].id, 5 * MiB)
    rx.received(f.keys[1].id, 5 * MiB)
    rx.received(nodeKeyFromSeed(new Uint8Array(32).fill(9)).id, 5 * MiB)
    assert.deepEqual(rx.due(chain.slot), [])
  })

  it('the relayer refuses what it should not sign, naming why', () => {
    const rx = accounts(receiver)
    const tx = accounts(relayer)
    rx.received(relayer.id, 2 * MiB)
    const [req] = rx.due(chain.slot)
    const s = chain.slot
    assert.equal(tx.countersign(req, receiver.id, s), 'more-than-served')
    tx.served(4 * MiB)
    assert.equal(tx.countersign({ ...req, node: f.keys[7].id }, receiver.id, s), 'not-our-receipt')
    assert.equal(tx.countersign(req, f.keys[7].id, s), 'receiver-is-not-the-sender')
    assert.equal(tx.countersign(req, receiver.id, s - 1), 'future-slot')
    assert.equal(tx.countersign(req, receiver.id, s + RECEIPT_MAX_LAG_SLOTS + 1), 'stale')
    assert.equal(tx.countersign({ ...req, bytes: 0 }, receiver.id, s), 'bad-bytes')
    const forged: ReceiptRequest = { ...req, bytes: req.bytes + 1 } // the receiver signed other bytes
    assert.equal(tx.countersign(forged, receiver.id, s), 'bad-receiver-signature')
    assert.equal(accounts(f.keys[1]).countersign({ ...req, node: f.keys[1].id, receiver: f.keys[0].id }, f.keys[0].id, s), 'receiver-cannot-credit-us')
    assert.equal(tx.countersign(req, receiver.id, s, (receipt) => validity(receipt) === 'ok' ? 'made-up-refusal' : null), 'made-up-refusal')
    assert.equal(tx.servedUnreceipted, 4 * MiB, 'refusals receipt nothing')
    assert.ok(typeof tx.countersign(req, receiver.id, s) !== 'string')
    assert.equal(tx.countersign(req, receiver.id, s), 'duplicate')
  })

  it('an undelivered receipt is owed again', () => {
    const rx = accounts(receiver)
    rx.received(relayer.id, 2 * MiB)
    const [req] = rx.due(5)
    rx.restore(req)
    assert.equal(rx.owedTo(relayer.id), 2 * MiB)
    assert.equal(rx.due(6)[0].bytes, 2 * MiB)
  })

  it('property: receipts never cover more than was received or served, one per relayer and slot, each valid', () => {
    const peers = [f.keys[5], f.keys[7], f.keys[8]]
    const step = fc.oneof(
      fc.record({ op: fc.constant('recv' as const), peer: fc.nat(peers.length - 1), bytes: fc.integer({ min: 1, max: 3 * MiB }) }),
      fc.record({ op: fc.constant('serve' as const), peer: fc.nat(peers.length - 1), bytes: fc.integer({ min: 1, max: 3 * MiB }) }),
      fc.record({ op: fc.constant('slot' as const), lost: fc.boolean() })
    )
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const rx = accounts(receiver)
      const txs = peers.map(accounts)
      const received = peers.map(() => 0)
      const served = peers.map(() => 0)
      const receipted = peers.map(() => 0)
      let slot = 1
      for (const s of steps) {
        if (s.op === 'recv') { rx.received(peers[s.peer].id, s.bytes); received[s.peer] += s.bytes } else if (s.op === 'serve') { txs[s.peer].served(s.bytes); served[s.peer] += s.bytes } else {
          const due = rx.due(slot)
          assert.equal(new Set(due.map((r) => r.node)).size, due.length, 'one receipt per relayer and slot')
          for (const r of due) {
            const i = peers.findIndex((p) => p.id === r.node)
            assert.ok(r.bytes >= bytesPerCredit(params) && r.bytes <= params.maxRelayBytesPerReceipt)
            if (s.lost) { rx.restore(r); continue }
            const out = txs[i].countersign(r, receiver.id, slot)
            if (typeof out === 'string') { assert.equal(out, 'more-than-served'); continue }
            receipted[i] += out.bytes
          }
          slot++
        }
      }
      for (let i = 0; i < peers.length; i++) {
        assert.ok(receipted[i] <= received[i], 'receipted more than received')
        assert.ok(receipted[i] <= served[i], 'receipted more than served')
        assert.equal(txs[i].servedUnreceipted, served[i] - receipted[i])
      }
    }), { numRuns: 200 })
  })
})
