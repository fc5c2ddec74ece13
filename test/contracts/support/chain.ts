// The chain the contract tests run on, taken from the environment:
//   LUCID_RPC_URL set   -> that JSON-RPC chain; LUCID_TEST_KEYS = comma-separated funded private keys (at least 9)
//   LUCID_RPC_URL unset -> Hardhat's in-process EDR network (20 funded accounts)
// Time travel (evm_increaseTime / evm_mine) is probed, not assumed: tests that need it skip without it.
import { ethers } from 'ethers'

export interface TestChain {
  provider: ethers.Provider
  /** a JSON-RPC URL for this chain (for code that takes --rpc) and a funded private key to use with it */
  rpcUrl: () => Promise<string>
  fundedKey: string
  /** funded accounts that send transactions */
  accounts: ethers.Signer[]
  external: boolean
  canTimeTravel: boolean
  /** advances the chain by n blocks (evm_mine / hardhat_mine, else waits for the chain's own blocks) */
  mine: (n: number) => Promise<void>
  /** moves block time forward and mines one block; throws when the chain cannot */
  increaseTime: (seconds: number) => Promise<void>
  latestTimestamp: () => Promise<number>
}

let chainPromise: Promise<TestChain> | undefined
export function getChain (): Promise<TestChain> {
  chainPromise ??= open()
  return chainPromise
}

/** Private key of the 20th default Hardhat account (a well-known test key; it holds test ether only). */
const HARDHAT_LAST_KEY = '0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e'

interface Rpc { send: (method: string, params: unknown[]) => Promise<unknown> }

async function open (): Promise<TestChain> {
  const url = process.env.LUCID_RPC_URL
  let provider: ethers.JsonRpcProvider | ethers.BrowserProvider
  let accounts: ethers.Signer[]
  let rpcUrl: () => Promise<string>
  let fundedKey: string
  if (url !== undefined && url !== '') {
    provider = new ethers.JsonRpcProvider(url, undefined, { polling: true, pollingInterval: 250, cacheTimeout: -1 })
    const keys = (process.env.LUCID_TEST_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')
    if (keys.length < 9) throw new Error('LUCID_RPC_URL needs LUCID_TEST_KEYS: at least 9 comma-separated funded private keys')
    // the last key is kept out of `accounts` for code under test that signs for itself (the deploy command)
    // plain wallets: tests wait for every receipt, and ethers' NonceManager skips a nonce when estimateGas reverts
    accounts = keys.slice(0, -1).map((k) => new ethers.Wallet(k, provider))
    fundedKey = keys[keys.length - 1]
    rpcUrl = async () => url
  } else {
    const { createHardhatRuntimeEnvironment } = await import('hardhat/hre')
    const hre = await createHardhatRuntimeEnvironment({}, {}, process.cwd())
    const { provider: eip1193 } = await hre.network.connect()
    provider = new ethers.BrowserProvider(eip1193 as ethers.Eip1193Provider, undefined, { pollingInterval: 50, cacheTimeout: -1 })
    const addrs = await provider.send('eth_accounts', []) as string[]
    accounts = await Promise.all(addrs.map(async (a) => await (provider as ethers.BrowserProvider).getSigner(a)))
    fundedKey = HARDHAT_LAST_KEY
    let served: Promise<string> | undefined
    rpcUrl = async () => {
      served ??= import('./rpc-proxy.js').then(async ({ serveJsonRpc }) => (await serveJsonRpc(eip1193 as never)).url)
      return await served
    }
  }
  const rpc: Rpc = provider
  const canTimeTravel = await probe(rpc)
  // read uncached: right after a mined block or a time jump the answer must be fresh
  const latestTimestamp = async (): Promise<number> => Number((await rpc.send('eth_getBlockByNumber', ['latest', false]) as { timestamp: string }).timestamp)
  const mine = async (n: number): Promise<void> => {
    if (n <= 0) return
    try { await rpc.send('hardhat_mine', ['0x' + n.toString(16)]); return } catch {}
    try { for (let i = 0; i < n; i++) await rpc.send('evm_mine', []); return } catch {}
    const target = (await provider.getBlockNumber()) + n
    while ((await provider.getBlockNumber()) < target) await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const increaseTime = async (seconds: number): Promise<void> => {
    if (!canTimeTravel) throw new Error('this chain has no evm_increaseTime')
    await rpc.send('evm_increaseTime', [seconds])
    await rpc.send('evm_mine', [])
  }
  return { provider, rpcUrl, fundedKey, accounts, external: url !== undefined && url !== '', canTimeTravel, mine, increaseTime, latestTimestamp }
}

async function probe (rpc: Rpc): Promise<boolean> {
  try {
    await rpc.send('evm_increaseTime', [0])
    await rpc.send('evm_mine', [])
    return true
  } catch { return false }
}
