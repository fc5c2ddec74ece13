import { Command } from 'commander'
import { resolve } from 'node:path'
import { openHome, resolveHome } from '../../home/home.js'
import { openRecording } from '../../seal/input.js'
import { sealSession } from '../../seal/seal-session.js'
import { readPassphrase } from '../passphrase.js'
import { parseChunkSizeFlag, parseSessionIdFlag } from '../parse.js'
import { createProgress } from '../progress.js'
import { writeKeyFile } from '../key-file.js'
import { peakRssMB } from '../peak-rss.js'

interface SealFlags { out: string, chunkSize?: number, sessionId?: string, exportKey?: string, json?: boolean, home?: string, owner?: string, participant: string[] }

export function sealCommand (): Command {
  return new Command('seal')
    .description('seal a recording into encrypted, verifiable chunks and a signed manifest')
    .argument('<input>', 'recording file, or - for standard input')
    .requiredOption('--out <dir>', 'new (or empty) directory for the manifest and chunk blobs')
    .option('--chunk-size <size>', 'plaintext chunk size, 64KiB to 16MiB (default: the config, 8MiB)', parseChunkSizeFlag)
    .option('--session-id <uuid>', 'use this UUIDv4 (single use) instead of a fresh one', parseSessionIdFlag)
    .option('--export-key <file>', 'also write the session key to this new file (mode 0600)')
    .option('--owner <name>', 'owner recorded in the manifest (default: the config, else the node\'s peer ID)')
    .option('--participant <name>', 'a participant of the session (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--home <dir>', 'node home (default: $LUCID_HOME, else ~/.lucid)')
    .option('--json', 'print the summary as JSON')
    .action(async (input: string, opts: SealFlags) => {
      const recording = await openRecording(input)
      const home = await openHome(resolveHome(opts.home), await readPassphrase())
      const progress = createProgress('sealing', recording.size, process.stderr.isTTY === true && opts.json !== true)
      const summary = await sealSession(home, {
        input: recording.source,
        outDir: resolve(opts.out),
        chunkSize: opts.chunkSize,
        sessionId: opts.sessionId,
        owner: opts.owner,
        participants: opts.participant,
        onProgress: (p) => progress.update(p.bytesIn),
        onKey: opts.exportKey === undefined ? undefined : async (id, key) => { await writeKeyFile(opts.exportKey as string, id, key) }
      }).finally(recording.close)
      progress.finish()
      if (opts.json === true) {
        // Peak memory of this process (worker threads included), for operators sizing small machines.
        process.stdout.write(JSON.stringify({ ...summary, peakRssMB: peakRssMB() }) + '\n')
        return
      }
      const mb = summary.plaintextSize / 1e6
      process.stdout.write([
        `sealed ${recording.name} → ${summary.out}`,
        `  session ID   ${summary.sessionId}`,
        `  Merkle root  ${summary.merkleRoot}`,
        `  manifest     ${summary.manifestCid}`,
        `  chunks       ${summary.chunkCount} × ${summary.chunkSize} bytes`,
        `  size         ${summary.plaintextSize} bytes in, ${summary.storedBytes} bytes stored`,
        `  time         ${summary.seconds.toFixed(2)} s (${(mb / summary.seconds).toFixed(0)} MB/s)`,
        ''
      ].join('\n'))
    })
}
