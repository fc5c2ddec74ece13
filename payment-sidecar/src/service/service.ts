// The payout engine. Each tick: read the TRON head, take new final batches from the chain (verify, then accept or
// refuse them in the ledger), then move every open transaction one step along
//   planned → signed(txid, tx) → broadcast → included → confirmed          (or failed / expired → a new attempt)
// Every state is fsync'd in the ledger before the next external step, so a crash anywhere restarts into a step
// that neither repeats a payment nor forgets one:
//   - a transaction is broadcast only after its signed form is recorded; after a crash it is looked up by txID,
//     re-broadcast while it can still land (a duplicate is harmless), and rebuilt only once the node's head block
//     is past its expiration with no trace of it (it can then never be included);
//   - before any new attempt the router is asked whether the nonce / batch root is already used, and the router
//     itself refuses a used nonce, so even a wrong ledger could not pay twice.
import { ethers } from 'ethers'
import { describeRevert, type Abis } from '../abi.js'
import { routeTree } from '../batch/leaves.js'
import { batchToJson, type CommittedBatch } from '../batch/types.js'
import { verifyBatch, type RouterView, type VerifyContext } from '../batch/verify.js'
import type { BatchSource } from '../chain/source.js'
import type { Config } from '../config.js'
import type { Ledger, LedgerRecord } from '../ledger/ledger.js'
import type { NowBlock, TronApi } from '../tron/node-api.js'
import { buildCall, signTx } from '../tron/tx.js'
import type { Guard, CrashPoint } from './crash.js'
import { DONE, State, utcDay, type TxRecord } from './state.js'

export interface ServiceDeps {
  config: Config
  ledger: Ledger
  source: BatchSource
  tron: TronApi
  abis: Abis
  /** the keys that sign each TRON transaction (1 for the owner permission, threshold-many for a multisig one) */
  signingKeys: readonly string[]
  guard: Guard
  isPaused?: () => boolean
  log?: (msg: string) => void
  now?: () => number
}

interface TxSpec {
  key: string
  kind: 'approve' | 'pay'
  route: 'v0' | 'kyc'
  index?: number
  amount?: bigint
  to?: string
  data: string
  selector: string
  /** whether the router already shows this done (batch approved / nonce used) */
  doneOnChain: () => Promise<boolean>
}

/** sun per byte when a transaction's bandwidth is not covered by free or staked bandwidth (TRON's price since 2022) */
const BANDWIDTH_PRICE_SUN = 1_000

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

export class PayoutService {
  readonly state = new State()
  head?: NowBlock
  trxBalanceSun?: number
  /** the fee payer's bandwidth left today (free + staked), from getaccountresource */
  bandwidthLeft?: number
  /** energy the last estimate (triggerconstantcontract) said a call needs */
  lastEnergyEstimate?: number
  lastError?: string
  lastTickAt?: number
  /** why open work is waiting (low TRX, daily cap, a constant call revert), by tx key */
  readonly blocked = new Map<string, string>()
  firstAcceptedAt = new Map<string, number>()
  private running = false
  private routerCache?: { at: number, v0: RouterView, kyc: RouterView }

  constructor (readonly d: ServiceDeps) {
    for (const r of d.ledger.records) this.state.apply(r)
    if (this.state.cursor < 0) this.state.cursor = d.config.chain.fromBlock - 1
  }

  private now (): number { return this.d.now?.() ?? Date.now() }
  private log (m: string): void { this.d.log?.(m) }
  private hit (p: CrashPoint): void { this.d.guard.hit(p) }
  private record (r: LedgerRecord): void {
    this.d.ledger.append(r)
    this.state.apply(this.d.ledger.records[this.d.ledger.records.length - 1])
  }

  private routerHex (route: 'v0' | 'kyc'): string { return route === 'v0' ? this.d.config.tron.v0Router : this.d.config.tron.kycRouter }
  private iface (route: 'v0' | 'kyc'): ethers.Interface { return route === 'v0' ? this.d.abis.v0 : this.d.abis.kyc }

