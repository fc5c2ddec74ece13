// The On-System chain side for tests: Hardhat's in-process EDR chain (served over HTTP JSON-RPC, as the sidecar
// only speaks JSON-RPC) with ParamRegistry (the disburser registry) and the real PayoutBatches contract, deployed
// fresh per world. (On the project's own chain PayoutBatches is in genesis: devnet.test.ts.)
import { ethers } from 'ethers'
import { loadArtifact } from '../../../contracts/index.js'
import { COMMIT_TYPES, commitDomain, commitValue, ascendingSigners, partsCommitValue } from '../../../protocols/poot/payout-commitment.js'
import { getChain, type TestChain } from '../../contracts/support/chain.js'

export interface BatchChain {
  chain?: TestChain
  rpcUrl: string
  registry: string
  batches: ethers.Contract
  disbursers: ethers.Wallet[]
  commit: (epoch: number, root: string, payload: string) => Promise<number>
}

/**
 * Commits as PayoutBatches requires: sent by disburser `from` with the signatures of `signers` (ascending) over
 * PayoutBatchCommit(epoch, root, keccak256(payload)) in the contract's domain.
 */
export async function commitAs (batches: ethers.Contract, disbursers: ethers.Wallet[], provider: ethers.Provider, epoch: number, root: string, payload: string, from = 0, signers = [0, 1]): Promise<number> {
  const domain = commitDomain((await provider.getNetwork()).chainId, batches.target as string)
  const sorted = ascendingSigners(signers.map((i) => disbursers[i]))
  const sigs = await Promise.all(sorted.map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, commitValue(epoch, root, payload))))
  const tx = await (batches.connect(disbursers[from].connect(provider)) as ethers.Contract).commit(epoch, root, payload, sigs)
  const r = await tx.wait()
  return r!.blockNumber as number
}

/**
 * Commits a batch in parts as PayoutBatches requires (disbursers 0 and 1 approve head and part hashes; disburser 0
 * sends) and returns how to publish each part (sent by disburser 0; anyone may).
 */
export async function commitPartsAs (batches: ethers.Contract, disbursers: ethers.Wallet[], provider: ethers.Provider, epoch: number, root: string, head: string, parts: string[]): Promise<{ publish: (i: number) => Promise<number> }> {
  const domain = commitDomain((await provider.getNetwork()).chainId, batches.target as string)
  const sigs = await Promise.all(ascendingSigners(disbursers.slice(0, 2)).map(async (s) => await s.signTypedData(domain, COMMIT_TYPES, partsCommitValue(epoch, root, head, parts))))
  const sender = batches.connect(disbursers[0].connect(provider)) as ethers.Contract
  await (await sender.commitParts(epoch, root, head, parts.map((p) => ethers.keccak256(p)), sigs)).wait()
  return { publish: async (i) => (await (await sender.publishPart(epoch, i, parts[i])).wait()).blockNumber as number }
}

/** A fresh registry + PayoutBatches on the shared EDR chain (each call deploys new ones); disburser 0 is funded to send commits. */
export async function openBatchChain (disbursers: ethers.Wallet[]): Promise<BatchChain> {
  const chain = await getChain()
  const deployer = chain.accounts[0]
  const reg = loadArtifact('ParamRegistry')
  const registry = await new ethers.ContractFactory(reg.abi as ethers.InterfaceAbi, reg.bytecode, deployer).deploy(await deployer.getAddress(), disbursers.map((d) => d.address))
  await registry.waitForDeployment()
  const art = loadArtifact('PayoutBatches')
  // the system address is a test account here (no commit in these tests comes from it)
  const batches = await new ethers.ContractFactory(art.abi as ethers.InterfaceAbi, art.bytecode, deployer).deploy(await registry.getAddress(), await chain.accounts[1].getAddress())
  await batches.waitForDeployment()
  if (await chain.provider.getBalance(disbursers[0].address) < ethers.parseEther('1')) {
    await (await deployer.sendTransaction({ to: disbursers[0].address, value: ethers.parseEther('100') })).wait()
  }
  const contract = batches as unknown as ethers.Contract
  return {
    chain,
    rpcUrl: await chain.rpcUrl(),
    registry: (await registry.getAddress()).toLowerCase(),
    batches: contract,
    disbursers,
    commit: async (epoch, root, payload) => await commitAs(contract, disbursers, chain.provider, epoch, root, payload)
  }
}
