// Shared by the chain benchmarks: a dev genesis, registerSession transactions signed by the dev accounts.
import { ethers } from 'ethers'
import { createTx, type TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import { loadArtifact } from '../../contracts/index.js'
import { buildGenesis, checkGenesisSpec, devAccountKeys, devGenesisSpec, type Genesis } from '../../node/src/chain/index.js'
import type { PootParams } from '../../protocols/poot/index.js'

export const GENESIS_MS = 1_700_000_000_000
export const SLOT_MS = 1500

/** The dev genesis with `slotMs` slots, its PoOT parameters changed by `params`. */
export async function benchGenesis (slotMs = SLOT_MS, params: Partial<PootParams> = {}): Promise<Genesis> {
  const spec = devGenesisSpec({ slotMs, genesisMs: GENESIS_MS })
  return await buildGenesis(checkGenesisSpec({ ...spec, params: { ...spec.params, ...params } }))
}

const anchors = new ethers.Interface(loadArtifact('LucidAnchors').abi as ethers.InterfaceAbi)

export function registerSessionData (i: number, owner: string): string {
  const id = ethers.zeroPadBytes(ethers.getBytes(ethers.id(`bench-session-${i}`)).slice(0, 16), 32)
  return anchors.encodeFunctionData('registerSession', [id, ethers.id(`manifest-${i}`), 1_700_000_000n + BigInt(i), owner, ethers.id(`root-${i}`), 64])
}

/** n registerSession transactions spread over the dev accounts, each account's in nonce order. */
export function registerSessionTxs (g: Genesis, n: number): TypedTransaction[] {
  const keys = devAccountKeys()
  const out: TypedTransaction[] = []
  for (let i = 0; i < n; i++) {
    const k = i % keys.length
    const owner = new ethers.Wallet(keys[k]).address
    out.push(createTx({
      type: 2, chainId: g.common.chainId(), nonce: BigInt(Math.floor(i / keys.length)), to: g.contracts.LucidAnchors,
      data: registerSessionData(i, owner), gasLimit: 200_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n
    } as never, { common: g.common }).sign(hexToBytes(keys[k] as `0x${string}`)))
  }
  return out
}
