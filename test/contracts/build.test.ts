import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { compileAll, contractsDir, runtimeDataSize, staleArtifacts } from '../../contracts/build.js'
import { DEPLOYABLE, TEST_ONLY, loadArtifact } from '../../contracts/index.js'

// Opcodes a router must not contain to run on every TVM version (see docs/contracts.md):
// BASEFEE (TVM lacks it), BLOBHASH, BLOBBASEFEE, TLOAD, TSTORE, MCOPY, PUSH0.
const NOT_ON_TVM = new Map([[0x48, 'BASEFEE'], [0x49, 'BLOBHASH'], [0x4a, 'BLOBBASEFEE'], [0x5c, 'TLOAD'], [0x5d, 'TSTORE'], [0x5e, 'MCOPY'], [0x5f, 'PUSH0'], [0xff, 'SELFDESTRUCT']])

/** Opcodes of runtime bytecode, skipping PUSH data, appended data sections and the trailing CBOR metadata. */
function opcodes (name: string, hex: string): number[] {
  const code = Buffer.from(hex.slice(2), 'hex')
  const end = code.length - (code.readUInt16BE(code.length - 2) + 2) - (runtimeDataSize.get(name) ?? 0)
  const ops: number[] = []
  for (let i = 0; i < end; i++) {
    const op = code[i]
    ops.push(op)
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f
  }
  return ops
}

function solhint (...args: string[]): { problems: Array<{ severity: string, ruleId: string, filePath: string, line: number, message: string }>, status: number | null } {
  const run = spawnSync(join(contractsDir, '..', 'node_modules', '.bin', 'solhint'), ['-c', join(contractsDir, '.solhint.json'), '-f', 'json', ...args], { encoding: 'utf8', cwd: join(contractsDir, '..') })
  const start = run.stdout.indexOf('[')
  const problems = JSON.parse(run.stdout.slice(start, run.stdout.lastIndexOf(']') + 1)) as Array<{ severity: string, ruleId: string, filePath: string, line: number, message: string }>
  return { problems, status: run.status }
}

describe('contracts: build, artifacts and lint', function () {
  this.timeout(120_000)

  it('the committed artifacts are what solc compiles from the sources now', function () {
    assert.deepEqual(staleArtifacts(), [], 'run: bash scripts/with-node.sh tsx contracts/build.ts')
  })

  it('there is an artifact for every deployable and test contract, with ABI and bytecode', function () {
    const names = compileAll().map((a) => a.contractName).sort()
    assert.deepEqual(names, [...DEPLOYABLE, ...TEST_ONLY].sort())
    assert.equal(runtimeDataSize.size, names.length)
    for (const name of names) {
      const a = loadArtifact(name as typeof DEPLOYABLE[number])
      assert.ok(a.abi.length > 0 && a.bytecode.length > 100 && a.deployedBytecode.length > 100, name)
      assert.equal(a.compiler.startsWith('0.8.37'), true)
    }
  })

  it('the routers are compiled for paris and use no opcode TVM may lack; no contract can self-destruct', function () {
    compileAll() // fills runtimeDataSize
    for (const name of DEPLOYABLE) {
      const a = loadArtifact(name)
      const used = new Set(opcodes(name, a.deployedBytecode))
      const bad = [...NOT_ON_TVM].filter(([op]) => used.has(op)).map(([, n]) => n)
      if (name.startsWith('PayoutRouter')) {
        assert.equal(a.evmVersion, 'paris')
        assert.deepEqual(bad, [], `${name} uses ${bad.join(', ')}`)
      }
      assert.equal(used.has(0xff), false, `${name} contains SELFDESTRUCT`)
      assert.ok((a.deployedBytecode.length - 2) / 2 <= 24_576, `${name} exceeds EIP-170`)
    }
    // the walker does find PUSH0 where it exists: the cancun-compiled contracts use it
    assert.ok(opcodes('LucidAnchors', loadArtifact('LucidAnchors').deployedBytecode).includes(0x5f))
  })

  it('solhint reports no errors on the sources', function () {
    const { problems } = solhint('contracts/src/**/*.sol')
    const errors = problems.filter((p) => p.severity === 'Error')
    assert.deepEqual(errors.map((e) => `${e.filePath}:${e.line} ${e.ruleId} ${e.message}`), [])
  })

  it('solhint does flag an error in a bad source (the lint test can fail)', function () {
    const dir = mkdtempSync(join(contractsDir, '.lint-tmp-')) // solhint wants paths under its cwd
    try {
      const file = join(dir, 'Bad.sol')
      writeFileSync(file, '// SPDX-License-Identifier: MIT\npragma solidity ^0.4.24;\ncontract Bad { function f() { selfdestruct(msg.sender); } }\n')
      const { problems } = solhint(relative(join(contractsDir, '..'), file))
      assert.ok(problems.some((p) => p.severity === 'Error'), JSON.stringify(problems))
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
})