  private async view (route: 'v0' | 'kyc', fn: string, args: unknown[] = []): Promise<ethers.Result> {
    const i = this.iface(route)
    const r = await this.d.tron.constantCall(this.d.config.tron.feePayer, this.routerHex(route), i.encodeFunctionData(fn, args))
    if (r.reverted) throw new Error(`${route} router: ${fn}() reverted: ${describeRevert(this.d.abis, r.output)}`)
    try { return i.decodeFunctionResult(fn, r.output) } catch { throw new Error(`${route} router: ${fn}() returned undecodable data (is tron.${route}Router a PayoutRouter?)`) }
  }

  async routerViews (): Promise<{ v0: RouterView, kyc: RouterView }> {
    if (this.routerCache !== undefined && this.now() - this.routerCache.at < 30_000) return this.routerCache
    const one = async (route: 'v0' | 'kyc'): Promise<RouterView> => ({
      domainSeparator: (await this.view(route, 'domainSeparator'))[0] as string,
      signers: ((await this.view(route, 'signers'))[0] as string[]).map((s) => s.toLowerCase()),
      maxPerTx: (await this.view(route, 'maxPerTx'))[0] as bigint,
      dailyCap: (await this.view(route, 'dailyCap'))[0] as bigint,
      complianceSigner: route === 'kyc' ? ((await this.view(route, 'complianceSigner'))[0] as string).toLowerCase() : undefined
    })
    const views = { v0: await one('v0'), kyc: await one('kyc') }
    this.routerCache = { at: this.now(), ...views }
    return views
  }

  /** One pass; errors (TRON or chain unreachable) are kept in lastError and the next tick retries. */
  async tick (): Promise<void> {
    try {
      this.d.guard.check()
      const head = await this.d.tron.nowBlock()
      this.head = head
      await this.pollBatches(head)
      if (this.d.config.paused || this.d.isPaused?.() === true) { this.lastError = undefined; this.lastTickAt = this.now(); return }
      this.trxBalanceSun = await this.d.tron.balanceSun(this.d.config.tron.feePayer)
      const res = await this.d.tron.resources(this.d.config.tron.feePayer)
      this.bandwidthLeft = res.freeNetLeft + res.netLeft
      // the local daily cap is taken in batch order: what an earlier batch still has to pay is reserved before a
      // later batch's payouts (whose route may be approved sooner) can use it
      let ahead = 0n
      for (const b of [...this.state.batches.values()]) {
        if (b.state !== 'accepted' || b.batch === undefined) continue
        await this.advanceBatch(b.batch, head, ahead)
        ahead += this.unsignedPayouts(b.batch)
      }
      this.lastError = undefined
      this.lastTickAt = this.now()
    } catch (e) {
      if ((e as Error).name === 'CrashError' || this.d.guard.isDead) throw e
      this.lastError = (e as Error).message
      this.log(`tick: ${this.lastError}`)
    }
  }

  async run (signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error('already running')
    this.running = true
    try {
      while (signal?.aborted !== true) {
        await this.tick()
        if (this.d.guard.isDead) return
        await sleep(this.d.config.chain.pollMs)
      }
    } finally { this.running = false }
  }

  private async pollBatches (head: NowBlock): Promise<void> {
    const chainErr = (e: unknown): Error => new Error(`chain ${this.d.config.chain.rpcUrl}: ${(e as Error).message}`)
    const { batches, toBlock, undecodable } = await this.d.source.finalBatchesSince(this.state.cursor + 1).catch((e) => { throw chainErr(e) })
    for (const u of undecodable) this.log(`chain: block ${u.blockNumber}: batch event not decodable: ${u.reason}`)
    let ctx: VerifyContext | undefined
    for (const b of batches) {
      if (this.state.batches.has(b.id)) continue
      ctx ??= {
        registry: await this.d.source.disbursers().catch((e) => { throw chainErr(e) }),
        routers: await this.routerViews(),
        nowS: BigInt(Math.floor(head.timestamp / 1000)),
        marginS: BigInt(this.d.config.marginS),
        minPayoutUsd: this.d.config.minPayoutUsd6,
        maxPerTxUsd: this.d.config.caps.maxPerTxUsd6,
        dailyCapUsd: this.d.config.caps.dailyCapUsd6
      }
      const systemRoot = this.d.source.systemRoot === undefined ? null : await this.d.source.systemRoot(b.epoch).catch((e) => { throw chainErr(e) })
      const verdict = verifyBatch(b, { ...ctx, systemRoot })
      const base = { k: 'batch', id: b.id, epoch: b.epoch, blockNumber: b.blockNumber }
      if (!verdict.ok) {
        this.record({ ...base, state: 'refused', reason: verdict.reason })
        this.log(`batch ${b.id} (epoch ${b.epoch}) refused: ${verdict.reason}`)
      } else {
        this.record({ ...base, state: 'accepted', batch: batchToJson(b) })
        this.firstAcceptedAt.set(b.id, this.now())
        this.log(`batch ${b.id} (epoch ${b.epoch}) accepted: ${b.entries.length} payouts`)
        this.hit('batch-accepted')
      }
    }
    // the cursor is only a hint (known batches are skipped on a re-scan): record it when it matters, not every tick
    if (toBlock > this.state.cursor && (batches.length > 0 || toBlock - this.state.cursor >= 1_000)) this.record({ k: 'cursor', block: toBlock })
  }

