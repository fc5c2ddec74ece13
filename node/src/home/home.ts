/**
 * The node home: one directory holding everything a node keeps (config, keystore, admin token; the blockstore,
 * datastore and chain are added by the runtime). `lucid init` creates it; nothing here ever overwrites a key.
 */
import { mkdir, readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { identityFromPublicKey } from './peer-id.js'
import { writeFileAtomic } from './atomic-write.js'
import { IDENTITY_KEY, Keystore } from './keystore.js'
import { defaultConfig, loadConfig, type Config } from './config.js'

export interface HomePaths {
  root: string
  config: string
  keystore: string
  adminToken: string
}

export function resolveHome (flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.LUCID_HOME ?? join(homedir(), '.lucid'))
}

export function homePaths (root: string): HomePaths {
  return { root, config: join(root, 'config.json'), keystore: join(root, 'keystore'), adminToken: join(root, 'admin.token') }
}

async function exists (path: string): Promise<boolean> {
  try { await stat(path); return true } catch { return false }
}

export interface Identity {
  /** 32-byte Ed25519 secret key (seed). */
  secretKey: Uint8Array
  publicKey: Uint8Array
  peerId: string
}

export function identityFromSecret (secretKey: Uint8Array): Identity {
  const publicKey = ed25519.getPublicKey(secretKey)
  return { secretKey, publicKey, peerId: identityFromPublicKey(publicKey) }
}

/** `nodeId`: the identity's Ed25519 public key in hex, its PoOT node id. */
export interface InitResult { home: string, created: string[], kept: string[], peerId: string, nodeId: string }

/** Creates what is missing; reports what already existed and was kept as it was. */
export async function initHome (root: string, passphrase: string): Promise<InitResult> {
  const p = homePaths(root)
  const created: string[] = []
  const kept: string[] = []
  await mkdir(root, { recursive: true, mode: 0o700 })
  if (await exists(p.config)) {
    kept.push('config')
  } else {
    await writeFileAtomic(p.config, JSON.stringify(defaultConfig(), null, 2) + '\n', 0o600)
    created.push('config')
  }
  let keystore: Keystore
  if (await Keystore.exists(p.keystore)) {
    keystore = await Keystore.open(p.keystore, passphrase)
    kept.push('keystore')
  } else {
    await mkdir(p.keystore, { recursive: true, mode: 0o700 })
    keystore = await Keystore.create(p.keystore, passphrase)
    created.push('keystore')
  }
  if (await keystore.has(IDENTITY_KEY)) {
    kept.push('identity')
  } else {
    await keystore.put(IDENTITY_KEY, ed25519.utils.randomSecretKey())
    created.push('identity')
  }
  if (await exists(p.adminToken)) {
    kept.push('admin token')
  } else {
    await writeFileAtomic(p.adminToken, randomBytes(32).toString('base64url') + '\n', 0o600)
    created.push('admin token')
  }
  const identity = identityFromSecret(await keystore.get(IDENTITY_KEY))
  return { home: root, created, kept, peerId: identity.peerId, nodeId: Buffer.from(identity.publicKey).toString('hex') }
}

export interface OpenHome {
  paths: HomePaths
  config: Config
  keystore: Keystore
  identity: Identity
}

export async function openHome (root: string, passphrase: string): Promise<OpenHome> {
  const paths = homePaths(root)
  if (!(await exists(paths.config))) throw new Error(`no node home at ${root}; run 'lucid init --home ${root}' first`)
  const config = await loadConfig(paths.config)
  const keystore = await Keystore.open(paths.keystore, passphrase)
  const identity = identityFromSecret(await keystore.get(IDENTITY_KEY))
  return { paths, config, keystore, identity }
}

export async function readAdminToken (root: string): Promise<string> {
  return (await readFile(homePaths(root).adminToken, 'utf8')).trim()
}
