// The whole system deployed and wired by deployLucidContracts, with five eligible nodes and helpers that drive a
// proposal through propose -> vote -> queue -> execute on any chain (time travel when it exists, waiting otherwise).
import { ethers } from 'ethers'
import { deployLucidContracts, factoryFor, type Deployment } from '../../../node/src/contracts/deploy.js'
import type { ContractName } from '../../../contracts/index.js'
import { getChain, type TestChain } from './chain.js'
import { deploy, mined, wallets } from './contracts.js'

export const VOTING_DELAY = 1
export const VOTING_PERIOD = 10
const Support = { Against: 0, For: 1, Abstain: 2 } as const
export { Support }

export interface System {
  chain: TestChain
  deployment: Deployment
  deployer: ethers.Signer
  system: ethers.Signer
  nodes: ethers.Signer[]
  outsider: ethers.Signer
  timelockDelay: number
  c: Record<'anchors' | 'eligibility' | 'timelock' | 'governor' | 'registry' | 'routerV0' | 'routerKYC', ethers.Contract>
}

export async function systemFixture (opts: { quorumPercent?: number, eligibleNodes?: number } = {}): Promise<System> {
  const chain = await getChain()
  const [deployer, system, n1, n2, n3, n4, n5, outsider] = chain.accounts
  const nodes = [n1, n2, n3, n4, n5]
  // Without time travel the Timelock delay must be short enough to wait out in real time.
  const timelockDelay = chain.canTimeTravel ? 3600 : 2
  const token = await deploy('MockStablecoin', deployer)
  const signers = wallets(3, 'system/disbursers').map((w) => w.address)
  const deployment = await deployLucidContracts(deployer, {
    disbursers: signers as [string, string, string],
    pauser: await outsider.getAddress(),
    token: await token.getAddress(),
    complianceSigner: wallets(1, 'system/compliance')[0].address,
    systemAddress: await system.getAddress(),
    timelockDelay,
    votingDelay: VOTING_DELAY,
    votingPeriod: VOTING_PERIOD,
    quorumPercent: opts.quorumPercent ?? 60
  })
  const at = (name: ContractName): ethers.Contract => factoryFor(name, deployer).attach(deployment.contracts[name]!) as ethers.Contract
  const c = {
    anchors: at('LucidAnchors'),
    eligibility: at('NodeEligibility'),
    timelock: at('LucidTimelock'),
    governor: at('LucidGovernor'),
    registry: at('ParamRegistry'),
    routerV0: at('PayoutRouterV0'),
    routerKYC: at('PayoutRouterKYC')
  }
  const eligible = nodes.slice(0, opts.eligibleNodes ?? nodes.length)
  if (eligible.length > 0) {
    const addrs = await Promise.all(eligible.map(async (n) => await n.getAddress()))
    await mined((c.eligibility.connect(system) as ethers.Contract).report(addrs, addrs.map(() => 9000), addrs.map(() => ethers.parseEther('2'))))
  }
  return { chain, deployment, deployer, system, nodes, outsider, timelockDelay, c }
}

export interface Proposal { targets: string[], values: bigint[], calldatas: string[], description: string, descriptionHash: string, id: bigint }

export async function propose (s: System, proposer: ethers.Signer, calls: Array<{ target: ethers.Contract, fn: string, args: unknown[] }>, description: string): Promise<Proposal> {
  const targets = await Promise.all(calls.map(async (x) => await x.target.getAddress()))
  const calldatas = calls.map((x) => x.target.interface.encodeFunctionData(x.fn, x.args))
  const values = calls.map(() => 0n)
  await mined((s.c.governor.connect(proposer) as ethers.Contract).propose(targets, values, calldatas, description))
  const descriptionHash = ethers.id(description)
  const id = await s.c.governor.hashProposal(targets, values, calldatas, descriptionHash) as bigint
  return { targets, values, calldatas, description, descriptionHash, id }
}

/** Mines until voting is open on `p`. */
export async function openVoting (s: System, p: Proposal): Promise<void> {
  const snapshot = Number(await s.c.governor.proposalSnapshot(p.id))
  const now = await s.chain.provider.getBlockNumber()
  // the next transaction lands in block now + 1, which must be past the snapshot
  if (now < snapshot) await s.chain.mine(snapshot - now)
}

/** Mines until voting on `p` has closed. */
export async function closeVoting (s: System, p: Proposal): Promise<void> {
  const deadline = Number(await s.c.governor.proposalDeadline(p.id))
  const now = await s.chain.provider.getBlockNumber()
  if (now <= deadline) await s.chain.mine(deadline - now + 1)
}

export async function vote (s: System, p: Proposal, voters: ethers.Signer[], support: number = Support.For): Promise<void> {
  for (const v of voters) await mined((s.c.governor.connect(v) as ethers.Contract).castVote(p.id, support))
}

export async function queue (s: System, p: Proposal): Promise<ethers.ContractTransactionReceipt> {
  return await mined(s.c.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash))
}

export function execute (s: System, p: Proposal): Promise<ethers.ContractTransactionResponse> {
  return s.c.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash)
}

/** Lets the Timelock delay of a queued proposal pass: time travel, else wait for the chain's clock. */
export async function waitForEta (s: System, p: Proposal): Promise<void> {
  const eta = Number(await s.c.governor.proposalEta(p.id))
  const now = await s.chain.latestTimestamp()
  if (now >= eta) return
  if (s.chain.canTimeTravel) { await s.chain.increaseTime(eta - now); return }
  const until = Date.now() + 120_000
  while (await s.chain.latestTimestamp() < eta) {
    if (Date.now() > until) throw new Error('the chain did not reach the Timelock eta within 120 s')
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** propose -> vote (all nodes For) -> queue -> wait -> execute. */
export async function fullCycle (s: System, calls: Array<{ target: ethers.Contract, fn: string, args: unknown[] }>, description: string): Promise<{ proposal: Proposal, receipts: Record<'propose' | 'vote' | 'queue' | 'execute', ethers.ContractTransactionReceipt> }> {
  const gov = (who: ethers.Signer): ethers.Contract => s.c.governor.connect(who) as ethers.Contract
  const targets = await Promise.all(calls.map(async (x) => await x.target.getAddress()))
  const calldatas = calls.map((x) => x.target.interface.encodeFunctionData(x.fn, x.args))
  const values = calls.map(() => 0n)
  const proposeR = await mined(gov(s.nodes[0]).propose(targets, values, calldatas, description))
  const descriptionHash = ethers.id(description)
  const proposal: Proposal = { targets, values, calldatas, description, descriptionHash, id: await s.c.governor.hashProposal(targets, values, calldatas, descriptionHash) }
  await openVoting(s, proposal)
  const voteR = await mined(gov(s.nodes[0]).castVote(proposal.id, Support.For))
  await vote(s, proposal, s.nodes.slice(1))
  await closeVoting(s, proposal)
  const queueR = await queue(s, proposal)
  await waitForEta(s, proposal)
  const executeR = await mined(execute(s, proposal))
  return { proposal, receipts: { propose: proposeR, vote: voteR, queue: queueR, execute: executeR } }
}