  /** The transactions a batch needs: one approveBatch per route, then one leaf payout per entry. */
  specs (b: CommittedBatch): { approvals: TxSpec[], payouts: TxSpec[] } {
    const approvals: TxSpec[] = []
    const payouts: TxSpec[] = []
    for (const route of ['v0', 'kyc'] as const) {
      const { entries, leaves, tree } = routeTree(b, route)
      if (entries.length === 0) continue
      const a = b.approvals.find((x) => x.route === route)!
      const i = this.iface(route)
      approvals.push({
        key: `${b.id}/approve/${route}`, kind: 'approve', route,
        selector: 'approveBatch(bytes32,uint256,uint256,bytes[])',
        data: i.encodeFunctionData('approveBatch', [a.root, a.total, a.deadline, a.signatures]),
        doneOnChain: async () => (await this.view(route, 'batches', [a.root]))[2] as boolean
      })
      entries.forEach((e, j) => {
        const leaf = leaves[j]
        const payout = [leaf.sessionId, leaf.to, leaf.amount, leaf.nonce]
        const data = route === 'v0'
          ? i.encodeFunctionData('disburseFromBatch', [a.root, payout, tree.proof(j)])
          : i.encodeFunctionData('disburseKYCFromBatch', [a.root, payout, tree.proof(j), e.kyc!.kycHash, e.kyc!.expiry, e.kyc!.signature])
        payouts.push({
          key: `${b.id}/pay/${e.index}`, kind: 'pay', route, index: e.index, amount: leaf.amount, to: leaf.to,
          selector: route === 'v0' ? 'disburseFromBatch(bytes32,(bytes32,address,uint256,uint256),bytes32[])' : 'disburseKYCFromBatch(bytes32,(bytes32,address,uint256,uint256),bytes32[],bytes32,uint256,bytes)',
          data,
          doneOnChain: async () => (await this.view(route, 'nonceUsed', [leaf.nonce]))[0] as boolean
        })
      })
    }
    return { approvals, payouts }
  }

  /** What a batch's payouts not yet signed (not counted in any day's total) will pay. */
  private unsignedPayouts (b: CommittedBatch): bigint {
    let sum = 0n
    for (const p of this.specs(b).payouts) {
      if (!this.state.countedDay.has(p.key) && this.state.txs.get(p.key)?.state !== 'external') sum += p.amount ?? 0n
    }
    return sum
  }

  /** `ahead`: the daily cap reserved by earlier batches' unsigned payouts. */
  private async advanceBatch (b: CommittedBatch, head: NowBlock, ahead: bigint): Promise<void> {
    const { approvals, payouts } = this.specs(b)
    for (const a of approvals) await this.step(a, b, head, ahead)
    const ready = new Set(approvals.filter((a) => {
      const s = this.state.txs.get(a.key)?.state
      return s === 'included' || (s !== undefined && DONE.has(s))
    }).map((a) => a.route))
    const todo = payouts.filter((p) => ready.has(p.route))
    let next = 0
    const worker = async (): Promise<void> => { while (next < todo.length) await this.step(todo[next++], b, head, ahead) }
    await Promise.all(Array.from({ length: Math.min(this.d.config.concurrency, todo.length) }, worker))
    const all = [...approvals, ...payouts].map((s) => this.state.txs.get(s.key))
    const stalled = all.find((t) => t?.state === 'failed' && t.attempt >= this.d.config.tron.maxAttempts)
    if (stalled !== undefined && this.state.batches.get(b.id)?.state !== 'stalled') {
      this.record({ k: 'batch', id: b.id, state: 'stalled', reason: `${stalled.key}: ${stalled.reason ?? 'failed'}` })
    } else if (all.every((t) => t !== undefined && DONE.has(t.state))) {
      const dry = this.d.config.mode === 'dry-run'
      this.record({ k: 'batch', id: b.id, state: dry ? 'dry-run' : 'paid' })
      this.log(`batch ${b.id} ${dry ? 'dry-run complete (nothing broadcast)' : 'paid'}`)
    }
  }

