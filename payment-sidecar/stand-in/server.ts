// The stand-in TRON full node's HTTP API (getnowblock, triggersmartcontract, triggerconstantcontract,
// broadcasttransaction, gettransactionbyid, gettransactioninfobyid, getaccount, getaccountresource) (java-tron's /wallet/* shapes, hex addresses with visible: false, or
// base58 with visible: true), with fault injection for tests: down (the port refuses connections), slow, garbage
// replies, a broadcast accepted but its reply lost, a broadcast acknowledged but dropped from the pool.
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { base58ToHex, hexToBase58 } from '../src/tron/address.js'
import { createHash } from 'node:crypto'
import { TronChain, type ChainOptions } from './chain.js'
import { encodeTriggerRaw } from './protobuf.js'

export type Fault = 'none' | 'slow' | 'garbage' | 'error500' | 'lose-broadcast-reply' | 'drop-broadcast'

export interface StandInOptions extends Partial<ChainOptions> { blockMs?: number, port?: number }

export class TronStandIn {
  fault: Fault = 'none'
  slowMs = 2_000
  /** the stand-in's clock runs this far ahead of the wall clock (tests move time instead of waiting) */
  timeOffsetMs = 0
  readonly requests = new Map<string, number>()
  /** broadcasts accepted whose reply was then thrown away (fault lose-broadcast-reply) */
  lostReplies = 0
  private server?: Server
  private sockets = new Set<Socket>()
  private timer?: NodeJS.Timeout
  private producing = Promise.resolve()
  port = 0

  private constructor (readonly chain: TronChain, readonly blockMs: number) {}

  static async start (opts: StandInOptions = {}): Promise<TronStandIn> {
    let self: TronStandIn | undefined
    const chain = await TronChain.create({ energyPriceSun: opts.energyPriceSun ?? 210, bandwidthPriceSun: opts.bandwidthPriceSun ?? 1_000, freeNetLimit: opts.freeNetLimit ?? 600, now: opts.now ?? (() => Date.now() + (self?.timeOffsetMs ?? 0)) })
    self = new TronStandIn(chain, opts.blockMs ?? 100)
    self.port = opts.port ?? 0
    await self.up()
    if (self.blockMs > 0) self.timer = setInterval(() => { void self!.mine(1) }, self.blockMs)
    return self
  }

  get url (): string { return `http://127.0.0.1:${this.port}` }

