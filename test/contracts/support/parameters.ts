// ParamRegistry's keys as the specification fixes them.
// name, default, min, max, unit index (ParamRegistry.Unit) — the specification's table
export const PARAMETERS: Array<[string, bigint, bigint, bigint, number]> = [
  ['slot.durationS', 120n, 120n, 120n, 1],
  ['leader.timeoutMs', 5000n, 1000n, 10000n, 0],
  ['leader.cooldownSlots', 16n, 8n, 64n, 3],
  ['credit.windowDays', 7n, 3n, 14n, 2],
  ['heartbeat.intervalS', 30n, 10n, 120n, 1],
  ['net.maxPeers', 50n, 10n, 200n, 4],
  ['chunk.sizeBytes', 8n << 20n, 64n << 10n, 16n << 20n, 5],
  ['reward.baseMbPerSession', 5n, 1n, 20n, 6],
  ['reward.dMinPpm', 200_000n, 100_000n, 500_000n, 7],
  ['kyc.minLevel', 2n, 1n, 5n, 8],
  ['session.maxDurationS', 3600n, 300n, 86400n, 1],
  ['payout.epochS', 30n * 86400n, 60n, 31n * 86400n, 1],
  ['payout.minimumUsd6', 10_000_000n, 1_000_000n, 100_000_000n, 9],
  ['payout.maxPerTxUsd6', 10_000_000_000n, 10_000_000n, 1_000_000_000_000n, 9],
  ['payout.dailyCapUsd6', 100_000_000_000n, 100_000_000n, 10_000_000_000_000n, 9]
]
