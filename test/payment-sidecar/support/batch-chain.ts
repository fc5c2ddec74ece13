// The On-System chain side for tests: Hardhat's in-process EDR chain (served over HTTP JSON-RPC, as the sidecar
// only speaks JSON-RPC) with ParamRegistry (the disburser registry) and a small batch-commitment contract that
// emits PayoutBatchCommitted. The commitment contract is a test stand-in until the chain runtime commits batches.
import { createRequire } from 'node:module'
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { getChain, type TestChain } from '../../contracts/support/chain.js'
import { COMMIT_EVENT } from '../../../payment-sidecar/src/batch/codec.js'

const SOURCE = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract PayoutBatchesStub {
    ${COMMIT_EVENT};
    function commit(uint64 epoch, bytes32 root, bytes calldata batch) external { emit PayoutBatchCommitted(epoch, root, batch); }
}`

let compiled: { abi: ethers.InterfaceAbi, bytecode: string } | undefined
export function compileStub (): { abi: ethers.InterfaceAbi, bytecode: string } {
  if (compiled !== undefined) return compiled
  const solc = createRequire(import.meta.url)('solc') as { compile: (s: string) => string }
  const out = JSON.parse(solc.compile(JSON.stringify({
    language: 'Solidity',
    sources: { 'PayoutBatchesStub.sol': { content: SOURCE } },
    settings: { evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } }
  })))
  const errs = (out.errors ?? []).filter((e: { severity: string }) => e.severity === 'error')
  if (errs.length > 0) throw new Error(errs.map((e: { formattedMessage: string }) => e.formattedMessage).join('\n'))
  const c = out.contracts['PayoutBatchesStub.sol'].PayoutBatchesStub
  compiled = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object }
  return compiled
}

export interface BatchChain {
  chain?: TestChain
  rpcUrl: string
  registry: string
  batches: ethers.Contract
  disbursers: ethers.Wallet[]
  commit: (epoch: number, root: string, payload: string) => Promise<number>
}

/** A fresh registry + commitment contract on the shared EDR chain (each call deploys new ones). */
export async function openBatchChain (disbursers: ethers.Wallet[]): Promise<BatchChain> {
  const chain = await getChain()
  const deployer = chain.accounts[0]
  const reg = loadArtifact('ParamRegistry')
  const registry = await new ethers.ContractFactory(reg.abi as ethers.InterfaceAbi, reg.bytecode, deployer).deploy(await deployer.getAddress(), disbursers.map((d) => d.address))
  await registry.waitForDeployment()
  const stub = compileStub()
  const batches = await new ethers.ContractFactory(stub.abi, stub.bytecode, deployer).deploy()
  await batches.waitForDeployment()
  return {
    chain,
    rpcUrl: await chain.rpcUrl(),
    registry: (await registry.getAddress()).toLowerCase(),
    batches: batches as unknown as ethers.Contract,
    disbursers,
    commit: async (epoch, root, payload) => {
      const tx = await (batches as unknown as ethers.Contract).commit(epoch, root, payload)
      const r = await tx.wait()
      return r!.blockNumber as number
    }
  }
}
