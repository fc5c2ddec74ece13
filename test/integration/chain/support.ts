// A dev chain in a temporary directory with a virtual clock: slot s is produced at genesisMs + s·slotMs + 10.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTx, type TypedTxData } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import { randomUUID } from 'node:crypto'
import { ethers } from 'ethers'
import type { EntityId, NodeKey, SessionAnchor, TaskProof } from '../../../protocols/poot/index.js'
import { sessionIdToBytes32 } from '../../../protocols/session/session-id.js'
import { dueProofs, freshDuties } from '../../../node/src/chainnet/duties.js'
import { BlockSessions } from '../../../node/src/chainnet/block-sessions.js'
import { startRpcServer, type RpcServer } from '../../../node/src/rpc/server.js'
import { Chain, ChainNode, DEV_FUNDED_ACCOUNTS, buildGenesis, checkGenesisSpec, devAccountKeys, devGenesisSpec, devNodeKeys, devServerKey, localProposer, signersFrom, type ChainOptions, type Genesis } from '../../../node/src/chain/index.js'

export const GENESIS_MS = 1_700_000_000_000
export const SLOT_MS = 1500

let cached: Genesis | undefined
export async function devGenesis (): Promise<Genesis> {
  cached ??= await buildGenesis(checkGenesisSpec(devGenesisSpec({ slotMs: SLOT_MS, genesisMs: GENESIS_MS })))
  return cached
}

const dirs: string[] = []
export async function openDevChain (opts: Omit<ChainOptions, 'dir' | 'genesis'> = {}): Promise<Chain> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-chain-'))
  dirs.push(dir)
  return await Chain.open({ dir, genesis: await devGenesis(), ...opts })
}
export function removeChainDirs (): void { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) }

export const slotTime = (slot: number, offset = 10): number => GENESIS_MS + slot * SLOT_MS + offset

/** Builds the next block at the next slot with every dev key (the scheduled primary proposes). */
export async function produce (chain: Chain, slot = chain.headPoot.slot + 1): Promise<ReturnType<Chain['build']>> {
  const decide = localProposer(signersFrom(chain, [...devNodeKeys(9), devServerKey()]))
  const p = decide(chain, slot, slotTime(slot))
  if (p === null) throw new Error(`no proposal for slot ${slot}`)
  return await chain.build(p)
}

export const DEV_KEYS = devAccountKeys()

export function signedTx (chain: Chain, fields: Partial<TypedTxData> & { nonce: bigint }, key = DEV_KEYS[0]): ReturnType<typeof createTx> {
  return createTx({ type: 2, to: '0x' + '11'.repeat(20), value: 1n, gasLimit: 21000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, chainId: chain.chainId, ...fields } as TypedTxData, { common: chain.common }).sign(hexToBytes(key as `0x${string}`))
}

/**
 * Heartbeats from `keys` as running nodes' duties send them (chainnet/duties.ts): called for each slot, the beats due
 * by that slot's production time, to include in its block (what makes uptime, and so eligibility to vote).
 */
export function heartbeats (keys: readonly NodeKey[]): (chain: Chain, slot: number) => TaskProof[] {
  const duties = new Map(keys.map((k) => [k.id, freshDuties()]))
  return (chain, slot) => keys.flatMap((k) => {
    const due = dueProofs(k, chain.headPoot, chain.configAt(slot), slotTime(slot), duties.get(k.id) ?? freshDuties())
    duties.set(k.id, due.state)
    return due.proofs.filter((p) => p.kind === 'heartbeat')
  })
}

const anchorsIface = new ethers.Interface(['function registerSession(bytes32,bytes32,uint64,address,bytes32,uint32)'])

/**
 * Sessions anchored as running nodes anchor them, so blocks can earn their proposers: `register()` puts a
 * registerSession transaction (a fresh session ID, from `key`, an account no test sends from otherwise) into the
 * chain's mempool; `listed(proposer)` is what a block by `proposer` on the head lists (chainnet/block-sessions.ts):
 * the registrations since the last ranked block.
 */
export function sessionAnchoring (chain: Chain, key = devAccountKeys(DEV_FUNDED_ACCOUNTS).at(-1) as string): { register: () => Promise<string>, listed: (proposer: EntityId) => Promise<SessionAnchor[]> } {
  const wallet = new ethers.Wallet(key)
  const anchors = chain.genesis.contracts.LucidAnchors as string
  const sessions = new BlockSessions(chain, anchors)
  let nonce = 0
  return {
    async register () {
      const sessionId = randomUUID()
      const data = anchorsIface.encodeFunctionData('registerSession', [sessionIdToBytes32(sessionId), ethers.id(sessionId), 1n, wallet.address, ethers.id('root'), 1])
      const raw = await wallet.signTransaction({ type: 2, chainId: chain.chainId, nonce: nonce++, to: anchors, data, gasLimit: 300_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n })
      await chain.submitRaw(ethers.getBytes(raw))
      return sessionId
    },
    async listed (proposer) {
      await sessions.note(chain.head)
      return sessions.forProposal(proposer)
    }
  }
}

export interface LiveDevChain { chain: Chain, rpc: RpcServer, node: ChainNode, provider: ethers.JsonRpcProvider, close: () => Promise<void> }

/** A dev chain whose nine dev nodes and Server produce blocks on the wall clock, with its JSON-RPC and an ethers provider. */
export async function liveDevChain (): Promise<LiveDevChain> {
  const chain = await openDevChain()
  const rpc = await startRpcServer(chain, { port: 0 })
  const node = new ChainNode(chain, { decide: localProposer(signersFrom(chain, [...devNodeKeys(9), devServerKey()])) })
  node.start()
  const provider = new ethers.JsonRpcProvider(rpc.url, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 })
  return { chain, rpc, node, provider, close: async () => { provider.destroy(); await node.stop(); await rpc.close(); await chain.close(); removeChainDirs() } }
}
