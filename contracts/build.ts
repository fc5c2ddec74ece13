// Compiles contracts/src with the npm `solc` (standard JSON, optimizer on, fixed EVM versions) and writes one
// deterministic artifact per deployable contract to contracts/build/<Name>.json. The artifacts are committed so
// that the node can put contracts into a genesis block without compiling at runtime.
// Usage: tsx contracts/build.ts            (writes contracts/build/)
//        tsx contracts/build.ts --check    (exit 1 when the committed artifacts are stale)
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Artifact } from './artifact.js'

const require = createRequire(import.meta.url)
export const contractsDir = dirname(fileURLToPath(import.meta.url))
export const buildDir = join(contractsDir, 'build')
const srcDir = join(contractsDir, 'src')
const ozDir = dirname(require.resolve('@openzeppelin/contracts/package.json'))

export const OPTIMIZER_RUNS = 200
/**
 * The routers (and the test tokens they pay in) must run on TRON's TVM: "paris" has no PUSH0, MCOPY or
 * transient storage. Everything else runs on the Lucid chain (ethereumjs, cancun or later).
 */
export const EVM_FOR_GROUP = { tvm: 'paris', lucid: 'cancun' } as const
type Group = keyof typeof EVM_FOR_GROUP

function groupOf (sourceName: string): Group {
  return sourceName.startsWith('src/payout/') || sourceName.startsWith('src/test/') ? 'tvm' : 'lucid'
}

function * solFiles (dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield * solFiles(path)
    else if (name.endsWith('.sol')) yield path
  }
}

interface SolcOutput {
  errors?: Array<{ severity: string, formattedMessage: string }>
  contracts: Record<string, Record<string, { abi: unknown[], storageLayout?: { storage: Array<{ label: string, slot: string, offset: number, type: string }> }, evm: { bytecode: { object: string }, deployedBytecode: { object: string }, legacyAssembly: LegacyAssembly | null } }>>
}
interface LegacyAssembly { '.data'?: Record<string, LegacyAssembly | string> }

/**
 * Bytes of raw data (not instructions) that solc appends to each contract's runtime code before the CBOR
 * metadata, e.g. 32-byte constants. An opcode scan must stop before them. Filled by compileAll().
 */
export const runtimeDataSize = new Map<string, number>()

function dataBytes (runtime: LegacyAssembly | string | undefined): number {
  if (runtime === undefined || typeof runtime === 'string') return 0
  return Object.values(runtime['.data'] ?? {}).reduce<number>((n, d) => n + (typeof d === 'string' ? d.length / 2 : 0), 0)
}

function compileGroup (solc: { compile: (input: string, cb: object) => string, version: () => string }, group: Group, sources: string[]): Artifact[] {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(sources.map((name) => [name, { content: readFileSync(join(contractsDir, name), 'utf8') }])),
    settings: {
      evmVersion: EVM_FOR_GROUP[group],
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      outputSelection: { '*': { '*': ['abi', 'storageLayout', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.legacyAssembly'] } }
    }
  }
  const findImports = (path: string): { contents: string } | { error: string } => {
    const prefix = '@openzeppelin/contracts/'
    if (!path.startsWith(prefix)) return { error: `unknown import ${path}` }
    try { return { contents: readFileSync(join(ozDir, path.slice(prefix.length)), 'utf8') } } catch (e) { return { error: String(e) } }
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error('solc failed:\n' + errors.map((e) => e.formattedMessage).join('\n'))
  const artifacts: Artifact[] = []
  for (const sourceName of sources) {
    for (const [contractName, c] of Object.entries(out.contracts[sourceName] ?? {})) {
      if (c.evm.bytecode.object === '') continue // abstract contracts and interfaces
      runtimeDataSize.set(contractName, dataBytes(c.evm.legacyAssembly?.['.data']?.['0']))
      artifacts.push({
        contractName,
        sourceName,
        compiler: solc.version(),
        evmVersion: EVM_FOR_GROUP[group],
        optimizerRuns: OPTIMIZER_RUNS,
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
        storage: (c.storageLayout?.storage ?? []).map((v) => ({ label: v.label, slot: v.slot, offset: v.offset }))
      })
    }
  }
  return artifacts
}

let cached: Artifact[] | undefined
/** Compiles every source (a few seconds with solc-js); cached per process. */
export function compileAll (): Artifact[] {
  if (cached !== undefined) return cached
  const solc = require('solc') as { compile: (input: string, cb: object) => string, version: () => string }
  const sources = [...solFiles(srcDir)].map((p) => relative(contractsDir, p).split(sep).join('/'))
  const result: Artifact[] = []
  for (const group of Object.keys(EVM_FOR_GROUP) as Group[]) {
    const mine = sources.filter((s) => groupOf(s) === group)
    if (mine.length > 0) result.push(...compileGroup(solc, group, mine))
  }
  cached = result.sort((a, b) => a.contractName.localeCompare(b.contractName))
  return cached
}

export function serialize (a: Artifact): string {
  return JSON.stringify(a, null, 2) + '\n'
}

/** Names of the artifacts whose committed file differs from a fresh compile (or is missing). */
export function staleArtifacts (): string[] {
  return compileAll().filter((a) => {
    try { return readFileSync(join(buildDir, `${a.contractName}.json`), 'utf8') !== serialize(a) } catch { return true }
  }).map((a) => a.contractName)
}

export function writeArtifacts (): string[] {
  mkdirSync(buildDir, { recursive: true })
  const names: string[] = []
  for (const a of compileAll()) {
    writeFileSync(join(buildDir, `${a.contractName}.json`), serialize(a))
    names.push(a.contractName)
  }
  return names
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleArtifacts()
    if (stale.length > 0) {
      console.error(`stale artifacts: ${stale.join(', ')} (run: tsx contracts/build.ts)`)
      process.exit(1)
    }
  } else {
    for (const name of writeArtifacts()) {
      const a = compileAll().find((x) => x.contractName === name)
      console.log(`${name}: ${(a!.deployedBytecode.length - 2) / 2} bytes runtime (${a!.evmVersion})`)
    }
  }
}
