import { Command } from 'commander'
import { resolve } from 'node:path'
import { verifySealedDir } from '../../seal/open-session.js'
import { identityFromPublicKey } from '../../home/peer-id.js'
import { UsageError } from '../usage-error.js'

export function verifyCommand (): Command {
  return new Command('verify')
    .description('check a sealed session without any key: manifest signature, every chunk against its CID, the Merkle root')
    .argument('<dir>', 'sealed session directory')
    .option('--recorder <peer-id>', 'also require that this node (peer ID) signed the manifest')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit status: 0 when everything holds, 1 when any check fails.')
    .action(async (dir: string, opts: { json?: boolean, recorder?: string }) => {
      const { manifest, report } = await verifySealedDir(resolve(dir))
      const signer = identityFromPublicKey(manifest.recorder)
      if (opts.recorder !== undefined && opts.recorder !== signer) {
        report.ok = false
        report.errors.unshift(`manifest is signed by ${signer}, not by --recorder ${opts.recorder}`)
      }
      if (opts.json === true) {
        process.stdout.write(JSON.stringify({ ...report, recorder: signer, chunkCount: manifest.chunkCount, plaintextSize: manifest.plaintextSize }) + '\n')
      } else {
        process.stdout.write(`session ${report.sessionId}: manifest signed by ${signer}\n`)
        for (const c of report.chunks) process.stdout.write(`  chunk ${String(c.index).padStart(6)}  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.cid}${c.ok ? '' : '  ' + (c.error ?? '')}\n`)
        process.stdout.write(`  Merkle root ${report.merkleRoot}: ${report.merkleOk ? 'ok' : 'NOT VERIFIED'}\n`)
        process.stdout.write(report.ok ? 'verified: every check holds\n' : `FAILED: ${report.errors.join('; ')}\n`)
      }
      if (!report.ok) throw new UsageError('', 1)
    })
}
