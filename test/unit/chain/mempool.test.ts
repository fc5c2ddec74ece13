// Mempool admission: every refusal has its own reason; nonce gaps are queued but not offered; replacement needs +10%.
import { strict as assert } from 'node:assert'
import { createTx, type TypedTxData } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import { Mempool, MempoolError, MEMPOOL_LIMITS, type MempoolContext } from '../../../node/src/chain/mempool.js'
import { devGenesis, DEV_KEYS } from '../../integration/chain/support.js'
import type { Common } from '@ethereumjs/common'

describe('chain: mempool', () => {
  let common: Common
  let ctx: MempoolContext
  const balance = 10n ** 21n
  before(async () => {
    common = (await devGenesis()).common
    ctx = { chainId: common.chainId(), blockGasLimit: 30_000_000n, baseFee: 1_000_000_000n, account: async () => ({ nonce: 5n, balance }) }
  })

  const tx = (f: Partial<TypedTxData> = {}, key = DEV_KEYS[0]) => createTx({ type: 2, nonce: 5n, to: '0x' + '22'.repeat(20), gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, chainId: common.chainId(), ...f } as TypedTxData, { common }).sign(hexToBytes(key as `0x${string}`))
  const rejects = async (pool: Mempool, t: ReturnType<typeof tx>, reason: string, length = t.serialize().length): Promise<void> => {
    await assert.rejects(pool.add(t, ctx, length), (e: unknown) => e instanceof MempoolError && e.reason === reason && e.message.length > 10)
  }

  it('admits a valid transaction and reports the pending nonce', async () => {
    const pool = new Mempool()
    const t = tx()
    await pool.add(t, ctx, t.serialize().length)
    assert.equal(pool.size, 1)
    assert.equal(pool.pendingNonce(t.getSenderAddress().toString(), 5n), 6n)
  })

  it('refuses with a reason: nonce too low, nonce too far ahead, fee below base fee, gas over the block, funds, size, known', async () => {
    const pool = new Mempool()
    await rejects(pool, tx({ nonce: 4n }), 'nonce-too-low')
    await rejects(pool, tx({ nonce: 5n + BigInt(MEMPOOL_LIMITS.maxNonceGap) + 1n }), 'nonce-too-high')
    await rejects(pool, tx({ maxFeePerGas: 999_999_999n, maxPriorityFeePerGas: 1n }), 'fee-too-low')
    await rejects(pool, tx({ gasLimit: 30_000_001n }), 'gas-limit-exceeds-block')
    await rejects(pool, tx({ value: balance }), 'insufficient-funds')
    await rejects(pool, tx({ gasLimit: 20_000n }), 'invalid')
    await rejects(pool, tx(), 'oversized', MEMPOOL_LIMITS.maxTxBytes + 1)
    const ok = tx()
    await pool.add(ok, ctx, 100)
    await rejects(pool, ok, 'already-known')
  })

  it('bounds the bytes it keeps: a transaction that would pass maxTotalBytes is refused until room is made', async () => {
    const pool = new Mempool()
    const big = MEMPOOL_LIMITS.maxTxBytes
    const fit = Math.floor(MEMPOOL_LIMITS.maxTotalBytes / big)
    assert.ok(fit < MEMPOOL_LIMITS.maxPerSender && fit < MEMPOOL_LIMITS.maxNonceGap, 'one sender can fill it')
    const txs = Array.from({ length: fit + 1 }, (_, i) => tx({ nonce: 5n + BigInt(i) }))
    // the first fit - 1 of the largest size and one 2,000 bytes short: 2,000 bytes of room left
    for (const [i, t] of txs.slice(0, fit).entries()) await pool.add(t, ctx, i === fit - 1 ? big - 2000 : big)
    let held = fit * big - 2000
    assert.equal(pool.bytes, held)
    await rejects(pool, txs[fit], 'mempool-full', big)
    await pool.add(txs[fit], ctx, 1000) // a small one still fits the rest
    held += 1000
    // a replacement counts its own size instead of the one it replaces
    const smaller = tx({ nonce: 5n, maxFeePerGas: 2_200_000_000n, maxPriorityFeePerGas: 1_100_000_000n })
    await pool.add(smaller, ctx, 500)
    held += 500 - big
    assert.equal(pool.bytes, held)
    pool.remove(`0x${Buffer.from(txs[1].hash()).toString('hex')}`)
    held -= big
    assert.equal(pool.bytes, held)
    await pool.add(tx({ nonce: 5n + BigInt(fit + 1) }), ctx, big)
    assert.equal(pool.size, fit + 1)
  })

  it('refuses another chain id and unsigned transactions', async () => {
    const pool = new Mempool()
    const { createCustomCommon, Mainnet } = await import('@ethereumjs/common')
    const other = createCustomCommon({ chainId: 99 }, Mainnet, { hardfork: 'cancun' })
    const foreign = createTx({ type: 2, nonce: 5n, to: '0x' + '22'.repeat(20), gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, chainId: 99n } as TypedTxData, { common: other }).sign(hexToBytes(DEV_KEYS[0] as `0x${string}`))
    await rejects(pool, foreign, 'wrong-chain-id')
    const unsigned = createTx({ type: 2, nonce: 5n, gasLimit: 21000n, maxFeePerGas: 2_000_000_000n, chainId: common.chainId() } as TypedTxData, { common })
    await assert.rejects(pool.add(unsigned, ctx, 100), (e: unknown) => e instanceof MempoolError && e.reason === 'unsigned')
  })

  it('replacement needs 10% more on both fees; a gap is queued but not offered', async () => {
    const pool = new Mempool()
    await pool.add(tx(), ctx, 100)
    await rejects(pool, tx({ maxFeePerGas: 2_100_000_000n, maxPriorityFeePerGas: 1_050_000_000n }), 'replacement-underpriced')
    const better = tx({ maxFeePerGas: 2_200_000_000n, maxPriorityFeePerGas: 1_100_000_000n })
    await pool.add(better, ctx, 100)
    assert.equal(pool.size, 1)
    await pool.add(tx({ nonce: 7n }), ctx, 100)
    const offered = await pool.executable(async () => 5n, ctx.baseFee)
    assert.deepEqual(offered.map((t) => t.nonce), [5n])
    await pool.add(tx({ nonce: 6n }), ctx, 100)
    assert.deepEqual((await pool.executable(async () => 5n, ctx.baseFee)).map((t) => t.nonce), [5n, 6n, 7n])
    await pool.prune(async () => 7n)
    assert.deepEqual(pool.all().map((t) => t.nonce), [7n])
  })

  it('offers senders best tip first, each in nonce order', async () => {
    const pool = new Mempool()
    await pool.add(tx({ maxPriorityFeePerGas: 1n }, DEV_KEYS[1]), ctx, 100)
    await pool.add(tx({ maxPriorityFeePerGas: 500_000_000n }, DEV_KEYS[2]), ctx, 100)
    const offered = await pool.executable(async () => 5n, ctx.baseFee)
    assert.deepEqual(offered.map((t) => (t as unknown as { maxPriorityFeePerGas: bigint }).maxPriorityFeePerGas), [500_000_000n, 1n])
  })
})
