// Contract ABIs, read at runtime from the committed build artifacts (contracts/build/*.json) at config.contractsDir,
// so the sidecar needs no import from contracts/ (the boundary lint allows it only itself and protocols/).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ethers } from 'ethers'

export interface Abis { v0: ethers.Interface, kyc: ethers.Interface, registry: ethers.Interface }

export function loadAbis (contractsDir: string): Abis {
  const read = (name: string): ethers.Interface => {
    const path = join(contractsDir, `${name}.json`)
    let j: { abi?: unknown }
    try { j = JSON.parse(readFileSync(path, 'utf8')) } catch (e) { throw new Error(`contracts: cannot read ${path} (config contractsDir): ${(e as Error).message}`) }
    if (!Array.isArray(j.abi)) throw new Error(`contracts: ${path} has no abi array`)
    return new ethers.Interface(j.abi as ethers.InterfaceAbi)
  }
  return { v0: read('PayoutRouterV0'), kyc: read('PayoutRouterKYC'), registry: read('ParamRegistry') }
}

/** A revert's custom error, decoded with the router ABIs: 'NonceAlreadyUsed(5)'; raw hex otherwise. */
export function describeRevert (abis: Abis, data: string | undefined): string {
  if (data === undefined || data === '0x' || data === '') return 'reverted without data'
  for (const i of [abis.kyc, abis.v0]) {
    try {
      const e = i.parseError(data)
      if (e !== null) return `${e.name}(${e.args.map(String).join(',')})`
    } catch {}
  }
  return `reverted: ${data.slice(0, 74)}`
}