  private txBase (s: TxSpec, b: CommittedBatch): LedgerRecord {
    return { k: 'tx', key: s.key, batch: b.id, kind: s.kind, route: s.route, index: s.index, amount: s.amount?.toString(), to: s.to }
  }

  /** Moves one transaction one step. */
  private async step (s: TxSpec, b: CommittedBatch, head: NowBlock, ahead: bigint): Promise<void> {
    const t = this.state.txs.get(s.key)
    const c = this.d.config.tron
    if (t !== undefined && DONE.has(t.state)) return
    if (t === undefined || t.state === 'planned' || t.state === 'expired' || t.state === 'failed') {
      if (t?.state === 'failed' && t.attempt >= c.maxAttempts) return
      await this.newAttempt(s, b, head, t, ahead)
      return
    }
    if (t.state === 'signed' || t.state === 'rejected' || t.state === 'broadcast') {
      const info = await this.d.tron.txInfo(t.txid!)
      if (info.found) {
        this.record({ ...this.txBase(s, b), state: 'included', blockNumber: info.blockNumber, fee: info.fee, energy: info.energy, reason: info.success === true ? undefined : `${info.result}: ${describeRevert(this.d.abis, info.revertData)}` })
        this.hit('included')
        return
      }
      if (head.timestamp > t.expiration! + c.expiryGraceMs) {
        // past its expiration at the node's head and in no block: it can never be included
        if (await this.d.tron.txKnown(t.txid!)) return
        this.record({ ...this.txBase(s, b), state: 'expired', reason: `expired unconfirmed at block ${head.number}` })
        return
      }
      await this.broadcast(s, b, t)
      return
    }
    if (t.state === 'included') {
      if (t.reason !== undefined) {
        // the transaction ran and reverted: already done by someone (a used nonce / an approved root) or failed
        if (/NonceAlreadyUsed|BatchAlreadyApproved/.test(t.reason) || await s.doneOnChain()) {
          this.record({ ...this.txBase(s, b), state: 'external', reason: t.reason })
        } else {
          this.record({ ...this.txBase(s, b), state: 'failed', reason: t.reason })
          this.log(`${s.key} failed: ${t.reason}`)
        }
        return
      }
      if (head.number - t.blockNumber! < c.confirmations) { this.hit('confirming'); return }
      const info = await this.d.tron.txInfo(t.txid!)
      if (!info.found || info.success !== true) {
        // gone from the chain (a fork) or changed: look again from scratch
        this.record({ ...this.txBase(s, b), state: 'broadcast', reason: 'no longer in a block' })
        return
      }
      this.record({ ...this.txBase(s, b), state: 'confirmed', blockNumber: info.blockNumber })
      this.hit('confirmed')
    }
  }

