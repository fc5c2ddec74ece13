// The envelope codec round-trips and refuses malformed input with the field named; the genesis check names the
// bad field; the dev genesis is deterministic (same hash, same contract addresses) and funds the dev accounts.
import { strict as assert } from 'node:assert'
import { RLP } from '@ethereumjs/rlp'
import { ethers } from 'ethers'
import { checkGenesisSpec, decodeEnvelope, devGenesisSpec, encodeEnvelope, EnvelopeError, type GenesisSpec } from '../../../node/src/chain/index.js'
import { DEFAULT_PAYOUT_PARAMS, makeAttestation, makeBlock, makeHeartbeat, nodeKeyFromSeed } from '../../../protocols/poot/index.js'
import { proofFields } from '../../../node/src/chain/proof-codec.js'
import { payoutParamsOf } from '../../../node/src/chain/genesis-spec.js'
import { devGenesis, GENESIS_MS } from '../../integration/chain/support.js'

describe('chain: envelope codec', () => {
  const key = nodeKeyFromSeed(new Uint8Array(32).fill(3))
  const poot = makeBlock({ parentHash: 'ab'.repeat(32), slot: 7, rank: 1, timeMs: 1234567, proposer: key.id, signers: [{ member: 0, key }], body: { proofs: [], sessions: [{ sessionId: 's-1', bytes: 99 }], evidence: [], voteEvidence: [] } })
  const env = { evm: new Uint8Array([0xc0]), poot, seal: [{ member: 0, sig: new Uint8Array(64).fill(1) }] }

  it('round-trips', () => {
    const back = decodeEnvelope(encodeEnvelope(env))
    assert.deepEqual(back.poot.signed.header, poot.signed.header)
    assert.deepEqual(back.poot.body.sessions, poot.body.sessions)
    assert.deepEqual(back.seal, env.seal)
  })

  it('carries vote evidence (two attestations each)', () => {
    const a = makeAttestation(key, 5, '11'.repeat(32), { epoch: 0, hash: '00'.repeat(32) })
    const b = makeAttestation(key, 5, '22'.repeat(32), { epoch: 0, hash: '00'.repeat(32) })
    const withVotes = { ...env, poot: makeBlock({ parentHash: 'ab'.repeat(32), slot: 7, rank: 1, timeMs: 1234567, proposer: key.id, signers: [{ member: 0, key }], body: { ...poot.body, voteEvidence: [{ a, b }] } }) }
    assert.deepEqual(decodeEnvelope(encodeEnvelope(withVotes)).poot.body.voteEvidence, [{ a, b }])
    const fields = RLP.decode(encodeEnvelope(withVotes)) as unknown as unknown[]
    const body = fields[5] as unknown[]
    const heartbeat = proofFields(makeHeartbeat(key, 5, 5, { slot: 4, hash: '33'.repeat(32) }))
    assert.throws(() => decodeEnvelope(RLP.encode([...fields.slice(0, 5), [...body.slice(0, 3), [[proofFields(a), heartbeat]]]] as never)), /voteEvidence\[0\]\.b is a heartbeat proof, not a vote/)
    assert.throws(() => decodeEnvelope(RLP.encode([...fields.slice(0, 5), [...body.slice(0, 3), [[proofFields(a)]]]] as never)), /voteEvidence\[0\] has 1 items/)
  })

  it('refuses malformed envelopes naming what is wrong', () => {
    const bad = (raw: Uint8Array, pattern: RegExp): void => assert.throws(() => decodeEnvelope(raw), (e: unknown) => e instanceof EnvelopeError && pattern.test(e.message))
    bad(new Uint8Array([0xff, 0x00]), /not RLP/)
    bad(RLP.encode([new Uint8Array([2]), new Uint8Array(), [], [], [], []]), /version/)
    const fields = RLP.decode(encodeEnvelope(env)) as unknown as unknown[]
    bad(RLP.encode([...fields.slice(0, 2), [new Uint8Array([1])], ...fields.slice(3)] as never), /header has 1 items/)
    bad(RLP.encode([...fields.slice(0, 4), [[new Uint8Array([0]), new Uint8Array(10)]], fields[5]] as never), /seal signatures\[0\]/)
    bad(RLP.encode([...fields.slice(0, 5), [[], [[new Uint8Array(1)]], [], []]] as never), /body\.proofs\[0\]/)
    bad(new Uint8Array(8 * 1024 * 1024 + 1), /more than/)
    const many = Array.from({ length: 1025 }, (_, i) => [new TextEncoder().encode(`s-${i}`), new Uint8Array()])
    bad(RLP.encode([...fields.slice(0, 5), [many, [], [], []]] as never), /body\.sessions: more than 1024 items/)
  })
})

