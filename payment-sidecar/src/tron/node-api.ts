// The subset of the full-node HTTP API the sidecar uses, with every reply's shape checked (a node answering
// garbage gives a TronBadReply naming what is wrong, never a wrong decision).
import { TronBadReply, type TronHttp } from './http.js'

export interface NowBlock { number: number, id: string, timestamp: number }
export interface TxInfo {
  found: boolean
  blockNumber?: number
  success?: boolean
  /** receipt.result: SUCCESS, REVERT, OUT_OF_ENERGY, … */
  result?: string
  fee?: number
  energy?: number
  revertData?: string
  logs?: Array<{ address: string, topics: string[], data: string }>
}
export interface ConstantResult { reverted: boolean, energyUsed: number, output: string, message?: string }
export type BroadcastResult = { accepted: true, duplicate: boolean } | { accepted: false, code: string, message: string }

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0
const hexToUtf8 = (h: unknown): string => typeof h === 'string' && /^[0-9a-fA-F]*$/.test(h) ? Buffer.from(h, 'hex').toString('utf8') : String(h ?? '')

export class TronApi {
  constructor (readonly http: TronHttp) {}

  async nowBlock (): Promise<NowBlock> {
    const r = await this.http.post('/wallet/getnowblock', {})
    const raw = r.block_header?.raw_data
    if (typeof r.blockID !== 'string' || !/^[0-9a-f]{64}$/.test(r.blockID) || !isInt(raw?.number) || !isInt(raw?.timestamp)) {
      throw new TronBadReply('getnowblock: reply has no blockID / block_header.raw_data.number / timestamp')
    }
    return { number: raw.number, id: r.blockID, timestamp: raw.timestamp }
  }

  /** A read-only call (also the energy estimate of a write). `data` is the ABI-encoded call, 0x hex. */
  async constantCall (ownerHex: string, contractHex: string, data: string): Promise<ConstantResult> {
    const r = await this.http.post('/wallet/triggerconstantcontract', { owner_address: ownerHex, contract_address: contractHex, data: data.replace(/^0x/, ''), visible: false })
    if (r.result === undefined || typeof r.result !== 'object') throw new TronBadReply('triggerconstantcontract: reply has no result')
    const output = Array.isArray(r.constant_result) && typeof r.constant_result[0] === 'string' ? '0x' + (r.constant_result[0] as string) : '0x'
    const failed = r.result.result !== true || r.transaction?.ret?.[0]?.ret === 'FAILED'
    if (failed && r.result.code !== undefined && r.result.code !== 'CONTRACT_EXE_ERROR') {
      throw new TronBadReply(`triggerconstantcontract: ${String(r.result.code)}: ${hexToUtf8(r.result.message)}`)
    }
    if (!failed && !isInt(r.energy_used)) throw new TronBadReply('triggerconstantcontract: reply has no energy_used')
    return { reverted: failed, energyUsed: isInt(r.energy_used) ? r.energy_used : 0, output, message: failed ? hexToUtf8(r.result.message) : undefined }
  }

  async broadcast (tx: unknown): Promise<BroadcastResult> {
    const r = await this.http.post('/wallet/broadcasttransaction', tx)
    if (r.result === true) return { accepted: true, duplicate: false }
    if (typeof r.code !== 'string') throw new TronBadReply('broadcasttransaction: reply has neither result: true nor a code')
    if (r.code === 'DUP_TRANSACTION_ERROR') return { accepted: true, duplicate: true }
    return { accepted: false, code: r.code, message: hexToUtf8(r.message) }
  }

  async txInfo (txid: string): Promise<TxInfo> {
    const r = await this.http.post('/wallet/gettransactioninfobyid', { value: txid })
    if (Object.keys(r).length === 0) return { found: false }
    if (r.id !== txid || !isInt(r.blockNumber)) throw new TronBadReply(`gettransactioninfobyid: reply is not about ${txid} or has no blockNumber`)
    const result: string = r.receipt?.result ?? (r.result === 'FAILED' ? 'FAILED' : 'SUCCESS')
    return {
      found: true,
      blockNumber: r.blockNumber,
      success: result === 'SUCCESS' && r.result !== 'FAILED',
      result,
      fee: isInt(r.fee) ? r.fee : 0,
      energy: isInt(r.receipt?.energy_usage_total) ? r.receipt.energy_usage_total : 0,
      revertData: Array.isArray(r.contractResult) && typeof r.contractResult[0] === 'string' ? '0x' + (r.contractResult[0] as string) : undefined,
      logs: Array.isArray(r.log) ? r.log : []
    }
  }

  /** Whether a transaction is in a block (gettransactionbyid answers {} otherwise). */
  async txKnown (txid: string): Promise<boolean> {
    const r = await this.http.post('/wallet/gettransactionbyid', { value: txid })
    if (Object.keys(r).length === 0) return false
    if (r.txID !== txid) throw new TronBadReply(`gettransactionbyid: reply is about ${String(r.txID)}, not ${txid}`)
    return true
  }

  async balanceSun (addressHex: string): Promise<number> {
    const r = await this.http.post('/wallet/getaccount', { address: addressHex, visible: false })
    if (Object.keys(r).length === 0) return 0
    if (r.balance !== undefined && !isInt(r.balance)) throw new TronBadReply('getaccount: balance is not a non-negative integer')
    return r.balance ?? 0
  }

  async resources (addressHex: string): Promise<{ freeNetLeft: number, netLeft: number, energyLeft: number }> {
    const r = await this.http.post('/wallet/getaccountresource', { address: addressHex, visible: false })
    const n = (k: string): number => isInt(r[k]) ? r[k] : 0
    return { freeNetLeft: Math.max(0, n('freeNetLimit') - n('freeNetUsed')), netLeft: Math.max(0, n('NetLimit') - n('NetUsed')), energyLeft: Math.max(0, n('EnergyLimit') - n('EnergyUsed')) }
  }
}
