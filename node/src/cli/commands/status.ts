/**
 * `lucid status` and `lucid peers`: what a running node reports through its operator API (GET /api/v1/status and
 * /api/v1/peers), for an operator at the terminal; `--json` prints the API's answer as it is.
 */
import { Command } from 'commander'
import { apiFetch, resolveApi } from '../api-client.js'
import type { NodeStatus, PeerView } from '../../runtime/node.js'

const target = (c: Command): Command => c
  .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
  .option('--api <url>', 'node API URL (default: the running node of --home)')
  .option('--json', 'print the API\'s answer as JSON')

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`

function duration (s: number): string {
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`
}

/** The status as lines for a terminal. */
export function formatStatus (s: NodeStatus): string {
  const lines = [
    `node        ${s.peerId} (up ${duration(s.uptimeSeconds)})`,
    `listening   ${s.addrs.join(', ') || 'nowhere'}`,
    `peers       ${s.peers} connected, ${s.members} swarm members`,
    `sessions    ${s.sessionsHeld} held of ${s.sessionsKnown} known, ${mib(s.storedBytes)} stored`,
    `replication R = ${s.replication}, deficit ${s.replicationDeficit}${s.fetching.length > 0 ? `, fetching ${s.fetching.length}` : ''}`
  ]
  const c = s.chain
  if (c === null) lines.push('chain       not run by this node')
  else {
    const sync = c.syncing === null ? '' : `, catching up: block ${c.syncing.at} of ${c.syncing.target}`
    lines.push(`chain       id ${c.chainId}, head ${c.head} (slot ${c.headSlot}), finalized ${c.finalized}${sync}; JSON-RPC ${c.rpc}`)
    const a = c.anchors
    if (c.account === null || a === null) lines.push('anchoring   off (no chain account in the keystore)')
    else lines.push(`anchoring   as ${c.account}: ${a.pending} not final yet${a.unsent > 0 ? ` (${a.unsent} refused by the node, sent again every 5 s)` : ''}${a.givenUp > 0 ? `, ${a.givenUp} given up after two losses (their registration still looked for)` : ''}`)
  }
  return lines.join('\n') + '\n'
}

/** The peers as one line each: connected or not, swarm member, gossip score, sessions held, last heartbeat. */
export function formatPeers (peers: PeerView[], now: number): string {
  if (peers.length === 0) return 'no peers known\n'
  return peers.map((p) => {
    const seen = p.lastHeartbeat === undefined ? 'no heartbeat' : `heartbeat ${Math.max(0, Math.round((now - p.lastHeartbeat) / 1000))}s ago`
    return `${p.peerId}  ${p.connected ? 'connected' : 'not connected'}${p.member ? ', member' : ''}, score ${p.score.toFixed(2)}, holds ${p.held}, ${seen}${p.addrs.length > 0 ? `  ${p.addrs[0]}` : ''}`
  }).join('\n') + '\n'
}

export function statusCommand (): Command {
  return target(new Command('status').description('what the running node reports: peers, sessions held, replication, chain head and finality'))
    .action(async (opts: { home?: string, api?: string, json?: boolean }) => {
      const s = await (await apiFetch(await resolveApi(opts), '/api/v1/status')).json() as NodeStatus
      process.stdout.write(opts.json === true ? JSON.stringify(s) + '\n' : formatStatus(s))
    })
}

export function peersCommand (): Command {
  return target(new Command('peers').description('the peers the running node knows: connected, swarm members, gossip scores, sessions they hold'))
    .action(async (opts: { home?: string, api?: string, json?: boolean }) => {
      const { peers } = await (await apiFetch(await resolveApi(opts), '/api/v1/peers')).json() as { peers: PeerView[] }
      process.stdout.write(opts.json === true ? JSON.stringify({ peers }) + '\n' : formatPeers(peers, Date.now()))
    })
}