describe('chain: genesis', () => {
  const spec = (): GenesisSpec => devGenesisSpec({ slotMs: 1500, genesisMs: GENESIS_MS })

  it('names the bad field', () => {
    const bad = (mutate: (s: any) => void, pattern: RegExp): void => {
      const s = structuredClone(spec()) as any
      mutate(s)
      assert.throws(() => checkGenesisSpec(s), (e: Error) => pattern.test(e.message))
    }
    bad((s) => { s.chainId = 0 }, /genesis: chainId/)
    bad((s) => { s.hardfork = 'london' }, /genesis: hardfork/)
    bad((s) => { s.params.slotMs = 1000 }, /genesis: params: param-relation:fallbacks-exceed-slot/)
    bad((s) => { s.entities[0].members = ['xyz'] }, /genesis: entities\[0\]\.members/)
    bad((s) => { s.entities[0].members = s.entities.slice(0, 4).map((e: any) => e.members[0]); s.entities[0].threshold = 2 }, /genesis: entities\[0\]\.threshold: a pool of 4 members needs more than half of them \(at least 3\)/)
    bad((s) => { s.alloc['0x12'] = '1' }, /genesis: alloc\.0x12/)
    bad((s) => { s.contracts.disbursers = [s.contracts.disbursers[0], s.contracts.disbursers[0], s.contracts.disbursers[1]] }, /not distinct/)
    bad((s) => { s.payout = [] }, /genesis: payout\.\(root\): not an object/)
    bad((s) => { s.payout = { epochSlots: 0 } }, /genesis: payout\.epochSlots: not a positive integer/)
    bad((s) => { s.payout = { epochSlots: 1.5 } }, /genesis: payout\.epochSlots/)
    bad((s) => { s.payout = { minPayoutUsd6: '10.5' } }, /genesis: payout\.minPayoutUsd6: not a decimal string/)
    bad((s) => { s.payout = { platformFeeBps: 10_001 } }, /genesis: payout\.platformFeeBps/)
    bad((s) => { s.payout = { epochslots: 32 } }, /genesis: payout\.epochslots: unknown field/)
  })

  it('takes the payout epoch, minimum and platform fee from genesis, the monthly defaults otherwise', () => {
    const s = checkGenesisSpec({ ...spec(), payout: { epochSlots: 48, minPayoutUsd6: '5000000', platformFeeBps: 25 } })
    assert.deepEqual([payoutParamsOf(s).epochSlots, payoutParamsOf(s).minPayoutUsd, payoutParamsOf(s).platformFeeBps], [48, 5_000_000n, 25])
    const { payout, ...rest } = spec()
    assert.equal(payoutParamsOf(checkGenesisSpec(rest)).epochSlots, DEFAULT_PAYOUT_PARAMS.epochSlots)
  })

  it('is deterministic and funds the dev accounts', async () => {
    const g = await devGenesis()
    assert.equal(g.contracts.LucidAnchors, '0x000B6f169340e0751113b7B0F1D9e96237ed3481')
    const dev0 = ethers.computeAddress(ethers.keccak256(ethers.toUtf8Bytes('lucid/dev/account/0'))).toLowerCase()
    assert.equal(BigInt(g.state[dev0 as `0x${string}`] as string), 10n ** 24n)
    const code = (g.state[g.contracts.ParamRegistry.toLowerCase() as `0x${string}`] as unknown as [string, string, unknown[]])
    assert.ok(code[1].length > 1000 && code[2].length > 10, 'ParamRegistry has code and constructor-written storage')
  })
})
