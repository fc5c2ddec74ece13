// Typed access to the committed build artifacts (contracts/build/*.json), with no compiler at runtime.
//   import { loadArtifact } from '<root>/contracts/index.js'
//   const { abi, bytecode } = loadArtifact('LucidAnchors')
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Artifact } from './artifact.js'

export type { Artifact } from './artifact.js'

/** The production contracts: the Lucid chain's (in every genesis; `lucid contracts deploy` deploys all but PayoutBatches) and the payout routers. */
export const DEPLOYABLE = ['LucidAnchors', 'ParamRegistry', 'NodeEligibility', 'LucidTimelock', 'LucidGovernor', 'PayoutBatches', 'PayoutRouterV0', 'PayoutRouterKYC'] as const
/** Tokens for tests and devnets only. */
export const TEST_ONLY = ['MockStablecoin', 'FalseReturnToken'] as const
export type ContractName = typeof DEPLOYABLE[number] | typeof TEST_ONLY[number]

export const artifactsDir = join(fileURLToPath(new URL('.', import.meta.url)), 'build')

const cache = new Map<ContractName, Artifact>()
export function loadArtifact (name: ContractName): Artifact {
  let a = cache.get(name)
  if (a === undefined) {
    a = JSON.parse(readFileSync(join(artifactsDir, `${name}.json`), 'utf8')) as Artifact
    cache.set(name, a)
  }
  return a
}
