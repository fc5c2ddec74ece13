/** Where a node home keeps its chain (no chain code imported: a node without a chain never loads the runtime). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const chainPaths = (home: string): { dir: string, genesis: string, db: string } => {
  const dir = join(home, 'chain')
  return { dir, genesis: join(dir, 'genesis.json'), db: join(dir, 'db') }
}

/** Does this node home have a chain genesis (so `lucid start` runs the chain)? */
export const hasChainGenesis = (home: string): boolean => existsSync(chainPaths(home).genesis)
