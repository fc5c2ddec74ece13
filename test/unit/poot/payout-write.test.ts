// The chain's payout computation (protocols/poot/payout-write.ts): what the system write of each payout epoch records.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { computePayoutWrite, holderCandidates, holderRecordCandidates, type AccountAtSnapshot, type PayoutWriteInput } from '../../../protocols/poot/payout-write.js'
import { toHex } from '../../../protocols/poot/bytes.js'
import { DEFAULT_PAYOUT_PARAMS, USD } from '../../../protocols/poot/payouts.js'

const P = { ...DEFAULT_PAYOUT_PARAMS, epochSlots: 8 }
const SYSTEM = '0x' + 'ff'.repeat(19) + 'fe'
const addr = (i: number): string => '0x' + i.toString(16).padStart(40, '0')

/** An arbitrary input: 1-12 accounts split among genesis, stored and seen, some contracts, old rollovers, income or none. */
const inputArb = fc.record({
  n: fc.integer({ min: 1, max: 12 }),
  balances: fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 12, maxLength: 12 }),
  placement: fc.array(fc.constantFrom('genesis', 'stored', 'seen', 'seen-twice'), { minLength: 12, maxLength: 12 }),
  code: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  worker: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  carried: fc.array(fc.option(fc.bigInt({ min: 1n, max: 20n * USD })), { minLength: 12, maxLength: 12 }),
  income: fc.option(fc.record({ grossUsd: fc.bigInt({ min: 0n, max: 100_000_000n * USD }), networkFeeUsd: fc.bigInt({ min: 0n, max: 3n * USD }) })),
  vaultBalanceUsd: fc.bigInt({ min: 0n, max: 30_000_000n * USD }),
  started: fc.boolean()
}).map((r): PayoutWriteInput => {
  const ids = Array.from({ length: r.n }, (_, i) => addr(i + 1))
  const of = (k: string): string[] => ids.filter((_, i) => r.placement[i] === k || (k === 'seen' && r.placement[i] === 'seen-twice'))
  const rollover = new Map(ids.flatMap((a, i) => r.carried[i] !== null && r.placement[i] !== 'seen' && !r.code[i] ? [[a, r.carried[i] as bigint] as const] : []))
  const accounts = new Map<string, AccountAtSnapshot>(ids.map((a, i) => [a, { balance: r.balances[i], hasCode: r.code[i] }]))
  accounts.set(SYSTEM, { balance: 5n * 10n ** 18n, hasCode: false })
  return {
    epoch: 3,
    income: r.income,
    state: { vaultBalanceUsd: r.vaultBalanceUsd, vaultNextGoalUsd: r.started ? 20_000_000n * USD : 0n, rollover, holders: of('stored') },
    sources: { genesis: [...of('genesis'), SYSTEM], stored: of('stored'), seen: [...of('seen'), ...of('seen-twice')] },
    nodeWorkers: new Set(ids.filter((_, i) => r.worker[i])),
    systemAddress: SYSTEM,
    accounts
  }
})

const sum = (xs: Iterable<bigint>): bigint => [...xs].reduce((a, b) => a + b, 0n)

