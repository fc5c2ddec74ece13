/**
 * The Lucid chain as the `lucid payout` commands reach it over JSON-RPC: its chain id (checked by hand first, so an
 * unreachable URL fails at once), a provider pinned to it, the genesis contracts of lucid_chainInfo, and contract
 * reverts decoded to their custom error.
 */
import { ethers } from 'ethers'
import { fail } from './payout-flags.js'

/** eth_chainId by hand: ethers' provider retries an unreachable URL forever instead of failing. */
async function chainIdOf (url: string): Promise<bigint> {
  let body: { result?: unknown, error?: { message?: string } }
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }), signal: AbortSignal.timeout(10_000) })
    body = await res.json() as typeof body
  } catch (e) { return fail(`--rpc: cannot reach ${url}: ${(e as Error).cause !== undefined ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message}`, 1) }
  if (typeof body.result !== 'string') return fail(`--rpc: ${url} does not answer eth_chainId: ${body.error?.message ?? JSON.stringify(body).slice(0, 80)}`, 1)
  return BigInt(body.result)
}

/** A provider for `url` (already checked by rpcUrl) pinned to its chain id; the caller destroys it. */
export async function connectChain (url: string): Promise<{ chainId: bigint, provider: ethers.JsonRpcProvider }> {
  const chainId = await chainIdOf(url)
  // receipts polled every 0.5 s (ethers' default, 4 s, is longer than a dev chain's slot)
  return { chainId, provider: new ethers.JsonRpcProvider(url, undefined, { staticNetwork: ethers.Network.from(chainId), cacheTimeout: -1, pollingInterval: 500 }) }
}

/** The genesis contracts (name → address) the node reports in lucid_chainInfo; `hint` says which flags replace them. */
export async function chainContracts (provider: ethers.JsonRpcProvider, url: string, hint: string): Promise<Record<string, string>> {
  try { return (await provider.send('lucid_chainInfo', []) as { contracts: Record<string, string> }).contracts } catch {
    return fail(`${url} does not answer lucid_chainInfo (not a Lucid chain?): pass ${hint}`, 1)
  }
}

/** A contract's custom error decoded from a failed call or transaction, or null when the failure carries none. */
export function revertError (iface: ethers.Interface, e: unknown): ethers.ErrorDescription | null {
  const err = e as { data?: unknown, info?: { error?: { data?: unknown } } }
  for (const d of [err.data, err.info?.error?.data]) {
    if (typeof d === 'string' && d.startsWith('0x') && d.length >= 10) {
      const parsed = iface.parseError(d)
      if (parsed !== null) return parsed
    }
  }
  return null
}

/** `Name(arg, …)` of the custom error, else ethers' short message. */
export function revertName (iface: ethers.Interface, e: unknown): string {
  const parsed = revertError(iface, e)
  if (parsed !== null) return `${parsed.name}(${[...parsed.args].map(String).join(', ')})`
  const err = e as { shortMessage?: string, message?: string }
  return err.shortMessage ?? err.message ?? String(e)
}
