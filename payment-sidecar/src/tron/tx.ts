// Router calls built and signed offline with tronweb: the transaction is assembled locally from a reference block
// the node reported (txLocal), so the node never gets to choose what is signed; the keys sign its txID.
import { TronWeb } from 'tronweb'
import { hexToBase58 } from './address.js'
import type { NowBlock } from './node-api.js'

export interface SignedTx {
  txID: string
  raw_data: Record<string, any>
  raw_data_hex: string
  signature: string[]
  visible: boolean
}

export interface BuildArgs {
  /** fee payer / owner, 41-hex */
  ownerHex: string
  /** router, 41-hex */
  contractHex: string
  /** e.g. 'approveBatch(bytes32,uint256,uint256,bytes[])' */
  selector: string
  /** ABI-encoded arguments without the selector, 0x hex */
  args: string
  feeLimitSun: number
  /** 0 = owner permission; ≥ 2 an active permission of the owner account (e.g. a 2-of-3) */
  permissionId: number
  ref: NowBlock
  expirationMs: number
}

let offline: TronWeb | undefined
function tronweb (): TronWeb {
  // the URL is never contacted: every call below is local
  offline ??= new TronWeb({ fullHost: 'http://127.0.0.1:1' })
  return offline
}

/** The reference-block fields TaPoS needs: bytes 6–8 of the block number and bytes 8–16 of the block id. */
export function refBlockFields (ref: NowBlock, expirationMs: number): { ref_block_bytes: string, ref_block_hash: string, expiration: number, timestamp: number } {
  return {
    ref_block_bytes: (ref.number & 0xffff).toString(16).padStart(4, '0'),
    ref_block_hash: ref.id.slice(16, 32),
    expiration: ref.timestamp + expirationMs,
    timestamp: ref.timestamp
  }
}

export async function buildCall (a: BuildArgs): Promise<SignedTx> {
  const options: Record<string, unknown> = {
    txLocal: true,
    blockHeader: refBlockFields(a.ref, a.expirationMs),
    feeLimit: a.feeLimitSun,
    rawParameter: a.args.replace(/^0x/, '')
  }
  if (a.permissionId > 0) options.permissionId = a.permissionId
  const { transaction } = await tronweb().transactionBuilder.triggerSmartContract(hexToBase58(a.contractHex), a.selector, options as never, [], hexToBase58(a.ownerHex))
  return { ...(transaction as unknown as SignedTx), signature: [] }
}

/** Adds one signature per key (each over the txID), in the order given. */
export async function signTx (tx: SignedTx, privateKeys: readonly string[]): Promise<SignedTx> {
  let out: any = { ...tx, signature: (tx.signature ?? []).length > 0 ? [...tx.signature] : undefined }
  for (const key of privateKeys) out = await tronweb().trx.multiSign(out, key.replace(/^0x/, ''), 0)
  return out as SignedTx
}
