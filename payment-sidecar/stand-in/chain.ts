// The stand-in TRON chain: accounts with permissions and TRX balances, blocks produced on a timer, a pending pool,
// and validation of broadcast transactions as java-tron does it (txID, signatures against the account permission,
// expiration, TaPoS reference block, duplicates), then execution on the in-process EVM at the next block.
import { createHash } from 'node:crypto'
import { ethers } from 'ethers'
import { Evm } from './evm.js'
import { decodeTriggerRaw, type DecodedTrigger } from './protobuf.js'

export interface Key { address: string, weight: number }
export interface Permission { id: number, threshold: number, keys: Key[], operations?: string, name: string }
export interface TronAccount { address: string, balance: number, owner: Permission, actives: Permission[], freeNetUsed: number }
export interface Block { number: number, id: string, parent: string, timestamp: number, txids: string[] }
export interface TxRecordInfo { id: string, blockNumber: number, blockTimeStamp: number, fee: number, receipt: Record<string, unknown>, contractResult: string[], log: unknown[], result?: string, resMessage?: string, contract_address: string }
export type BroadcastOutcome = { result: true, txid: string } | { result: false, code: string, txid: string, message: string }

const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(typeof b === 'string' ? Buffer.from(b, 'hex') : b).digest()
const hexMsg = (s: string): string => Buffer.from(s, 'utf8').toString('hex')
const TRIGGER_SMART_CONTRACT = 31
const MAX_EXPIRATION_MS = 86_400_000
export const ALL_OPERATIONS = '7fff1fc0037e0000000000000000000000000000000000000000000000000000'

export interface ChainOptions { energyPriceSun: number, bandwidthPriceSun: number, freeNetLimit: number, now: () => number }

export class TronChain {
  readonly blocks: Block[] = []
  readonly accounts = new Map<string, TronAccount>()
  readonly contracts = new Set<string>()
  readonly pending: Array<{ tx: any, decoded: DecodedTrigger, bytes: number }> = []
  readonly txs = new Map<string, { tx: any, info: TxRecordInfo }>()
  chainId = 0n

  private constructor (readonly evm: Evm, readonly opts: ChainOptions) {}

  static async create (opts: ChainOptions): Promise<TronChain> {
    const genesisTs = opts.now()
    const id = '0'.repeat(16) + sha256(Buffer.from(`lucid tron stand-in ${genesisTs}`)).toString('hex').slice(16)
    // TVM's chainid is the last 4 bytes of the genesis block id
    const chainId = BigInt('0x' + id.slice(56))
    const c = new TronChain(await Evm.create(chainId), opts)
    c.chainId = chainId
    c.blocks.push({ number: 0, id, parent: '0'.repeat(64), timestamp: genesisTs, txids: [] })
    return c
  }

  get head (): Block { return this.blocks[this.blocks.length - 1] }

  createAccount (address41: string, balance: number, perms?: { owner?: Omit<Permission, 'id' | 'name'>, actives?: Array<Omit<Permission, 'name'>> }): void {
    const self = [{ address: address41, weight: 1 }]
    this.accounts.set(address41, {
      address: address41,
      balance,
      owner: { id: 0, name: 'owner', threshold: perms?.owner?.threshold ?? 1, keys: perms?.owner?.keys ?? self },
      actives: (perms?.actives ?? [{ id: 2, threshold: 1, keys: self }]).map((a) => ({ ...a, name: `active${a.id}`, operations: a.operations ?? ALL_OPERATIONS })),
      freeNetUsed: 0
    })
  }

  async deploy (owner41: string, bytecode: string): Promise<string> {
    const addr = await this.evm.deploy('0x' + owner41.slice(2), bytecode, { number: this.head.number, timestampS: Math.floor(this.head.timestamp / 1000) })
    const a41 = '41' + addr.slice(2).toLowerCase()
    this.contracts.add(a41)
    return a41
  }