  private async newAttempt (s: TxSpec, b: CommittedBatch, head: NowBlock, t: TxRecord | undefined, ahead: bigint): Promise<void> {
    const c = this.d.config.tron
    if (t !== undefined && t.state !== 'planned' && await s.doneOnChain()) {
      this.record({ ...this.txBase(s, b), state: 'external', reason: 'already done on the router' })
      return
    }
    if (s.kind === 'pay' && !this.state.countedDay.has(s.key)) {
      const day = utcDay(this.now())
      const today = this.state.dayTotal.get(day) ?? 0n
      if (today + s.amount! > this.d.config.caps.dailyCapUsd6) { this.blocked.set(s.key, 'local daily cap reached'); return }
      if (today + ahead + s.amount! > this.d.config.caps.dailyCapUsd6) { this.blocked.set(s.key, 'local daily cap reserved by earlier batches'); return }
    }
    const attempt = t?.state === 'planned' ? t.attempt : (t?.attempt ?? 0) + 1
    if (t?.state !== 'planned') this.record({ ...this.txBase(s, b), state: 'planned', attempt })
    this.hit('planned')
    const router = this.routerHex(s.route)
    let feeLimit = c.maxFeeLimitSun
    const dryRunLeaf = this.d.config.mode === 'dry-run' && s.kind === 'pay'
    if (!dryRunLeaf) {
      const est = await this.d.tron.constantCall(c.feePayer, router, s.data)
      if (est.reverted) {
        const why = describeRevert(this.d.abis, est.output)
        if (/NonceAlreadyUsed|BatchAlreadyApproved/.test(why)) { this.record({ ...this.txBase(s, b), state: 'external', reason: why }); return }
        this.blocked.set(s.key, `the router would refuse it: ${why}`)
        return
      }
      this.lastEnergyEstimate = est.energyUsed
      // a retry after a failure (e.g. OUT_OF_ENERGY) gets a proportionally higher limit
      feeLimit = Math.min(c.maxFeeLimitSun, Math.ceil(est.energyUsed * c.energyPriceSun * 1.3 * attempt) + 1_000_000)
    }
    // build and sign offline first: the transaction's size decides its bandwidth cost
    const unsigned = await buildCall({ ownerHex: c.feePayer, contractHex: router, selector: s.selector, args: '0x' + s.data.slice(10), feeLimitSun: feeLimit, permissionId: c.permissionId, ref: head, expirationMs: c.expirationMs })
    const signed = await signTx(unsigned, this.d.signingKeys)
    const bytes = signed.raw_data_hex.length / 2 + 67 * signed.signature.length + 64
    const bandwidthSun = bytes <= (this.bandwidthLeft ?? 0) ? 0 : bytes * BANDWIDTH_PRICE_SUN
    if (this.bandwidthLeft !== undefined) this.bandwidthLeft = Math.max(0, this.bandwidthLeft - bytes)
    const need = feeLimit + bandwidthSun + c.minTrxBufferSun
    if ((this.trxBalanceSun ?? 0) < need && this.d.config.mode !== 'dry-run') {
      this.blocked.set(s.key, `TRX balance ${this.trxBalanceSun ?? 0} sun is below fee limit + bandwidth + buffer (${need} sun)`)
      return
    }
    this.blocked.delete(s.key)
    // reserve what this one may cost, so the transactions after it in this tick see what is left
    if (this.trxBalanceSun !== undefined) this.trxBalanceSun -= feeLimit + bandwidthSun
    this.record({ ...this.txBase(s, b), state: 'signed', attempt, txid: signed.txID, tx: signed, expiration: signed.raw_data.expiration })
    this.hit('signed')
    if (this.d.config.mode === 'dry-run') {
      this.record({ ...this.txBase(s, b), state: 'dry-run' })
      return
    }
    await this.broadcast(s, b, this.state.txs.get(s.key)!)
  }

  private async broadcast (s: TxSpec, b: CommittedBatch, t: TxRecord): Promise<void> {
    const r = await this.d.tron.broadcast(t.tx)
    this.hit('broadcast-sent')
    if (r.accepted) {
      if (t.state !== 'broadcast') this.record({ ...this.txBase(s, b), state: 'broadcast' })
      this.hit('broadcast-recorded')
    } else if (t.state !== 'rejected' || t.reason !== `${r.code}: ${r.message}`) {
      // not accepted now; it may still have been accepted before a crash, so it stays open until provably expired
      this.record({ ...this.txBase(s, b), state: 'rejected', reason: `${r.code}: ${r.message}` })
      this.log(`${s.key}: the node refused ${t.txid}: ${r.code}: ${r.message}`)
    }
  }

  /** Batch summary for the API and the CLI. */
  batchView (id: string): unknown {
    const want = id.replace(/^0x/, '').toLowerCase()
    const matches = [...this.state.batches.values()].filter((b) => b.id.slice(2).startsWith(want))
    const rec = matches.length === 1 ? matches[0] : undefined
    if (rec === undefined) return undefined
    const txs = [...this.state.txs.values()].filter((t) => t.batch === rec.id).map(({ tx: _tx, ...rest }) => ({ ...rest, blocked: this.blocked.get(rest.key) }))
    return { id: rec.id, epoch: rec.epoch, blockNumber: rec.blockNumber, state: rec.state, reason: rec.reason, entries: rec.batch?.entries.length, transactions: txs }
  }
}