  /** Produces n blocks (serialised with the timer's). */
  async mine (n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      this.producing = this.producing.then(async () => { await this.chain.produceBlock() })
      await this.producing
    }
  }

  async up (): Promise<void> {
    if (this.server !== undefined) return
    const server = createServer((req, res) => { void this.handle(req, res) })
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)) })
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** The node goes away: the port refuses connections until up(). */
  async down (): Promise<void> {
    const s = this.server
    this.server = undefined
    if (s === undefined) return
    for (const sock of this.sockets) sock.destroy()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.down()
    await this.producing
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    for await (const chunk of req) body += (chunk as Buffer).toString()
    const path = (req.url ?? '').split('?')[0]
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1)
    if (this.fault === 'slow') await new Promise((resolve) => setTimeout(resolve, this.slowMs))
    if (this.fault === 'error500') { res.writeHead(500); res.end('internal error'); return }
    if (this.fault === 'garbage') {
      const n = this.requests.get(path)! % 3
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(n === 0 ? '<html>502 Bad Gateway</html>' : n === 1 ? '{"foo": 1, "blockID": 7}' : '[1,2,3]')
      return
    }
    let input: any
    try { input = body === '' ? {} : JSON.parse(body) } catch { return this.reply(res, { Error: 'class com.google.gson.JsonSyntaxException : invalid JSON' }) }
    try {
      const out = await this.route(path, input)
      if (path === '/wallet/broadcasttransaction' && out.result === true) {
        if (this.fault === 'lose-broadcast-reply') { this.lostReplies++; res.socket?.destroy(); return }
        if (this.fault === 'drop-broadcast') this.chain.pending.pop()
      }
      this.reply(res, out)
    } catch (e) { this.reply(res, { Error: (e as Error).message }) }
  }

  private reply (res: ServerResponse, v: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(v))
  }

  private addr (v: unknown, visible: boolean, field: string): string {
    if (typeof v !== 'string') throw new Error(`${field} is missing`)
    if (visible || v.startsWith('T')) return base58ToHex(v)
    if (!/^41[0-9a-f]{40}$/i.test(v)) throw new Error(`${field} is not a 41-prefixed hex address`)
    return v.toLowerCase()
  }

  private show (hex41: string, visible: boolean): string { return visible ? hexToBase58(hex41) : hex41 }

  private async route (path: string, input: any): Promise<any> {
    const c = this.chain
    const visible = input.visible === true
    switch (path) {
      case '/wallet/getnowblock': {
        const h = c.head
        return { blockID: h.id, block_header: { raw_data: { number: h.number, txTrieRoot: '0'.repeat(64), witness_address: '41' + '0'.repeat(40), parentHash: h.parent, version: 31, timestamp: h.timestamp }, witness_signature: '' }, transactions: h.txids.map((id) => c.txs.get(id)?.tx) }
      }
      case '/wallet/triggerconstantcontract': {
        const owner = this.addr(input.owner_address, visible, 'owner_address')
        const contract = this.addr(input.contract_address, visible, 'contract_address')
        let data: string
        if (typeof input.data === 'string') data = input.data
        else if (typeof input.function_selector === 'string') {
          const { ethers } = await import('ethers')
          data = ethers.id(input.function_selector.replace(/\s/g, '')).slice(2, 10) + String(input.parameter ?? '')
        } else throw new Error('neither data nor function_selector given')
        const r = await c.constantCall(owner, contract, '0x' + data.replace(/^0x/, ''))
        if ('missing' in r) return { result: { code: 'CONTRACT_VALIDATE_ERROR', message: Buffer.from('Smart contract is not exist.').toString('hex') } }
        return { result: { result: true }, energy_used: r.energy, constant_result: [r.output.slice(2)], transaction: { ret: r.ok ? [{}] : [{ ret: 'FAILED' }], visible, txID: '' } }
      }
      case '/wallet/triggersmartcontract': {
        // builds (does not send) a TriggerSmartContract transaction on the head block, as java-tron does
        const owner = this.addr(input.owner_address, visible, 'owner_address')
        const contract = this.addr(input.contract_address, visible, 'contract_address')
        if (!c.contracts.has(contract)) return { result: { code: 'CONTRACT_VALIDATE_ERROR', message: Buffer.from('No contract or not a smart contract').toString('hex') } }
        let data: string
        if (typeof input.data === 'string') data = input.data.replace(/^0x/, '')
        else if (typeof input.function_selector === 'string') {
          const { ethers } = await import('ethers')
          data = ethers.id(input.function_selector.replace(/\s/g, '')).slice(2, 10) + String(input.parameter ?? '')
        } else throw new Error('neither data nor function_selector given')
        const h = c.head
        const t = {
          refBlockBytes: (h.number & 0xffff).toString(16).padStart(4, '0'), refBlockHash: h.id.slice(16, 32),
          expiration: h.timestamp + 60_000, timestamp: typeof input._timestamp === 'number' ? input._timestamp : c.opts.now(),
          feeLimit: Number(input.fee_limit ?? 0), permissionId: Number(input.Permission_id ?? 0),
          owner, contract, callValue: Number(input.call_value ?? 0), data
        }
        const raw = encodeTriggerRaw(t)
        const value: Record<string, unknown> = { data, owner_address: this.show(owner, visible), contract_address: this.show(contract, visible) }
        if (t.callValue > 0) value.call_value = t.callValue
        const contractJson: Record<string, unknown> = { parameter: { value, type_url: 'type.googleapis.com/protocol.TriggerSmartContract' }, type: 'TriggerSmartContract' }
        if (t.permissionId > 0) contractJson.Permission_id = t.permissionId
        const rawData: Record<string, unknown> = { contract: [contractJson], ref_block_bytes: t.refBlockBytes, ref_block_hash: t.refBlockHash, expiration: t.expiration, timestamp: t.timestamp }
        if (t.feeLimit > 0) rawData.fee_limit = t.feeLimit
        return { result: { result: true }, transaction: { visible, txID: createHash('sha256').update(raw).digest('hex'), raw_data: rawData, raw_data_hex: Buffer.from(raw).toString('hex') } }
      }
      case '/wallet/broadcasttransaction':
        return c.validateAndQueue(input)
      case '/wallet/gettransactionbyid': {
        const t = c.txs.get(String(input.value ?? ''))
        return t === undefined ? {} : t.tx
      }
      case '/wallet/gettransactioninfobyid': {
        const t = c.txs.get(String(input.value ?? ''))
        return t === undefined ? {} : t.info
      }
      case '/wallet/getaccount': {
        const a = c.accounts.get(this.addr(input.address, visible, 'address'))
        if (a === undefined) return {}
        const perm = (p: typeof a.owner): unknown => ({ type: p.id === 0 ? undefined : 'Active', id: p.id === 0 ? undefined : p.id, permission_name: p.name, threshold: p.threshold, operations: p.operations, keys: p.keys.map((k) => ({ address: this.show(k.address, visible), weight: k.weight })) })
        return { address: this.show(a.address, visible), balance: a.balance, owner_permission: perm(a.owner), active_permission: a.actives.map(perm) }
      }
      case '/wallet/getaccountresource': {
        const a = c.accounts.get(this.addr(input.address, visible, 'address'))
        if (a === undefined) return {}
        return { freeNetLimit: this.chain.opts.freeNetLimit, freeNetUsed: a.freeNetUsed, TotalEnergyLimit: 90_000_000_000, TotalEnergyWeight: 1 }
      }
      default:
        throw new Error(`this stand-in does not serve ${path}`)
    }
  }
}
