// The stand-in's execution layer: an in-process EVM (@ethereumjs/vm, EVM version paris as the routers target
// for TVM) holding the real router contracts and the token. Addresses here are the 20-byte EVM form.
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { Account, createAddressFromString, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'

export interface CallResult { ok: boolean, gasUsed: number, returnData: string, logs: Array<{ address: string, topics: string[], data: string }>, error?: string }

export class Evm {
  private constructor (readonly vm: VM, readonly common: ReturnType<typeof createCustomCommon>) {}

  static async create (chainId: bigint): Promise<Evm> {
    const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Paris })
    return new Evm(await createVM({ common }), common)
  }

  private block (number: number, timestampS: number): ReturnType<typeof createBlock> {
    return createBlock({ header: { number: BigInt(number), timestamp: BigInt(timestampS), gasLimit: 100_000_000n } }, { common: this.common })
  }

  async deploy (from: string, bytecode: string, ctx: { number: number, timestampS: number }): Promise<string> {
    const caller = createAddressFromString(from)
    const acct = (await this.vm.stateManager.getAccount(caller)) ?? new Account()
    const r = await this.vm.evm.runCall({ caller, data: hexToBytes(bytecode as `0x${string}`), gasLimit: 30_000_000n, block: this.block(ctx.number, ctx.timestampS) })
    if (r.execResult.exceptionError !== undefined || r.createdAddress === undefined) throw new Error(`deploy failed: ${r.execResult.exceptionError?.error ?? 'no address'}`)
    const after = (await this.vm.stateManager.getAccount(caller)) ?? acct
    after.nonce = acct.nonce + 1n
    await this.vm.stateManager.putAccount(caller, after)
    return r.createdAddress.toString()
  }

  /** Runs a call; `commit` false reverts every state change afterwards (a constant call). */
  async call (from: string, to: string, data: string, gasLimit: bigint, ctx: { number: number, timestampS: number }, commit: boolean): Promise<CallResult> {
    const sm = this.vm.stateManager
    await sm.checkpoint()
    try {
      const r = await this.vm.evm.runCall({ caller: createAddressFromString(from), to: createAddressFromString(to), data: hexToBytes(data as `0x${string}`), gasLimit, block: this.block(ctx.number, ctx.timestampS) })
      const err = r.execResult.exceptionError
      const out: CallResult = {
        ok: err === undefined,
        gasUsed: Number(r.execResult.executionGasUsed), // TVM charges no intrinsic 21000
        returnData: bytesToHex(r.execResult.returnValue),
        logs: (r.execResult.logs ?? []).map(([addr, topics, d]) => ({ address: bytesToHex(addr), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(d) })),
        error: err?.error
      }
      if (commit && out.ok) await sm.commit(); else await sm.revert()
      return out
    } catch (e) { await sm.revert(); throw e }
  }
}
