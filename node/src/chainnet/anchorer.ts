/**
 * Anchoring (docs/chain.md): after a put, the node registers the session in LucidAnchors through its own JSON-RPC
 * with ethers, as any Ethereum client would: `registerSession(id, manifestHash, startedAt, owner, merkleRoot,
 * chunkCount)` signed by the node's chain account (a secp256k1 key kept encrypted in its keystore). `submit`
 * resolves once the chain's mempool accepted the transaction; `view` is what the AnchorTracker reads to follow it to a
 * final block.
 * On chain the session ID is bytes32 = its 16 UUID bytes then 16 zero bytes (sessionIdToBytes32); the manifest hash
 * is the seal's `manifestHash` (SHA-256 of the signed manifest, its CID's digest).
 */
import { ethers } from 'ethers'
import type { Manifest } from '../../../protocols/session/manifest.js'
import { sessionIdToBytes32 } from '../../../protocols/session/session-id.js'
import { loadArtifact } from '../../../contracts/index.js'
import type { AnchorChainView, Registration } from './anchor-tracker.js'

/** Keystore entry of the node's chain account key (32 bytes). */
export const CHAIN_ACCOUNT_KEY = 'chain-account'

export interface Submitted { tx: string, submitMs: number }

export class Anchorer {
  private readonly wallet: ethers.NonceManager
  private readonly contract: ethers.Contract
  readonly address: string

  constructor (rpcUrl: string, accountKey: Uint8Array, anchorsAddress: string, chainId: bigint) {
    const provider = new ethers.JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, pollingInterval: 250 })
    const signer = new ethers.Wallet(ethers.hexlify(accountKey), provider)
    this.address = signer.address
    // one nonce sequence for concurrent puts
    this.wallet = new ethers.NonceManager(signer)
    this.contract = new ethers.Contract(anchorsAddress, loadArtifact('LucidAnchors').abi as ethers.InterfaceAbi, this.wallet)
  }

  /** Sends registerSession; resolves with the hash once the node's mempool accepted it. */
  /** `manifestHash`: the seal summary's (hex). */
  async submit (manifest: Manifest, manifestHash: string): Promise<Submitted> {
    const started = performance.now()
    const owner = ethers.isAddress(manifest.owner) ? manifest.owner : this.address
    let tx: ethers.TransactionResponse
    try {
      tx = await this.contract.registerSession(
        sessionIdToBytes32(manifest.sessionId),
        '0x' + manifestHash,
        BigInt(Math.floor(manifest.startedAt / 1000)),
        owner,
        ethers.hexlify(manifest.merkleRoot),
        manifest.chunkCount,
        { gasLimit: 200_000n }
      ) as ethers.TransactionResponse
    } catch (err) {
      // ethers' NonceManager counted the nonce before the send: a transaction the node refused would leave a gap
      // that no later transaction of this account could ever fill
      this.resetNonce()
      throw err
    }
    return { tx: tx.hash, submitMs: performance.now() - started }
  }

  /** The next transaction takes its nonce from the chain's pending count again (after a failure or a lost one). */
  resetNonce (): void { this.wallet.reset() }

  /** The chain as the tracker reads it, over the same JSON-RPC (raw calls: no caching between looks). */
  view (): AnchorChainView {
    const provider = this.wallet.provider as ethers.JsonRpcProvider
    const block = async (tag: string): Promise<{ number: string, hash: string } | null> => await provider.send('eth_getBlockByNumber', [tag, false])
    return {
      headNumber: async () => Number(await provider.send('eth_blockNumber', [])),
      receipt: async (tx) => {
        const r = await provider.send('eth_getTransactionReceipt', [tx]) as { blockNumber: string, blockHash: string, status: string } | null
        return r === null ? null : { block: Number(r.blockNumber), blockHash: r.blockHash, succeeded: r.status === '0x1' }
      },
      finalizedNumber: async () => Number((await block('finalized'))?.number ?? 0),
      blockHash: async (height) => (await block(ethers.toQuantity(height)))?.hash ?? null,
      known: async (tx) => (await provider.send('eth_getTransactionByHash', [tx])) !== null,
      registration: async (sessionId) => await this.registration(sessionId)
    }
  }

  /** The session's registration: from the contract's storage, then the transaction from the block's log of it. */
  private async registration (sessionId: string): Promise<Registration | null> {
    const id = sessionIdToBytes32(sessionId)
    const reader = this.contract.connect(this.wallet.provider) as ethers.Contract
    const at = Number(await reader.registeredAt(id) as bigint)
    if (at === 0) return null
    const [registrant, merkleRoot] = await reader.sessionAnchor(id) as [string, string]
    const logs = await reader.queryFilter(reader.filters.SessionRegistered(id), at, at)
    const log = logs.find((l) => l.blockNumber === at)
    // a reorg between the reads moved the registration: the caller reads it again later
    if (log === undefined) throw new Error(`the registration of ${sessionId} is no longer in block ${at}`)
    return { tx: log.transactionHash, block: at, registrant, merkleRoot }
  }
}
