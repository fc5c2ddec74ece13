/**
 * The encrypted keystore: a directory with `keystore.json` (scrypt parameters, salt, and a check value that tells a
 * wrong passphrase from a damaged entry) and one `<name>.key` file per secret, each sealed with XChaCha20-Poly1305
 * under the scrypt-derived master key, the entry's name as associated data. Secrets never leave it in plaintext.
 */
import { scrypt as scryptCb, randomBytes } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { xchachaOpen, xchachaSeal } from '../../../protocols/session/xchacha20poly1305.js'
import { utf8 } from '../../../protocols/session/bytes.js'
import { writeFileAtomic } from './atomic-write.js'

const scrypt = promisify(scryptCb) as (password: string, salt: Uint8Array, keylen: number, options: { N: number, r: number, p: number, maxmem: number }) => Promise<Buffer>
const META = 'keystore.json'
const CHECK = utf8('lucid keystore v1')
/** scrypt N = 2^16, r = 8: 64 MiB and about 0.2 s here, about 1 s on a Raspberry Pi 5. */
export const DEFAULT_SCRYPT = { N: 1 << 16, r: 8, p: 1 }
const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/

interface Meta { version: 1, kdf: 'scrypt', N: number, r: number, p: number, salt: string, check: string }
interface Entry { version: 1, nonce: string, sealed: string }

export class KeystoreError extends Error {
  constructor (message: string) { super(message); this.name = 'KeystoreError' }
}

async function deriveKey (passphrase: string, meta: Meta): Promise<Uint8Array> {
  const key = await scrypt(passphrase, Buffer.from(meta.salt, 'base64'), 32, { N: meta.N, r: meta.r, p: meta.p, maxmem: 256 * meta.N * meta.r + (1 << 20) })
  return new Uint8Array(key)
}

function seal (key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): { nonce: string, sealed: string } {
  const nonce = randomBytes(24)
  return { nonce: nonce.toString('base64'), sealed: Buffer.from(xchachaSeal(key, nonce, plaintext, aad)).toString('base64') }
}

export class Keystore {
  private constructor (readonly dir: string, private readonly key: Uint8Array) {}

  static async exists (dir: string): Promise<boolean> {
    try { await readFile(join(dir, META)); return true } catch { return false }
  }

  static async create (dir: string, passphrase: string, params = DEFAULT_SCRYPT): Promise<Keystore> {
    if (passphrase.length < 8) throw new KeystoreError('the passphrase must be at least 8 characters')
    if (await Keystore.exists(dir)) throw new KeystoreError(`a keystore already exists at ${dir}; it is never overwritten`)
    const partial: Omit<Meta, 'check'> = { version: 1, kdf: 'scrypt', ...params, salt: randomBytes(16).toString('base64') }
    const key = await deriveKey(passphrase, { ...partial, check: '' })
    const check = seal(key, CHECK, utf8('check'))
    const meta: Meta = { ...partial, check: `${check.nonce}.${check.sealed}` }
    await writeFileAtomic(join(dir, META), JSON.stringify(meta, null, 2) + '\n', 0o600)
    return new Keystore(dir, key)
  }

  static async open (dir: string, passphrase: string): Promise<Keystore> {
    let meta: Meta
    try {
      meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as Meta
    } catch (err) {
      throw new KeystoreError(`no readable keystore at ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run 'lucid init' first`)
    }
    if (meta.version !== 1 || meta.kdf !== 'scrypt' || ![meta.N, meta.r, meta.p].every(Number.isSafeInteger) || meta.N > 1 << 22 || typeof meta.check !== 'string') {
      throw new KeystoreError(`${join(dir, META)} is not a version-1 scrypt keystore`)
    }
    const key = await deriveKey(passphrase, meta)
    const [nonce, sealed] = meta.check.split('.')
    const opened = xchachaOpen(key, Buffer.from(nonce ?? '', 'base64'), Buffer.from(sealed ?? '', 'base64'), utf8('check'))
    if (opened === undefined) throw new KeystoreError(`wrong passphrase for the keystore at ${dir}`)
    return new Keystore(dir, key)
  }

  private path (name: string): string {
    if (!NAME.test(name)) throw new KeystoreError(`invalid key name '${name}'`)
    return join(this.dir, `${name}.key`)
  }

  async put (name: string, secret: Uint8Array): Promise<void> {
    const entry: Entry = { version: 1, ...seal(this.key, secret, utf8(name)) }
    await writeFileAtomic(this.path(name), JSON.stringify(entry) + '\n', 0o600)
  }

  async has (name: string): Promise<boolean> {
    try { await readFile(this.path(name)); return true } catch { return false }
  }

  async get (name: string): Promise<Uint8Array> {
    let entry: Entry
    try {
      entry = JSON.parse(await readFile(this.path(name), 'utf8')) as Entry
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new KeystoreError(code === 'ENOENT' ? `the keystore has no key '${name}'` : `key '${name}' is unreadable (${code ?? (err as Error).message})`)
    }
    const opened = xchachaOpen(this.key, Buffer.from(String(entry.nonce), 'base64'), Buffer.from(String(entry.sealed), 'base64'), utf8(name))
    if (opened === undefined) throw new KeystoreError(`key '${name}' is damaged or was not written by this keystore`)
    return opened
  }

  async list (): Promise<string[]> {
    return (await readdir(this.dir)).filter((f) => f.endsWith('.key')).map((f) => f.slice(0, -4)).sort()
  }
}

export function sessionKeyName (sessionId: string): string {
  return `session-${sessionId}`
}
export const IDENTITY_KEY = 'identity'
