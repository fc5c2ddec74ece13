// JSON-RPC over HTTP: each kind of bad call gets its JSON-RPC 2.0 error; batches and notifications; ethers works.
import { strict as assert } from 'node:assert'
import { ethers } from 'ethers'
import fc from 'fast-check'
import type { Chain } from '../../../node/src/chain/index.js'
import { startRpcServer, type RpcServer } from '../../../node/src/rpc/server.js'
import { makeMethods } from '../../../node/src/rpc/methods.js'
import { FilterManager } from '../../../node/src/rpc/filters.js'
import { openDevChain, produce, removeChainDirs, signedTx, DEV_KEYS } from './support.js'

describe('chain: JSON-RPC errors and batches', function () {
  this.timeout(60_000)
  let chain: Chain
  let rpc: RpcServer
  before(async () => {
    chain = await openDevChain()
    await produce(chain)
    rpc = await startRpcServer(chain, { port: 0, maxBodyBytes: 64 * 1024 })
  })
  after(async () => { await rpc.close(); await chain.close(); removeChainDirs() })

  const post = async (body: string | object, headers: Record<string, string> = {}): Promise<{ status: number, json: any }> => {
    const res = await fetch(rpc.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    const text = await res.text()
    return { status: res.status, json: text === '' ? null : JSON.parse(text) }
  }
  const call = async (method: string, params?: unknown): Promise<any> => (await post({ jsonrpc: '2.0', id: 7, method, params })).json

  it('parse error -32700', async () => {
    const { json } = await post('{"jsonrpc": "2.0", "method": ')
    assert.equal(json.error.code, -32700)
    assert.equal(json.id, null)
  })

  it('invalid request -32600: not an object, wrong version, no method, empty batch', async () => {
    for (const body of ['42', { id: 1, method: 'eth_chainId' }, { jsonrpc: '2.0', id: 1 }, []]) {
      const { json } = await post(body)
      assert.equal(json.error.code, -32600, JSON.stringify(body))
    }
  })

  it('method not found -32601', async () => {
    const r = await call('eth_mineEverything', [])
    assert.equal(r.error.code, -32601)
    assert.match(r.error.message, /eth_mineEverything/)
    assert.equal(r.id, 7)
  })

  it('invalid params -32602 naming the parameter', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['eth_getBalance', ['0x1234', 'latest'], /params\[0\] \(address\)/],
      ['eth_getBalance', ['0x' + '00'.repeat(20), 'newest'], /params\[1\] \(block\)/],
      ['eth_getBlockByNumber', ['0x01', false], /params\[0\] \(block\)/],
      ['eth_getBlockByNumber', ['latest', 'yes'], /params\[1\] \(full transactions\)/],
      ['eth_call', [{ to: 'nope' }], /params\[0\] \(transaction\)\.to/],
      ['eth_getTransactionReceipt', ['0x12'], /params\[0\] \(transaction hash\)/],
      ['eth_getLogs', [{ topics: ['0x12'] }], /params\[0\] \(filter\)\.topics\[0\]/],
      ['eth_chainId', [1], /expected 0 parameter/],
      ['eth_feeHistory', [1.5, 'latest'], /params\[0\] \(blockCount\): expected a whole number/],
      ['eth_feeHistory', [-2, 'latest'], /params\[0\] \(blockCount\)/],
      ['lucid_payoutBatches', [1e300], /params\[0\] \(epoch\)/],
      ['lucid_payoutEntitlements', [0.5], /params\[0\] \(epoch\)/],
      ['eth_getBalance', { address: '0x00' }, /params must be an array/]
    ]
    for (const [method, params, pattern] of cases) {
      const r = await call(method, params)
      assert.equal(r.error?.code, -32602, `${method} ${JSON.stringify(params)}`)
      assert.match(r.error.message, pattern)
    }
  })

  it('property: any parameters to any method get a JSON-RPC answer, never an internal error', async () => {
    const methods = [...makeMethods(chain, new FilterManager()).keys()]
    // a server of its own: the filters the property installs (up to the limit) stay out of the other tests' way
    const own = await startRpcServer(chain, { port: 0 })
    const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 70 }), fc.bigInt().map(String),
      fc.constantFrom('latest', 'pending', 'finalized', 'earliest', '0x0', '0x1', '0x', '0xzz', '0x01', '-0x1', '0x' + 'ff'.repeat(32), '0x' + '00'.repeat(20), '0x' + 'f'.repeat(80)))
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('from', 'to', 'data', 'input', 'gas', 'gasPrice', 'value', 'nonce', 'fromBlock', 'toBlock', 'address', 'topics', 'blockHash'), tie('v'), { maxKeys: 4 }))
    })).v
    await fc.assert(fc.asyncProperty(fc.constantFrom(...methods), fc.array(value, { maxLength: 4 }), async (method, params) => {
      const res = await fetch(own.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
      assert.equal(res.status, 200)
      const json = await res.json() as { result?: unknown, error?: { code: number, message: string } }
      assert.ok(json.result !== undefined || json.error !== undefined, JSON.stringify(json))
      assert.notEqual(json.error?.code, -32603, `${method} ${JSON.stringify(params)}: ${json.error?.message ?? ''}`)
    }), { numRuns: Number(process.env.LUCID_PROPERTY_RUNS ?? 2000) }).finally(async () => { await own.close() })
  })

  it('eth_getTransactionCount(pending) stays right when a block lands while the head state is being read', async () => {
    const from = new ethers.Wallet(DEV_KEYS[8]).address
    const before = BigInt((await call('eth_getTransactionCount', [from, 'latest'])).result)
    await chain.submitRaw(signedTx(chain, { nonce: before }, DEV_KEYS[8]).serialize())
    assert.equal(BigInt((await call('eth_getTransactionCount', [from, 'pending'])).result), before + 1n, 'the mempool counts')
    // the first state read of the next call finishes only after a block took the transaction out of the mempool
    const stateAt = chain.stateAt.bind(chain)
    let landed = false
    chain.stateAt = async (root) => {
      const sm = await stateAt(root)
      if (!landed) { landed = true; await produce(chain) }
      return sm
    }
    try {
      assert.equal(BigInt((await call('eth_getTransactionCount', [from, 'pending'])).result), before + 1n, 'neither the old head alone nor the emptied mempool')
      assert.ok(landed)
      assert.equal(BigInt((await call('eth_getTransactionCount', [from, 'latest'])).result), before + 1n)
    } finally { chain.stateAt = stateAt }
  })

  it('net_peerCount, net_listening and eth_syncing say what the node around the chain knows (a standalone chain: no peers, not listening, not syncing)', async () => {
    assert.equal((await call('net_peerCount', [])).result, '0x0')
    assert.equal((await call('net_listening', [])).result, false)
    assert.equal((await call('eth_syncing', [])).result, false)
    let syncing: { startingBlock: bigint, currentBlock: bigint, highestBlock: bigint } | null = { startingBlock: 3n, currentBlock: 70n, highestBlock: 300n }
    const methods = makeMethods(chain, new FilterManager(), { peerCount: () => 4, syncing: () => syncing })
    const run = async (name: string): Promise<unknown> => await (methods.get(name) as (p: unknown[]) => Promise<unknown>)([])
    assert.equal(await run('net_peerCount'), '0x4')
    assert.equal(await run('net_listening'), true)
    assert.deepEqual(await run('eth_syncing'), { startingBlock: '0x3', currentBlock: '0x46', highestBlock: '0x12c' })
    syncing = null
    assert.equal(await run('eth_syncing'), false)
  })

  it('bad raw transactions -32000 with a reason', async () => {
    const junk = await call('eth_sendRawTransaction', ['0x02c0ffee'])
    assert.equal(junk.error.code, -32000)
    assert.match(junk.error.message, /cannot decode transaction/)
    const wallet = new ethers.Wallet(DEV_KEYS[3])
    const lowNonce = await wallet.signTransaction({ type: 2, chainId: chain.chainId, nonce: 0, to: wallet.address, gasLimit: 21000, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n })
    const r = await call('eth_sendRawTransaction', [lowNonce])
    assert.equal(r.error.code, -32000)
    assert.match(r.error.message, /max fee per gas less than block base fee/)
    assert.equal(r.error.data.reason, 'fee-too-low')
    const otherChain = await wallet.signTransaction({ type: 2, chainId: 1, nonce: 0, to: wallet.address, gasLimit: 21000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })
    const c = await call('eth_sendRawTransaction', [otherChain])
    assert.equal(c.error.code, -32000)
    assert.match(c.error.message, /chain id/)
  })

  it('oversize body: HTTP 413 and -32005, before reading it all', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(70 * 1024)] })
    const { status, json } = await post(big)
    assert.equal(status, 413)
    assert.equal(json.error.code, -32005)
  })

  it('batches: one reply per call with an id, errors in place, notifications unanswered', async () => {
    const { json } = await post([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 2, method: 'nope' },
      { jsonrpc: '2.0', method: 'eth_blockNumber' },
      5
    ])
    assert.equal(json.length, 3)
    assert.equal(json[0].result, '0x' + chain.chainId.toString(16))
    assert.equal(json[1].error.code, -32601)
    assert.equal(json[2].error.code, -32600)
  })

  it('eth_call reverts give -32000 with the revert data', async () => {
    const anchors = new ethers.Interface(['function anchorChunk(bytes32,uint32,bytes32)', 'error SessionNotRegistered(bytes32)'])
    const data = anchors.encodeFunctionData('anchorChunk', [ethers.ZeroHash.replace(/00$/, '01'), 0, ethers.ZeroHash])
    const r = await call('eth_call', [{ to: chain.genesis.contracts.LucidAnchors, data }, 'latest'])
    assert.equal(r.error.code, -32000)
    assert.match(r.error.message, /execution reverted/)
    assert.equal(anchors.parseError(r.error.data)?.name, 'SessionNotRegistered')
  })

  it('GET is refused; unknown blocks answer null', async () => {
    const res = await fetch(rpc.url)
    assert.equal(res.status, 405)
    assert.equal((await call('eth_getBlockByNumber', ['0x999', false])).result, null)
    assert.equal((await call('eth_getTransactionReceipt', ['0x' + '11'.repeat(32)])).result, null)
  })

  it('lucid_* methods answer the PoOT state', async () => {
    const s = (await call('lucid_schedule', [])).result
    assert.ok(s.turns.length >= 2 && s.turns[s.turns.length - 1].entity === 'server')
    const f = (await call('lucid_finality', [])).result
    assert.equal(f.head.number, '0x' + chain.head.header.number.toString(16))
    const c = (await call('lucid_credits', [])).result
    assert.equal(typeof c.windowSlots, 'number')
    assert.equal((await call('lucid_schedule', ['0x0'])).error.code, -32602)
  })
})
