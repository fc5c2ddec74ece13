import { Command } from 'commander'
import { resolveHome } from '../../home/home.js'
import { readPassphrase } from '../passphrase.js'
import { runNode, stopOnSignals } from '../../runtime/run.js'
import { withNodeFlags, type NodeFlags } from '../node-flags.js'
import { starterFromEnv, watchParent } from '../../runtime/parent-watch.js'

export function startCommand (): Command {
  return withNodeFlags(new Command('start')
    .description('run this node as a peer of the swarm, with its operator API (stops cleanly on SIGTERM/SIGINT)'))
    .addHelpText('after', '\nPrecedence: config.json < environment (LUCID_LISTEN, LUCID_BOOTSTRAP, LUCID_MDNS, LUCID_MAX_PEERS, LUCID_API,\nLUCID_LOG_LEVEL, LUCID_REPLICATION, LUCID_HEARTBEAT_MS, LUCID_REPAIR_GRACE_MS, …) < flags. See docs/swarm.md.\nThe keystore passphrase comes from LUCID_PASSPHRASE or is asked on the terminal.')
    .action(async (opts: NodeFlags) => {
      const homeDir = resolveHome(opts.home)
      const starter = starterFromEnv(process.env)
      const passphrase = await readPassphrase()
      const running = await runNode({ homeDir, passphrase, flags: { listen: opts.listen, bootstrap: opts.bootstrap, mdns: opts.mdns, api: opts.api, logLevel: opts.logLevel, rpc: opts.rpc } })
      if (starter !== null) {
        watchParent(starter, () => {
          running.logger.warn({ starter }, 'the process that started this node is gone: stopping')
          process.kill(process.pid, 'SIGTERM')
        })
      }
      await new Promise<void>((resolve) => {
        stopOnSignals(running.stop, (code) => {
          process.exitCode = code
          if (code === 130) process.exit(130)
          resolve()
        })
      })
    })
}