  async constantCall (owner41: string, contract41: string, data: string): Promise<{ ok: boolean, energy: number, output: string } | { missing: true }> {
    if (!this.contracts.has(contract41)) return { missing: true }
    const r = await this.evm.call('0x' + owner41.slice(2), '0x' + contract41.slice(2), data, 100_000_000n, { number: this.head.number, timestampS: Math.floor(this.head.timestamp / 1000) }, false)
    return { ok: r.ok, energy: r.gasUsed, output: r.returnData }
  }

  /** What broadcasttransaction does: validate, then queue for the next block. */
  validateAndQueue (tx: any): BroadcastOutcome {
    const txid = typeof tx?.txID === 'string' ? tx.txID : ''
    const fail = (code: string, message: string): BroadcastOutcome => ({ result: false, code, txid, message: hexMsg(message) })
    if (typeof tx?.raw_data_hex !== 'string' || !/^([0-9a-f]{2})+$/.test(tx.raw_data_hex) || tx.raw_data === undefined) return fail('OTHER_ERROR', 'transaction has no raw_data / raw_data_hex')
    const raw = Buffer.from(tx.raw_data_hex, 'hex')
    if (sha256(raw).toString('hex') !== txid) return fail('OTHER_ERROR', 'txID is not the SHA-256 of raw_data')
    let d: DecodedTrigger
    try { d = decodeTriggerRaw(raw) } catch (e) { return fail('OTHER_ERROR', `raw_data does not decode: ${(e as Error).message}`) }
    const j = tx.raw_data
    const v = j.contract?.[0]?.parameter?.value ?? {}
    if (j.expiration !== d.expiration || j.ref_block_bytes !== d.refBlockBytes || j.ref_block_hash !== d.refBlockHash || (j.fee_limit ?? 0) !== d.feeLimit ||
      (v.owner_address ?? '') !== d.owner || (v.contract_address ?? '') !== d.contract || (v.data ?? '') !== d.data || (j.contract[0].Permission_id ?? 0) !== d.permissionId) {
      return fail('OTHER_ERROR', 'raw_data JSON differs from raw_data_hex')
    }
    if (d.contractType !== TRIGGER_SMART_CONTRACT || d.typeUrl !== 'type.googleapis.com/protocol.TriggerSmartContract') return fail('CONTRACT_VALIDATE_ERROR', 'only TriggerSmartContract is served by this stand-in')
    if (this.txs.has(txid) || this.pending.some((p) => p.tx.txID === txid)) return fail('DUP_TRANSACTION_ERROR', 'dup transaction')
    const head = this.head
    if (d.expiration <= head.timestamp) return fail('TRANSACTION_EXPIRATION_ERROR', `transaction expired: expiration ${d.expiration} <= head block time ${head.timestamp}`)
    if (d.expiration > head.timestamp + MAX_EXPIRATION_MS) return fail('TRANSACTION_EXPIRATION_ERROR', 'expiration is more than 24 h after the head block')
    const refNum = parseInt(d.refBlockBytes, 16)
    const ref = this.blocks.slice(-65_536).find((b) => (b.number & 0xffff) === refNum && b.id.slice(16, 32) === d.refBlockHash)
    if (ref === undefined) return fail('TAPOS_ERROR', `Tapos check error: no recent block with ref_block_bytes ${d.refBlockBytes} and hash ${d.refBlockHash}`)
    const acct = this.accounts.get(d.owner)
    if (acct === undefined) return fail('CONTRACT_VALIDATE_ERROR', `account ${d.owner} does not exist`)
    const perm = d.permissionId === 0 ? acct.owner : acct.actives.find((a) => a.id === d.permissionId)
    if (perm === undefined) return fail('SIGERROR', `permission ${d.permissionId} does not exist`)
    if (perm.operations !== undefined) {
      const ops = Buffer.from(perm.operations, 'hex')
      if ((ops[TRIGGER_SMART_CONTRACT >> 3] & (1 << (TRIGGER_SMART_CONTRACT & 7))) === 0) return fail('SIGERROR', `permission ${d.permissionId} does not allow TriggerSmartContract`)
    }
    const sigs: unknown[] = Array.isArray(tx.signature) ? tx.signature : []
    if (sigs.length === 0) return fail('SIGERROR', 'transaction is not signed')
    let weight = 0
    const seen = new Set<string>()
    for (const s of sigs) {
      let signer: string
      try { signer = '41' + ethers.recoverAddress('0x' + txid, '0x' + String(s)).slice(2).toLowerCase() } catch { return fail('SIGERROR', 'validate signature error: bad signature') }
      const key = perm.keys.find((k) => k.address === signer)
      if (key === undefined) return fail('SIGERROR', `validate signature error: ${signer} is not contained of permission`)
      if (seen.has(signer)) return fail('SIGERROR', `validate signature error: ${signer} has signed twice`)
      seen.add(signer)
      weight += key.weight
    }
    if (weight < perm.threshold) return fail('SIGERROR', `validate signature error: signature weight ${weight} is below the threshold ${perm.threshold}`)
    if (!this.contracts.has(d.contract)) return fail('CONTRACT_VALIDATE_ERROR', `no contract at ${d.contract}`)
    this.pending.push({ tx, decoded: d, bytes: raw.length + 65 * sigs.length + 10 })
    return { result: true, txid }
  }

