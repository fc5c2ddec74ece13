// The sidecar's own encrypted keystore: TRON signing keys sealed with scrypt + XChaCha20-Poly1305 under a
// passphrase (from a file or LUCID_PAYOUT_PASSPHRASE, never argv). Keys never appear in logs or errors.
import { randomBytes, scryptSync } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync, fsyncSync, openSync, closeSync } from 'node:fs'
import { dirname } from 'node:path'
import { xchachaOpen, xchachaSeal } from '../../protocols/session/xchacha20poly1305.js'
import { privateKeyToTronAddress } from './tron/address.js'

export interface KeystoreFile { version: 1, kdf: { name: 'scrypt', N: number, r: number, p: number, salt: string }, nonce: string, ciphertext: string, addresses: string[] }
const AAD = new TextEncoder().encode('lucid/payout-keystore/v1')

function kdf (passphrase: string, k: KeystoreFile['kdf']): Uint8Array {
  return scryptSync(passphrase.normalize('NFKC'), Buffer.from(k.salt, 'hex'), 32, { N: k.N, r: k.r, p: k.p, maxmem: 256 * k.N * k.r + 1024 * 1024 })
}

export function sealKeys (keys: readonly string[], passphrase: string, N = 1 << 15): KeystoreFile {
  for (const k of keys) if (!/^(0x)?[0-9a-fA-F]{64}$/.test(k)) throw new Error('keystore: a key is not 32 bytes of hex (its value is not shown)')
  if (passphrase.length < 8) throw new Error('keystore: the passphrase must have at least 8 characters')
  const params = { name: 'scrypt' as const, N, r: 8, p: 1, salt: randomBytes(16).toString('hex') }
  const nonce = randomBytes(24)
  const plain = new TextEncoder().encode(JSON.stringify(keys.map((k) => k.replace(/^0x/, '').toLowerCase())))
  const sealed = xchachaSeal(kdf(passphrase, params), nonce, plain, AAD)
  return { version: 1, kdf: params, nonce: nonce.toString('hex'), ciphertext: Buffer.from(sealed).toString('hex'), addresses: keys.map(privateKeyToTronAddress) }
}

export function openKeys (file: KeystoreFile, passphrase: string): string[] {
  if (file.version !== 1 || file.kdf?.name !== 'scrypt') throw new Error('keystore: unsupported format (want version 1, scrypt)')
  const plain = xchachaOpen(kdf(passphrase, file.kdf), Buffer.from(file.nonce, 'hex'), Buffer.from(file.ciphertext, 'hex'), AAD)
  if (plain === undefined) throw new Error('keystore: wrong passphrase or damaged file')
  return (JSON.parse(new TextDecoder().decode(plain)) as string[]).map((k) => '0x' + k)
}

export function writeKeystore (path: string, file: KeystoreFile): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = path + '.tmp'
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 })
  const fd = openSync(tmp, 'r'); fsyncSync(fd); closeSync(fd)
  renameSync(tmp, path)
}

export function readKeystore (path: string): KeystoreFile {
  if (!existsSync(path)) throw new Error(`keystore: no keystore at ${path} (create one with 'lucid-payout keys init')`)
  try { return JSON.parse(readFileSync(path, 'utf8')) as KeystoreFile } catch { throw new Error(`keystore: ${path} is not JSON`) }
}

export function passphraseFrom (file: string | undefined): string {
  if (file !== undefined) {
    try { return readFileSync(file, 'utf8').replace(/\r?\n$/, '') } catch (e) { throw new Error(`keystore: cannot read the passphrase file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`) }
  }
  const env = process.env.LUCID_PAYOUT_PASSPHRASE
  if (env === undefined || env === '') throw new Error('keystore: no passphrase: set keystore.passphraseFile in the config or LUCID_PAYOUT_PASSPHRASE')
  return env
}
