// Wires a PayoutService from a Config: its ledger, keystore, chain source and TRON client.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadAbis } from '../abi.js'
import { JsonRpcBatchSource, type BatchSource } from '../chain/source.js'
import type { Config } from '../config.js'
import { openKeys, passphraseFrom, readKeystore } from '../keystore.js'
import { Ledger } from '../ledger/ledger.js'
import { TronHttp } from '../tron/http.js'
import { TronApi } from '../tron/node-api.js'
import { Guard } from './crash.js'
import { PayoutService } from './service.js'

export const pauseFile = (c: Config): string => join(c.dataDir, 'PAUSED')

export function openService (config: Config, opts: { guard?: Guard, keys?: string[], source?: BatchSource, log?: (m: string) => void } = {}): PayoutService {
  const guard = opts.guard ?? Guard.fromEnv()
  const keys = opts.keys ?? openKeys(readKeystore(config.keystore.path), passphraseFrom(config.keystore.passphraseFile))
  const http = new TronHttp({ url: config.tron.fullNode, timeoutMs: config.tron.timeoutMs, retries: config.tron.retries, backoffMs: config.tron.backoffMs, headers: config.tron.apiKey === undefined ? undefined : { 'TRON-PRO-API-KEY': config.tron.apiKey }, guard })
  return new PayoutService({
    config,
    ledger: new Ledger(join(config.dataDir, 'ledger.jsonl'), guard),
    source: opts.source ?? new JsonRpcBatchSource(config.chain.rpcUrl, config.chain),
    tron: new TronApi(http),
    abis: loadAbis(config.contractsDir),
    signingKeys: keys,
    guard,
    isPaused: () => existsSync(pauseFile(config)),
    log: opts.log
  })
}
