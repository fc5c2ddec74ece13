/**
 * Gas used by the contracts' operations on the in-process EVM (or LUCID_RPC_URL), each also as a ratio to a plain
 * 6-decimal ERC-20 transfer measured in the same run. Prints one JSON line per operation and writes
 * bench/contracts/gas-report.json. Gas is deterministic for a given build, so the report only changes with the code.
 */
import { writeFileSync } from 'node:fs'
import { ethers } from 'ethers'
import { loadArtifact } from '../../contracts/index.js'
import { as, deploy, mined } from '../../test/contracts/support/contracts.js'
import { routerFixture, USD } from '../../test/contracts/support/routers.js'
import { fullCycle, systemFixture } from '../../test/contracts/support/governance.js'
import { getChain } from '../../test/contracts/support/chain.js'
import { approveBatch, batchLeaf, merkleTree } from '../../test/contracts/support/merkle.js'

interface Row { op: string, gasUsed: number, note?: string }
const rows: Row[] = []
const gas = (r: ethers.ContractTransactionReceipt): number => Number(r.gasUsed)
const record = (op: string, r: ethers.ContractTransactionReceipt | number, note?: string): void => {
  rows.push({ op, gasUsed: typeof r === 'number' ? r : gas(r), ...(note === undefined ? {} : { note }) })
}

// Fixed addresses and IDs keep calldata, and so gas, the same from run to run.
const addr = (label: string): string => ethers.getAddress(ethers.dataSlice(ethers.id(label), 12))
const chain = await getChain()
const [deployer, other] = chain.accounts

// baseline: an ERC-20 transfer to a fresh address
const token = await deploy('MockStablecoin', deployer)
await mined(token.mint(await deployer.getAddress(), 1_000n * USD))
record('baseline.erc20Transfer', await mined(token.transfer(addr('bench/erc20'), 1n * USD)), 'MockStablecoin.transfer to a fresh address')

const anchors = await deploy('LucidAnchors', deployer)
const sid = ethers.zeroPadBytes(ethers.dataSlice(ethers.id('bench/session'), 0, 16), 32)
record('LucidAnchors.registerSession', await mined(anchors.registerSession(sid, ethers.id('m'), 1_700_000_000n, await other.getAddress(), ethers.id('root'), 1000)))
record('LucidAnchors.anchorChunk', await mined(anchors.anchorChunk(sid, 0, ethers.id('c0'))), 'first index of a 256-index bitmap word (zero to non-zero slot)')
record('LucidAnchors.anchorChunk.sameWord', await mined(anchors.anchorChunk(sid, 1, ethers.id('c1'))), 'later index in an already-used bitmap word')

const v0 = await routerFixture('V0')
await mined(v0.pay(await v0.payout(1n * USD)))
record('PayoutRouterV0.disburse', await mined(v0.pay(await v0.payout(5n * USD, addr('bench/v0')))), '2 signatures, fresh recipient, second payout of the day')
const kyc = await routerFixture('KYC', { recipientDailyLimit: 1_000n * USD })
await mined(kyc.pay(await kyc.payout(1n * USD)))
record('PayoutRouterKYC.disburseKYC', await mined(kyc.pay(await kyc.payout(5n * USD, addr('bench/kyc')))), '2 signatures + attestation, per-recipient limit on, fresh recipient')

// a batch of 64 payouts approved by one root; each leaf then paid with a 6-hash proof
const leaves = Array.from({ length: 64 }, (_, i) => ({ sessionId: ethers.id(`bench/batch/${i}`), to: addr(`bench/batch/to/${i}`), amount: 2n * USD, nonce: 5_000_000n + BigInt(i) }))
const tree = merkleTree(leaves.map(batchLeaf))
const deadline = BigInt(await chain.latestTimestamp() + 3600)
const total = 128n * USD
record('PayoutRouterV0.approveBatch', await mined(v0.router.approveBatch(tree.root, total, deadline, await approveBatch(v0.domain, { root: tree.root, total, deadline }, v0.disbursers.slice(0, 2)))), '2 signatures over PayoutBatch(root,total,deadline)')
await mined(v0.router.disburseFromBatch(tree.root, leaves[0], tree.proof(0)))
record('PayoutRouterV0.disburseFromBatch', await mined(v0.router.disburseFromBatch(tree.root, leaves[1], tree.proof(1))), '64-leaf batch (6-hash proof), fresh recipient')

const [, governance] = chain.accounts
const registry = await deploy('ParamRegistry', deployer, await governance.getAddress(), [addr('bench/d0'), addr('bench/d1'), addr('bench/d2')])
record('ParamRegistry.setParameter', await mined(as(registry, governance).setParameter(ethers.encodeBytes32String('leader.timeoutMs'), 6000n)), 'called directly by the governance address')

const s = await systemFixture()
const { receipts } = await fullCycle(s, [{ target: s.c.registry, fn: 'setParameter', args: [ethers.encodeBytes32String('leader.timeoutMs'), 7000n] }], 'bench: leader timeout 7 s')
const votes = s.nodes.length
record('governance.propose', receipts.propose)
record('governance.castVote', receipts.vote, 'first vote')
record('governance.queue', receipts.queue)
record('governance.execute', receipts.execute, 'Timelock executes ParamRegistry.setParameter')
// the other votes cost about the same as the first; count them all in the cycle
record('governance.fullCycle', gas(receipts.propose) + votes * gas(receipts.vote) + gas(receipts.queue) + gas(receipts.execute), `propose + ${votes} votes + queue + execute`)

const baseline = rows[0].gasUsed
const report = {
  bench: 'contracts/gas',
  chain: chain.external ? 'LUCID_RPC_URL' : 'hardhat EDR (in-process)',
  compiler: loadArtifact('LucidAnchors').compiler,
  evmVersion: { lucid: loadArtifact('LucidAnchors').evmVersion, routers: loadArtifact('PayoutRouterV0').evmVersion },
  baseline: 'baseline.erc20Transfer',
  operations: Object.fromEntries(rows.map((r) => [r.op, { gasUsed: r.gasUsed, ratioToBaseline: Number((r.gasUsed / baseline).toFixed(3)), ...(r.note === undefined ? {} : { note: r.note }) }]))
}
for (const r of rows) {
  process.stdout.write(JSON.stringify({ bench: 'contracts/gas', op: r.op, gasUsed: r.gasUsed, baselineGas: baseline, ratio: Number((r.gasUsed / baseline).toFixed(3)) }) + '\n')
}
writeFileSync(new URL('./gas-report.json', import.meta.url), JSON.stringify(report, null, 2) + '\n')
process.exit(0)
