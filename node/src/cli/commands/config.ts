import { Command } from 'commander'
import { withNodeFlags, type NodeFlags } from '../node-flags.js'
import { join } from 'node:path'
import { resolveHome } from '../../home/home.js'
import { loadEffectiveConfig } from '../../runtime/settings.js'

export function configCommand (): Command {
  const cmd = new Command('config').description('inspect the node configuration')
  cmd.addCommand(withNodeFlags(new Command('show')
    .description('print the effective config (config.json < environment < flags) as JSON; it holds no secrets'))
    .action(async (opts: NodeFlags) => {
      const home = resolveHome(opts.home)
      const config = await loadEffectiveConfig(join(home, 'config.json'), process.env, opts)
      process.stdout.write(JSON.stringify(config, null, 2) + '\n')
    }))
  return cmd
}
