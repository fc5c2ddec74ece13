import { Command } from 'commander'
import { resolve } from 'node:path'
import { stat } from 'node:fs/promises'
import { decodeSignedManifest } from '../../../../protocols/session/manifest.js'
import { openHome, resolveHome } from '../../home/home.js'
import { sessionKeyName } from '../../home/keystore.js'
import { readManifestBytes } from '../../seal/sealed-dir.js'
import { unsealToFile, unsealToStream } from '../../seal/open-session.js'
import { WorkerPool } from '../../seal/worker-pool.js'
import { readPassphrase } from '../passphrase.js'
import { readKeyFile } from '../key-file.js'
import { createProgress } from '../progress.js'
import { UsageError } from '../usage-error.js'

interface UnsealFlags { out: string, key?: string, home?: string, force?: boolean }

export function unsealCommand (): Command {
  return new Command('unseal')
    .description('verify a sealed session, decrypt and decompress it, and write the original bytes')
    .argument('<dir>', 'sealed session directory')
    .requiredOption('--out <file>', 'where to write the recording, or - for standard output')
    .option('--key <file>', 'session key file (from seal --export-key); default: this node\'s keystore')
    .option('--home <dir>', 'node home, for the keystore (default: $LUCID_HOME, else ~/.lucid)')
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', '\nOn any failure nothing is left at --out: the output is written to a temporary file and renamed at the end.')
    .action(async (dirArg: string, opts: UnsealFlags) => {
      const dir = resolve(dirArg)
      const { manifest } = decodeSignedManifest(await readManifestBytes(dir))
      if (opts.out !== '-' && opts.force !== true) {
        const exists = await stat(opts.out).then(() => true, () => false)
        if (exists) throw new UsageError(`--out ${opts.out} exists; pass --force to replace it`, 1)
      }
      const sessionKey = opts.key !== undefined
        ? await readKeyFile(opts.key, manifest.sessionId)
        : await (await openHome(resolveHome(opts.home), await readPassphrase())).keystore.get(sessionKeyName(manifest.sessionId))
      const pool = new WorkerPool()
      const progress = createProgress('unsealing', manifest.plaintextSize, process.stderr.isTTY === true && opts.out !== '-')
      try {
        const common = { pool, sessionKey, onProgress: (n: number) => progress.update(n) }
        if (opts.out === '-') await unsealToStream(dir, process.stdout, common)
        else await unsealToFile(dir, resolve(opts.out), common)
      } finally {
        await pool.close()
      }
      progress.finish()
      if (opts.out !== '-') process.stderr.write(`unsealed session ${manifest.sessionId}: ${manifest.plaintextSize} bytes → ${opts.out}\n`)
    })
}