  /** Produces one block with the pending transactions that have not expired. */
  async produceBlock (): Promise<Block> {
    const parent = this.head
    const timestamp = Math.max(this.opts.now(), parent.timestamp + 1)
    const number = parent.number + 1
    const included: string[] = []
    const batch = this.pending.splice(0)
    const infos: TxRecordInfo[] = []
    for (const p of batch) {
      if (p.decoded.expiration <= timestamp) continue // expired in the pool: dropped, never included
      const acct = this.accounts.get(p.decoded.owner)!
      const price = this.opts.energyPriceSun
      const energyLimit = Math.floor(Math.min(p.decoded.feeLimit, acct.balance) / price)
      const r = await this.evm.call('0x' + p.decoded.owner.slice(2), '0x' + p.decoded.contract.slice(2), '0x' + p.decoded.data, BigInt(energyLimit), { number, timestampS: Math.floor(timestamp / 1000) }, true)
      const outOfEnergy = !r.ok && /out of gas/i.test(r.error ?? '')
      const energy = outOfEnergy ? energyLimit : r.gasUsed
      let netFee = 0
      if (acct.freeNetUsed + p.bytes <= this.opts.freeNetLimit) acct.freeNetUsed += p.bytes
      else netFee = p.bytes * this.opts.bandwidthPriceSun
      const fee = Math.min(acct.balance, energy * price + netFee)
      acct.balance -= fee
      const result = r.ok ? 'SUCCESS' : outOfEnergy ? 'OUT_OF_ENERGY' : 'REVERT'
      const info: TxRecordInfo = {
        id: p.tx.txID,
        blockNumber: number,
        blockTimeStamp: timestamp,
        fee,
        contract_address: p.decoded.contract,
        receipt: { energy_usage_total: energy, energy_fee: energy * price, net_usage: netFee === 0 ? p.bytes : 0, net_fee: netFee, result },
        contractResult: [r.returnData.slice(2)],
        log: r.logs.map((l) => ({ address: l.address.slice(2), topics: l.topics.map((t) => t.slice(2)), data: l.data.slice(2) }))
      }
      if (!r.ok) { info.result = 'FAILED'; info.resMessage = hexMsg(outOfEnergy ? 'Not enough energy' : 'REVERT opcode executed') }
      infos.push(info)
      included.push(p.tx.txID)
      this.txs.set(p.tx.txID, { tx: { ...p.tx, ret: [{ contractRet: result }] }, info })
    }
    const id = number.toString(16).padStart(16, '0') + sha256(Buffer.from(`${parent.id}|${number}|${timestamp}|${included.join(',')}`)).toString('hex').slice(16)
    const block = { number, id, parent: parent.id, timestamp, txids: included }
    this.blocks.push(block)
    return block
  }
}
