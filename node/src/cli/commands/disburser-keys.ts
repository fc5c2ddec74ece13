/**
 * The disburser keys of the `lucid payout` commands: encrypted JSON keystores (--key-file, 2 or 3; the passphrase from
 * LUCID_DISBURSER_PASSPHRASE or the terminal), or on a dev chain the well-known dev disburser keys (--dev). Never a
 * key on the command line.
 */
import { readFileSync } from 'node:fs'
import { ethers } from 'ethers'
import { devDisburserKeys } from '../../chain/dev.js'
import { readPassphrase } from '../passphrase.js'
import { fail } from './payout-flags.js'

export interface DisburserKeyFlags { keyFile?: string[], dev?: boolean }

/** Decrypts each --key-file (ethers/Web3 JSON keystore); every file is checked before a passphrase is asked for. */
async function readKeyFiles (files: string[], env: NodeJS.ProcessEnv): Promise<ethers.Wallet[]> {
  const jsons = files.map((file) => {
    let json: string
    try { json = readFileSync(file, 'utf8') } catch (e) { return fail(`--key-file ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1) }
    if (!ethers.isKeystoreJson(json)) fail(`--key-file ${file}: not an encrypted JSON key file (ethers/Web3 keystore)`, 1)
    return json
  })
  const fromEnv = env.LUCID_DISBURSER_PASSPHRASE
  const passphrase = fromEnv !== undefined && fromEnv !== '' ? fromEnv : await readPassphrase({}, {})
  const wallets: ethers.Wallet[] = []
  for (let i = 0; i < files.length; i++) {
    try {
      const w = await ethers.Wallet.fromEncryptedJson(jsons[i], passphrase)
      wallets.push(new ethers.Wallet(w.privateKey))
    } catch (e) {
      fail(`--key-file ${files[i]}: cannot decrypt (${/password/i.test((e as Error).message) ? 'wrong passphrase' : (e as Error).message})`, 1)
    }
  }
  return wallets
}

/** Checks the key flags without reading anything (so a usage mistake is reported before any passphrase prompt). */
export function checkKeyFlags (flags: DisburserKeyFlags, what: string): void {
  const keyFiles = flags.keyFile ?? []
  if (flags.dev === true && keyFiles.length > 0) fail('--dev and --key-file exclude each other')
  if (flags.dev !== true && keyFiles.length < 2) fail(`${what} needs 2 of the 3 disbursers: pass --key-file twice (or three times), or --dev on a dev chain`)
  if (keyFiles.length > 3) fail('--key-file: at most three disburser keys')
}

/** The keys in the order given (the first one sends and pays the gas); the same key twice is refused. */
export async function disburserKeys (flags: DisburserKeyFlags, env: NodeJS.ProcessEnv, what: string): Promise<ethers.Wallet[]> {
  checkKeyFlags(flags, what)
  const keys = flags.dev === true ? devDisburserKeys().map((k) => new ethers.Wallet(k)) : await readKeyFiles(flags.keyFile ?? [], env)
  if (new Set(keys.map((k) => k.address)).size !== keys.length) fail('--key-file: the same key was given twice')
  return keys
}
