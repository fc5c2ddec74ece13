// The sidecar's small parts: keystore, config, ledger, batch codec and leaves, crash points.
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ethers } from 'ethers'
import fc from 'fast-check'
import { decodeBatchPayload, encodeBatchPayload } from '../../payment-sidecar/src/batch/codec.js'
import { keccakTree, leafHash, leafOf } from '../../payment-sidecar/src/batch/leaves.js'
import { batchFromJson, batchToJson, type CommittedEntry } from '../../payment-sidecar/src/batch/types.js'
import { ConfigError, loadConfig, MAINNET_USDT, parseConfig } from '../../payment-sidecar/src/config.js'
import { openKeys, sealKeys } from '../../payment-sidecar/src/keystore.js'
import { Ledger, LedgerDamaged } from '../../payment-sidecar/src/ledger/ledger.js'
import { CrashError, Guard } from '../../payment-sidecar/src/service/crash.js'
import { batchLeaf, merkleTree } from '../contracts/support/merkle.js'

const tmp = (): string => mkdtempSync(join(tmpdir(), 'lucid-payout-unit-'))
const T = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
const base = (): Record<string, any> => ({
  mode: 'sandbox', dataDir: './data',
  chain: { rpcUrl: 'http://127.0.0.1:8545', batchContract: '0x' + '11'.repeat(20), registry: '0x' + '22'.repeat(20) },
  tron: { fullNode: 'https://api.shasta.trongrid.io', v0Router: T, kycRouter: T, token: T, feePayer: T }
})

describe('payment sidecar: keystore', () => {
  it('seals and opens keys; a wrong passphrase fails without showing any key', () => {
    const keys = ['0x' + '01'.repeat(32), '0x' + 'ab'.repeat(32)]
    const file = sealKeys(keys, 'correct horse battery', 1 << 10)
    assert.deepEqual(openKeys(file, 'correct horse battery'), keys)
    assert.equal(file.addresses.length, 2)
    const text = JSON.stringify(file)
    for (const k of keys) assert.ok(!text.includes(k.slice(2)), 'no key in the file in clear')
    assert.throws(() => openKeys(file, 'wrong horse battery'), (e: Error) => /wrong passphrase/.test(e.message) && !keys.some((k) => e.message.includes(k.slice(2))))
    const damaged = { ...file, ciphertext: file.ciphertext.slice(0, -2) + (file.ciphertext.endsWith('00') ? '01' : '00') }
    assert.throws(() => openKeys(damaged, 'correct horse battery'), /wrong passphrase or damaged/)
    assert.throws(() => sealKeys(['0x1234'], 'correct horse battery', 1 << 10), (e: Error) => /not 32 bytes/.test(e.message) && !e.message.includes('1234'))
  })
})

