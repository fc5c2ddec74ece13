/** `lucid status` and `lucid peers` as lines for the terminal: what each part of the node's report becomes. */
import { strict as assert } from 'node:assert'
import { formatPeers, formatStatus } from '../../../node/src/cli/commands/status.js'

const base = {
  peerId: '12D3KooWabc',
  addrs: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc'],
  uptimeSeconds: 3 * 3600 + 125,
  peers: 4,
  members: 5,
  sessionsKnown: 12,
  sessionsHeld: 7,
  storedBytes: 3 * 1024 * 1024 + 512 * 1024,
  replication: 3,
  replicationDeficit: 1,
  sessionsRetained: 0,
  fetching: ['s1'],
  chain: null
}
const chain = { chainId: 4141, head: 120, headSlot: 130, finalized: 117, syncing: null, rpc: 'http://127.0.0.1:8545', account: '0x' + 'ab'.repeat(20), anchors: { pending: 2, unsent: 0, givenUp: 0 } }

describe('cli: lucid status and peers, formatted', () => {
  it('the swarm side: uptime, peers, sessions, bytes, replication; no chain', () => {
    assert.equal(formatStatus(base), [
      'node        12D3KooWabc (up 3h 2m)',
      'listening   /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWabc',
      'peers       4 connected, 5 swarm members',
      'sessions    7 held of 12 known, 3.5 MiB stored',
      'replication R = 3, deficit 1, fetching 1',
      'chain       not run by this node'
    ].join('\n') + '\n')
  })

  it('the chain: head, finality, a catch-up under way, the anchors refused or given up', () => {
    const lines = (s: object): string[] => formatStatus({ ...base, chain: { ...chain, ...s } }).trim().split('\n').slice(-2)
    assert.deepEqual(lines({}), [
      'chain       id 4141, head 120 (slot 130), finalized 117; JSON-RPC http://127.0.0.1:8545',
      `anchoring   as ${chain.account}: 2 not final yet`
    ])
    assert.equal(lines({ syncing: { from: 3, at: 70, target: 300 } })[0], 'chain       id 4141, head 120 (slot 130), finalized 117, catching up: block 70 of 300; JSON-RPC http://127.0.0.1:8545')
    assert.equal(lines({ anchors: { pending: 3, unsent: 1, givenUp: 2 } })[1], `anchoring   as ${chain.account}: 3 not final yet (1 refused by the node, sent again every 5 s), 2 given up after two losses (their registration still looked for)`)
    assert.equal(lines({ account: null, anchors: null })[1], 'anchoring   off (no chain account in the keystore)')
  })

  it('peers: one line each, or a sentence when there are none', () => {
    assert.equal(formatPeers([], 0), 'no peers known\n')
    const now = 1_000_000
    assert.equal(formatPeers([
      { peerId: 'A', addrs: ['/ip4/1.2.3.4/tcp/1'], connected: true, member: true, lastHeartbeat: now - 4_400, score: 1.234, held: 3 },
      { peerId: 'B', addrs: [], connected: false, member: false, score: -10, held: 0 }
    ], now), 'A  connected, member, score 1.23, holds 3, heartbeat 4s ago  /ip4/1.2.3.4/tcp/1\nB  not connected, score -10.00, holds 0, no heartbeat\n')
  })
})
