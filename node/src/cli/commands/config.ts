import { Command } from 'commander'
import { join } from 'node:path'
import { resolveHome } from '../../home/home.js'
import { loadEffectiveConfig } from '../../runtime/settings.js'

const collect = (value: string, prev: string[] = []): string[] => [...prev, value]

export function configCommand (): Command {
  const cmd = new Command('config').description('inspect the node configuration')
  cmd.addCommand(new Command('show')
    .description('print the effective config (config.json < environment < flags) as JSON; it holds no secrets')
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--listen <multiaddr>', 'as for lucid start', collect)
    .option('--bootstrap <multiaddr>', 'as for lucid start', collect)
    .option('--mdns', 'as for lucid start')
    .option('--api <host:port>', 'as for lucid start')
    .option('--log-level <level>', 'as for lucid start')
    .action(async (opts: { home?: string, listen?: string[], bootstrap?: string[], mdns?: boolean, api?: string, logLevel?: string }) => {
      const home = resolveHome(opts.home)
      const config = await loadEffectiveConfig(join(home, 'config.json'), process.env, opts)
      process.stdout.write(JSON.stringify(config, null, 2) + '\n')
    }))
  return cmd
}