describe('payment sidecar: config', () => {
  it('accepts a minimal config with defaults (20 confirmations, 127.0.0.1)', () => {
    const c = parseConfig(base(), '/srv')
    assert.equal(c.tron.confirmations, 20)
    assert.equal(c.api.host, '127.0.0.1')
    assert.equal(c.dataDir, '/srv/data')
    assert.equal(c.chain.finality, 'finalized')
    assert.match(c.contractsDir, /contracts\/build$/)
  })

  it('names the bad field', () => {
    const cases: Array<[(c: Record<string, any>) => void, RegExp]> = [
      [(c) => { c.mode = 'live' }, /^config: mode: must be sandbox, mainnet or dry-run/],
      [(c) => { c.tron.confirmations = 0 }, /^config: tron.confirmations: must be an integer in \[1/],
      [(c) => { c.tron.v0Router = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' }, /^config: tron.v0Router: not a base58check TRON address/],
      [(c) => { c.chain.rpcUrl = 'localhost:8545' }, /^config: chain.rpcUrl: not an http\(s\) URL/],
      [(c) => { c.chain.registry = '0x12' }, /^config: chain.registry: not a 0x 20-byte address/],
      [(c) => { c.chain.finality = -1 }, /^config: chain.finality:/],
      [(c) => { c.caps = { maxPerTxUsd6: '5', dailyCapUsd6: '4' } }, /^config: caps.maxPerTxUsd6: exceeds caps.dailyCapUsd6/],
      [(c) => { c.caps = { maxPerTxUsd6: '-5' } }, /^config: caps.maxPerTxUsd6: must be a positive integer/],
      [(c) => { c.colour = 'blue' }, /^config: colour: unknown setting/],
      [(c) => { delete c.tron.feePayer }, /^config: tron.feePayer: is required/],
      [(c) => { c.mode = 'mainnet'; c.tron.token = 'TPL66VK2gCXNCD7EJg9pgJRfqcRazjhUZY' }, /^config: tron.token: mainnet pays USDT-TRC20 only/],
      [(c) => { c.mode = 'mainnet'; c.tron.fullNode = 'http://x' }, /^config: tron.fullNode: mainnet needs an https/]
    ]
    for (const [mutate, want] of cases) {
      const c = base()
      mutate(c)
      assert.throws(() => parseConfig(c, '/srv'), (e: Error) => e instanceof ConfigError && want.test(e.message), String(want))
    }
    const main = base(); main.mode = 'mainnet'; main.tron.token = MAINNET_USDT
    assert.equal(parseConfig(main, '/').mode, 'mainnet')
  })

  it('reports an unreadable or non-JSON file', () => {
    const dir = tmp()
    assert.throws(() => loadConfig(join(dir, 'none.json')), /cannot read .*ENOENT/)
    writeFileSync(join(dir, 'bad.json'), '{ mode: ')
    assert.throws(() => loadConfig(join(dir, 'bad.json')), /is not JSON/)
  })
})

describe('payment sidecar: ledger', () => {
  it('replays its records after a reopen and drops a torn last line', () => {
    const path = join(tmp(), 'ledger.jsonl')
    const l = new Ledger(path)
    l.append({ k: 'cursor', block: 1 })
    l.append({ k: 'tx', key: 'a', state: 'signed' })
    l.close()
    appendFileSync(path, '{"k":"tx","key":"a","sta')
    const l2 = new Ledger(path)
    assert.deepEqual(l2.records.map((r) => r.k), ['cursor', 'tx'])
    l2.append({ k: 'tx', key: 'a', state: 'broadcast' })
    l2.close()
    const lines = readFileSync(path, 'utf8').split('\n').filter((x) => x !== '')
    assert.equal(lines.length, 3)
    assert.ok(lines.every((x) => JSON.parse(x) !== null))
  })

  it('refuses to open a ledger damaged before its last line, and changes nothing', () => {
    const path = join(tmp(), 'ledger.jsonl')
    const l = new Ledger(path)
    for (const key of ['a', 'b', 'c']) l.append({ k: 'tx', key, state: 'confirmed' })
    l.close()
    const good = readFileSync(path, 'utf8').split('\n')
    for (const bad of ['{"k":"tx","key":"b","sta', 'not json', '[1,2]', '{"key":"b"}', '']) {
      const damaged = [good[0], bad, good[2], ''].join('\n')
      writeFileSync(path, damaged)
      assert.throws(() => new Ledger(path), (e: Error) => e instanceof LedgerDamaged && /line 2 is not a ledger record, and it is not a torn last line/.test(e.message), JSON.stringify(bad))
      assert.equal(readFileSync(path, 'utf8'), damaged, 'nothing truncated: the records after the damage are kept')
    }
  })

  it('refuses writes after an injected crash', () => {
    const g = new Guard({ point: 'signed', n: 2 })
    const l = new Ledger(join(tmp(), 'ledger.jsonl'), g)
    g.hit('signed')
    l.append({ k: 'x' })
    assert.throws(() => g.hit('signed'), CrashError)
    assert.throws(() => l.append({ k: 'y' }), CrashError)
    assert.equal(l.records.length, 1)
  })
})

describe('payment sidecar: batch codec and router leaves', () => {
  const entry = fc.record({
    address: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => '0x' + Buffer.from(b).toString('hex')),
    route: fc.constantFrom('v0' as const, 'kyc' as const),
    gross: fc.bigInt({ min: 1n, max: 2n ** 100n }),
    fee: fc.bigInt({ min: 0n, max: 1000n })
  })

  it('encodes and decodes a batch payload exactly (property)', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 6 }), (es) => {
      const entries: CommittedEntry[] = es.map((e, index) => ({
        index, address: e.address, route: e.route, grossUsd: e.gross + e.fee, networkFeeUsd: e.fee, platformFeeUsd: 0n, netUsd: e.gross,
        ...(e.route === 'kyc' ? { kyc: { kycHash: ethers.id(e.address), expiry: 99n, signature: '0x' + '11'.repeat(65) } } : {})
      }))
      const approvals = [{ route: 'v0' as const, root: ethers.id('r'), total: 5n, deadline: 7n, signatures: ['0x' + '22'.repeat(65)] }]
      const back = decodeBatchPayload(encodeBatchPayload(entries, approvals))
      assert.deepEqual(back.entries, entries)
      assert.deepEqual(back.approvals, approvals)
      assert.deepEqual(batchFromJson(batchToJson({ id: '0x00', epoch: 1, blockNumber: 2, txHash: '0x', entries, approvals })).entries, entries)
    }), { numRuns: 50 })
    assert.throws(() => decodeBatchPayload('0x1234'), /not ABI-encoded/)
  })

  it('builds the same leaves, root and proofs as the contracts test helper (and so as OZ MerkleProof)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 0, max: 1000 }), (n, epoch) => {
      const entries = Array.from({ length: n }, (_, i) => ({ index: i, address: ethers.id(`a${i}`).slice(0, 42), route: 'v0' as const, grossUsd: 10n, networkFeeUsd: 0n, platformFeeUsd: 0n, netUsd: BigInt(10 + i) }))
      const leaves = entries.map((e) => leafOf({ id: ethers.id('batch'), epoch }, e))
      assert.equal(leaves[0].nonce, BigInt(epoch) * 2n ** 32n)
      const ours = keccakTree(leaves.map(leafHash))
      const ref = merkleTree(leaves.map(batchLeaf))
      assert.equal(ours.root, ref.root)
      for (let i = 0; i < n; i++) assert.deepEqual(ours.proof(i), ref.proof(i))
    }), { numRuns: 30 })
  })
})
