import type { Command } from 'commander'

const collect = (value: string, prev: string[] = []): string[] => [...prev, value]

/** The flags that shape a node's effective config: `lucid start` takes them, and `lucid config show` mirrors them. */
export interface NodeFlags { home?: string, listen?: string[], bootstrap?: string[], mdns?: boolean, api?: string, logLevel?: string, rpc?: string }

export function withNodeFlags (cmd: Command): Command {
  return cmd
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--listen <multiaddr>', 'listen address (repeatable; default from config: TCP 4701 and WebSockets 4702)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer, /…/p2p/<peer ID> (repeatable)', collect)
    .option('--mdns', 'discover peers on the local network with mDNS')
    .option('--api <host:port>', 'operator API address (default 127.0.0.1:4780)')
    .option('--rpc <host:port>', 'chain JSON-RPC address, when the home has a chain genesis (default 127.0.0.1:8545)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
}
