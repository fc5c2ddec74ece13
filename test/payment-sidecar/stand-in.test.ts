// The TRON stand-in checks what a java-tron node checks before it accepts a transaction, and executes what it
// accepts: these tests send it transactions built and signed by the sidecar's own code, correct and broken.
import assert from 'node:assert/strict'
import { ethers } from 'ethers'
import { loadArtifact } from '../../contracts/index.js'
import { TronHttp } from '../../payment-sidecar/src/tron/http.js'
import { TronApi } from '../../payment-sidecar/src/tron/node-api.js'
import { buildCall, signTx, type SignedTx } from '../../payment-sidecar/src/tron/tx.js'
import { openWorld, type World } from './support/world.js'

describe('payment sidecar: TRON stand-in', function () {
  this.timeout(60_000)
  let w: World
  let api: TronApi
  const token = new ethers.Interface(loadArtifact('FalseReturnToken').abi as ethers.InterfaceAbi)
  before(async () => {
    w = await openWorld({ blockMs: 0 })
    api = new TronApi(new TronHttp({ url: w.tron.url, timeoutMs: 2_000, retries: 0, backoffMs: 0 }))
  })
  after(async () => { await w?.close() })

  async function mintTx (opts: { permissionId?: number, feeLimitSun?: number, expirationMs?: number, amount?: bigint, data?: string } = {}): Promise<SignedTx> {
    const data = opts.data ?? token.encodeFunctionData('mint', ['0x' + '77'.repeat(20), opts.amount ?? 5n])
    return await buildCall({ ownerHex: w.feePayer41, contractHex: w.token41, selector: 'mint(address,uint256)', args: '0x' + data.slice(10), feeLimitSun: opts.feeLimitSun ?? 100_000_000, permissionId: opts.permissionId ?? 2, ref: await api.nowBlock(), expirationMs: opts.expirationMs ?? 60_000 })
  }
  const k = (i: number): string => w.payerKeys[i].privateKey
  const code = (r: Awaited<ReturnType<TronApi['broadcast']>>): string => r.accepted ? (r.duplicate ? 'DUP' : 'OK') : `${r.code}: ${r.message}`

  it('accepts a 2-of-3 active-permission transaction, executes it in the next block and refuses it a second time', async () => {
    const tx = await signTx(await mintTx(), [k(1), k(2)])
    assert.equal(code(await api.broadcast(tx)), 'OK')
    assert.equal(code(await api.broadcast(tx)), 'DUP')
    assert.equal((await api.txInfo(tx.txID)).found, false)
    await w.tron.mine(1)
    const info = await api.txInfo(tx.txID)
    assert.equal(info.success, true)
    assert.ok((info.energy ?? 0) > 0 && (info.fee ?? 0) > 0)
    assert.equal(info.logs?.length, 1)
    assert.equal(await api.txKnown(tx.txID), true)
    assert.equal(code(await api.broadcast(tx)), 'DUP', 'a transaction already in a block is a duplicate too')
    assert.equal(await w.tokenBalance('0x' + '77'.repeat(20)), 5n)
  })

  it('refuses signatures below the threshold, outside the permission, repeated, or for the wrong permission', async () => {
    assert.match(code(await api.broadcast(await signTx(await mintTx(), [k(1)]))), /^SIGERROR: .*weight 1 is below the threshold 2/)
    const stranger = new ethers.Wallet(ethers.id('stranger')).privateKey
    assert.match(code(await api.broadcast(await signTx(await mintTx(), [k(1), stranger]))), /^SIGERROR: .*is not contained of permission/)
    const once = await signTx(await mintTx(), [k(1)])
    assert.match(code(await api.broadcast({ ...once, signature: [once.signature[0], once.signature[0]] })), /^SIGERROR: .*signed twice/)
    // the owner permission (id 0) holds only payer key 0
    assert.match(code(await api.broadcast(await signTx(await mintTx({ permissionId: 0 }), [k(1)]))), /^SIGERROR: .*not contained/)
    assert.equal(code(await api.broadcast(await signTx(await mintTx({ permissionId: 0, amount: 6n }), [k(0)]))), 'OK')
    assert.match(code(await api.broadcast(await signTx(await mintTx({ permissionId: 3 }), [k(1), k(2)]))), /^SIGERROR: permission 3 does not exist/)
    assert.match(code(await api.broadcast({ ...(await mintTx()), signature: [] })), /^SIGERROR: transaction is not signed/)
  })

  it('refuses expired transactions, unknown reference blocks and raw_data that does not match its bytes or txID', async () => {
    const expired = await signTx(await mintTx({ expirationMs: 1_000 }), [k(1), k(2)])
    w.tron.timeOffsetMs += 2_000
    await w.tron.mine(1)
    assert.match(code(await api.broadcast(expired)), /^TRANSACTION_EXPIRATION_ERROR/)
    const unsigned = await mintTx()
    const badRef = await buildCall({ ownerHex: w.feePayer41, contractHex: w.token41, selector: 'mint(address,uint256)', args: '0x' + token.encodeFunctionData('mint', ['0x' + '77'.repeat(20), 1n]).slice(10), feeLimitSun: 1_000_000, permissionId: 2, ref: { ...(await api.nowBlock()), id: 'ff'.repeat(32) }, expirationMs: 60_000 })
    assert.match(code(await api.broadcast(await signTx(badRef, [k(1), k(2)]))), /^TAPOS_ERROR/)
    const signed = await signTx(unsigned, [k(1), k(2)])
    assert.match(code(await api.broadcast({ ...signed, raw_data: { ...signed.raw_data, fee_limit: 1 } })), /^OTHER_ERROR: raw_data JSON differs/)
    assert.match(code(await api.broadcast({ ...signed, txID: 'ab'.repeat(32) })), /^OTHER_ERROR: txID is not the SHA-256/)
  })

  it('charges energy up to the fee limit: too low a limit runs out of energy, a revert is reported with its data', async () => {
    const low = await signTx(await mintTx({ feeLimitSun: 210 * 100 }), [k(1), k(2)])
    assert.equal(code(await api.broadcast(low)), 'OK')
    const revert = await signTx(await mintTx({ data: '0xdeadbeef' }), [k(1), k(2)])
    assert.equal(code(await api.broadcast(revert)), 'OK')
    const before = w.tron.chain.accounts.get(w.feePayer41)!.balance
    await w.tron.mine(1)
    const a = await api.txInfo(low.txID)
    assert.equal(a.result, 'OUT_OF_ENERGY')
    assert.equal(a.success, false)
    assert.equal(a.energy, 100)
    const b = await api.txInfo(revert.txID)
    assert.equal(b.result, 'REVERT')
    assert.ok(w.tron.chain.accounts.get(w.feePayer41)!.balance < before, 'fees were charged')
  })

  it('answers constant calls with the energy they would use, and reports a missing contract', async () => {
    const r = await api.constantCall(w.feePayer41, w.token41, token.encodeFunctionData('decimals'))
    assert.equal(r.reverted, false)
    assert.equal(BigInt(r.output), 6n)
    assert.ok(r.energyUsed > 0)
    await assert.rejects(api.constantCall(w.feePayer41, '41' + '99'.repeat(20), '0x313ce567'), /CONTRACT_VALIDATE_ERROR: Smart contract is not exist/)
  })

  it('triggersmartcontract builds byte for byte what the sidecar builds offline with tronweb, and it is accepted', async () => {
    const data = token.encodeFunctionData('mint', ['0x' + '66'.repeat(20), 9n])
    const ref = await api.nowBlock()
    const body = { owner_address: w.feePayer41, contract_address: w.token41, data: data.slice(2), fee_limit: 30_000_000, Permission_id: 2, visible: false, _timestamp: ref.timestamp }
    const node = await api.http.post('/wallet/triggersmartcontract', body)
    const local = await buildCall({ ownerHex: w.feePayer41, contractHex: w.token41, selector: 'mint(address,uint256)', args: '0x' + data.slice(10), feeLimitSun: 30_000_000, permissionId: 2, ref, expirationMs: 60_000 })
    assert.equal(node.transaction.raw_data_hex, local.raw_data_hex)
    assert.equal(node.transaction.txID, local.txID)
    assert.deepEqual(node.transaction.raw_data, local.raw_data)
    assert.equal(code(await api.broadcast(await signTx(node.transaction, [k(1), k(2)]))), 'OK')
    const missing = await api.http.post('/wallet/triggersmartcontract', { ...body, contract_address: '41' + '98'.repeat(20) })
    assert.equal(missing.result.code, 'CONTRACT_VALIDATE_ERROR')
  })
})
