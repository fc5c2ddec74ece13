import { Command } from 'commander'
import { resolveHome } from '../../home/home.js'
import { readPassphrase } from '../passphrase.js'
import { runNode, stopOnSignals } from '../../runtime/run.js'

const collect = (value: string, prev: string[] = []): string[] => [...prev, value]

export function startCommand (): Command {
  return new Command('start')
    .description('run this node as a peer of the swarm, with its operator API (stops cleanly on SIGTERM/SIGINT)')
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--listen <multiaddr>', 'listen address (repeatable; default from config: TCP 4701 and WebSockets 4702)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer, /…/p2p/<peer ID> (repeatable)', collect)
    .option('--mdns', 'discover peers on the local network with mDNS')
    .option('--api <host:port>', 'operator API address (default 127.0.0.1:4780)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .addHelpText('after', '\nPrecedence: config.json < environment (LUCID_LISTEN, LUCID_BOOTSTRAP, LUCID_MDNS, LUCID_MAX_PEERS, LUCID_API,\nLUCID_LOG_LEVEL, LUCID_REPLICATION, LUCID_HEARTBEAT_MS, LUCID_REPAIR_GRACE_MS, …) < flags. See docs/swarm.md.\nThe keystore passphrase comes from LUCID_PASSPHRASE or is asked on the terminal.')
    .action(async (opts: { home?: string, listen?: string[], bootstrap?: string[], mdns?: boolean, api?: string, logLevel?: string }) => {
      const homeDir = resolveHome(opts.home)
      const passphrase = await readPassphrase()
      const running = await runNode({ homeDir, passphrase, flags: { listen: opts.listen, bootstrap: opts.bootstrap, mdns: opts.mdns, api: opts.api, logLevel: opts.logLevel } })
      await new Promise<void>((resolve) => {
        stopOnSignals(running.stop, (code) => {
          process.exitCode = code
          if (code === 130) process.exit(130)
          resolve()
        })
      })
    })
}