describe('poot payout write (the chain\'s system write of an epoch\'s entitlements)', () => {
  it('conserves every unit: paid gross + new rollover = distributable + stimulus + old rollover; the vault keeps the rest', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const r = computePayoutWrite(input, P)
      assert.ok(r.ok, r.ok ? '' : r.reason)
      const w = r.value
      const paid = sum(w.batch.entries.map((e) => e.grossUsd))
      const oldRoll = sum(input.state.rollover.values())
      assert.equal(paid + sum(w.batch.rollover.values()), w.distributedUsd + oldRoll)
      const anyBalance = w.holders.some((h) => h.balance > 0n)
      assert.equal(w.distributedUsd, anyBalance ? w.split.distributable + w.stimulusUsd : 0n)
      // the vault: old balance + its share = new balance + what it gave as stimulus (+ back what nobody could take)
      assert.equal(input.state.vaultBalanceUsd + w.split.vault + (anyBalance ? 0n : w.split.distributable), w.vault.balanceUsd + (anyBalance ? w.stimulusUsd : 0n))
      const gross = input.income?.grossUsd ?? 0n
      assert.equal(w.split.tax + w.split.management + w.split.vault + w.split.distributable, gross)
    }), { numRuns: 300 })
  })

  it('is deterministic: the same state in any order of the sources gives the same batch, root and new holders', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const a = computePayoutWrite(input, P)
      const shuffled: PayoutWriteInput = {
        ...input,
        sources: { genesis: [...input.sources.genesis].reverse(), stored: [...input.sources.stored].reverse(), seen: [...input.sources.seen, ...input.sources.seen].reverse() },
        state: { ...input.state, rollover: new Map([...input.state.rollover].reverse()) },
        accounts: new Map([...input.accounts].reverse())
      }
      const b = computePayoutWrite(shuffled, P)
      assert.ok(a.ok && b.ok)
      assert.deepEqual(b.value.batch.root, a.value.batch.root)
      assert.deepEqual(b.value.batch.entries, a.value.batch.entries)
      assert.deepEqual([...b.value.batch.rollover].sort(), [...a.value.batch.rollover].sort())
      assert.deepEqual(b.value.newHolders, a.value.newHolders)
      assert.deepEqual(b.value.vault, a.value.vault)
    }), { numRuns: 200 })
  })

  it('holds every non-contract account of the sources but the system address; new holders are the seen ones with a balance not known before', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const r = computePayoutWrite(input, P)
      assert.ok(r.ok)
      const got = r.value.holders.map((h) => h.address)
      const want = holderCandidates(input.sources, input.state.rollover)
        .filter((a) => input.state.rollover.has(a) || (a !== SYSTEM && !(input.accounts.get(a) as AccountAtSnapshot).hasCode))
      assert.deepEqual(got, want)
      assert.ok(!got.includes(SYSTEM))
      const known = new Set([...input.sources.genesis, ...input.sources.stored])
      assert.deepEqual(r.value.newHolders, want.filter((a) => !known.has(a) && !input.state.rollover.has(a) && (input.accounts.get(a) as AccountAtSnapshot).balance > 0n))
      for (const h of r.value.holders) assert.equal(h.role, input.nodeWorkers.has(h.address) ? 'node-worker' : 'end-user')
      for (const e of r.value.batch.entries) assert.equal(e.route, input.nodeWorkers.has(e.address) ? 'kyc' : 'v0')
    }), { numRuns: 200 })
  })

  it('pays nothing new without declared income: only rollovers that reached the minimum', () => {
    const a = addr(1)
    const b = addr(2)
    const r = computePayoutWrite({
      epoch: 5,
      income: null,
      state: { vaultBalanceUsd: 0n, vaultNextGoalUsd: 0n, rollover: new Map([[a, 12n * USD], [b, 3n * USD]]), holders: [] },
      sources: { genesis: [a, b], stored: [], seen: [] },
      nodeWorkers: new Set(),
      systemAddress: SYSTEM,
      accounts: new Map([[a, { balance: 1n, hasCode: false }], [b, { balance: 1n, hasCode: false }]])
    }, P)
    assert.ok(r.ok)
    assert.deepEqual(r.value.batch.entries.map((e) => [e.address, e.grossUsd]), [[a, 12n * USD]])
    assert.deepEqual([...r.value.batch.rollover], [[b, 3n * USD]])
    assert.deepEqual(r.value.vault, { balanceUsd: 0n, nextGoalUsd: P.vaultFirstGoalUsd })
  })

  it('refuses a candidate whose account was not read', () => {
    const r = computePayoutWrite({
      epoch: 1, income: null, state: { vaultBalanceUsd: 0n, vaultNextGoalUsd: 0n, rollover: new Map(), holders: [] },
      sources: { genesis: [addr(1)], stored: [], seen: [addr(2)] }, nodeWorkers: new Set(), systemAddress: SYSTEM, accounts: new Map([[addr(1), { balance: 1n, hasCode: false }]])
    }, P)
    assert.deepEqual(r, { ok: false, reason: `missing-account:${addr(2)}` })
  })

  it('per-block holder records: the accounts written, less those known from genesis; lowercase, sorted, unique (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 10 }), (written, known) => {
      const upper = (a: string): string => '0x' + a.slice(2).toUpperCase()
      const got = holderRecordCandidates(written.map((i) => (i % 2 === 0 ? upper(addr(i)) : addr(i))), new Set(known.map(addr)))
      const want = [...new Set(written.filter((i) => !known.includes(i)).map(addr))].sort()
      assert.deepEqual(got, want)
    }))
  })

  it('holders recorded block by block (as PayoutBatches.recordHolders keeps them) give the boundary the same batch as seeing them all there (property)', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const all = computePayoutWrite(input, P)
      // the blocks' records: the seen accounts not known from genesis, kept by the contract when they have a balance,
      // no code, and are not stored yet
      const known = new Set(input.sources.genesis)
      const stored = new Set(input.state.holders)
      const recorded = holderRecordCandidates(input.sources.seen, known).filter((a) => {
        const acct = input.accounts.get(a)!
        return acct.balance > 0n && !acct.hasCode && !stored.has(a)
      })
      const holders = [...input.state.holders, ...recorded]
      const byBlock = computePayoutWrite({ ...input, state: { ...input.state, holders }, sources: { ...input.sources, stored: holders, seen: [] } }, P)
      assert.equal(byBlock.ok, all.ok)
      if (!all.ok || !byBlock.ok) return
      assert.equal(toHex(byBlock.value.batch.root), toHex(all.value.batch.root))
      assert.deepEqual(byBlock.value.batch.entries, all.value.batch.entries)
      assert.deepEqual(byBlock.value.newHolders, [], 'nothing left to store at the boundary')
      // the boundary would have stored the same accounts, but those a rollover keeps anyway
      assert.deepEqual(recorded.filter((a) => !input.state.rollover.has(a)), [...all.value.newHolders])
    }))
  })
})
