/**
 * A chain under a node home: `<home>/chain/genesis.json` (the genesis file) and `<home>/chain/db` (LevelDB).
 * A dev chain writes its genesis on first start (genesis time = that start) and reuses it afterwards.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { writeFileAtomic } from '../home/atomic-write.js'
import { chainPaths } from './paths.js'
import { Chain, type ChainWarnings } from './chain.js'
import { buildGenesis } from './genesis.js'
import { checkGenesisSpec, type GenesisSpec } from './genesis-spec.js'
import { devGenesisSpec } from './dev.js'

export { chainPaths }

export async function readGenesisFile (path: string): Promise<GenesisSpec> {
  let raw: unknown
  try { raw = JSON.parse(await readFile(path, 'utf8')) } catch (e) { throw new Error(`${path}: ${(e as Error).message}`) }
  return checkGenesisSpec(raw)
}

export async function writeGenesisFile (path: string, spec: GenesisSpec): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(spec, null, 2) + '\n')
}

export interface OpenOptions { home: string, dev?: { slotMs: number, nowMs: number }, maxBuildMs?: number, log?: ChainWarnings }

export async function openChainAtHome (o: OpenOptions): Promise<Chain> {
  const p = chainPaths(o.home)
  await mkdir(p.dir, { recursive: true, mode: 0o700 })
  if (!existsSync(p.genesis)) {
    if (o.dev === undefined) throw new Error(`${p.genesis} does not exist: create it with 'lucid genesis create' or use --dev`)
    const { slotMs, nowMs } = o.dev
    await writeGenesisFile(p.genesis, checkGenesisSpec(devGenesisSpec({ slotMs, genesisMs: nowMs - (nowMs % 1000) })))
  }
  const spec = await readGenesisFile(p.genesis)
  return await Chain.open({ dir: p.db, genesis: await buildGenesis(spec), maxBuildMs: o.maxBuildMs, log: o.log })
}
