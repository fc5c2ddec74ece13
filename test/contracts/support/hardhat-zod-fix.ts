// Works around an install quirk: @nomicfoundation/hardhat-zod-utils declares zod ^3 as a peer dependency, but the
// project's zod 4 is hoisted to node_modules/zod, so hardhat's config validation mixes zod 3 and zod 4 schemas and
// throws "keyValidator._parse is not a function". This module-resolution hook points that one package at hardhat's
// own nested zod 3. It does nothing when hardhat has no nested zod (i.e. once the install is fixed).
import { existsSync } from 'node:fs'
import { register } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

let done = false
export function applyHardhatZodFix (): void {
  if (done) return
  done = true
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'node_modules', 'hardhat', 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  const zod3 = join(dir, 'node_modules', 'hardhat', 'node_modules', 'zod', 'index.js')
  if (!existsSync(zod3)) return
  const hook = `
const target = ${JSON.stringify(pathToFileURL(zod3).href)}
export async function resolve (spec, ctx, next) {
  if (spec === 'zod' && ctx.parentURL !== undefined && ctx.parentURL.includes('/@nomicfoundation/hardhat-zod-utils/')) return next(target, ctx)
  return next(spec, ctx)
}`
  register('data:text/javascript,' + encodeURIComponent(hook))
}
