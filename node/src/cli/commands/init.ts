import { Command } from 'commander'
import { initHome, resolveHome } from '../../home/home.js'
import { readPassphrase } from '../passphrase.js'

export function initCommand (): Command {
  return new Command('init')
    .description('create a node home: config file, Ed25519 node identity, encrypted keystore and admin token (never overwrites keys)')
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nThe keystore passphrase comes from LUCID_PASSPHRASE or is asked on the terminal; it is never a flag.')
    .action(async (opts: { home?: string, json?: boolean }) => {
      const home = resolveHome(opts.home)
      const result = await initHome(home, await readPassphrase({ confirm: true }))
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(result) + '\n')
        return
      }
      process.stdout.write(`node home ${result.home}\n  peer ID  ${result.peerId}\n`)
      if (result.created.length > 0) process.stdout.write(`  created  ${result.created.join(', ')}\n`)
      if (result.kept.length > 0) process.stdout.write(`  kept     ${result.kept.join(', ')} (already present, not overwritten)\n`)
    })
}
