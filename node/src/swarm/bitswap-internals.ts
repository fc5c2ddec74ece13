/**
 * The @helia/bitswap instance inside a Helia node started with withBitswap (its block broker's `bitswap`), for the
 * node's changes to bitswap's sending and hashing (bitswap-send.ts, bitswap-digests.ts). Undefined when the installed
 * Helia does not have that shape; callers then leave bitswap as it is.
 */
import type { Helia } from '@helia/interface'

export function bitswapOf (helia: Helia): { network?: unknown, wantList?: unknown } | undefined {
  const store = helia.blockstore as any
  const brokers: any[] = store?.blockBrokers ?? store?.child?.blockBrokers ?? []
  return brokers.find((b) => b?.name === 'bitswap')?.bitswap
}
