/**
 * The virtual-time harness's speed: simulated slots per second of wall time for 100 and 1,000 nodes, honest,
 * with sessions, relay receipts and storage challenges (harness parameters: 30 s slots, one heartbeat per slot).
 * Baseline in the same run: the same swarm with no traffic but heartbeats and votes, to show what traffic costs.
 */
import { Harness } from '../../protocols/poot/harness/harness.js'

function measure (nodes: number, slots: number, traffic: boolean): { slotsPerSecond: number, finalizedLag: number, heapMB: number } {
  const h = new Harness({ seed: 1, nodes, sessionsPerSlot: traffic ? 5 : 0, relaysPerSlot: traffic ? 20 : 0, catalog: traffic ? undefined : { sessions: 0, chunks: 1, chunkBytes: 1, replicas: 1 } })
  h.runUntilSlot(3) // warm-up
  const t0 = performance.now()
  h.runUntilSlot(3 + slots)
  const seconds = (performance.now() - t0) / 1000
  return { slotsPerSecond: Number((slots / seconds).toFixed(2)), finalizedLag: h.head(0).height - h.finalized(0).height, heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }
}

for (const [nodes, slots] of [[100, 60], [1_000, 8]] as const) {
  process.stderr.write(`harness: ${nodes} nodes, ${slots} slots\n`)
  const full = measure(nodes, slots, true)
  const bare = measure(nodes, slots, false)
  process.stdout.write(JSON.stringify({ bench: 'poot-harness', nodes, simulatedSlots: slots, slotsPerSecond: full.slotsPerSecond, finalizedLag: full.finalizedLag, heapMB: full.heapMB, baseline: 'same swarm without sessions, relays or challenges', baselineSlotsPerSecond: bare.slotsPerSecond }) + '\n')
}
