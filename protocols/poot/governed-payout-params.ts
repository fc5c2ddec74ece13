/**
 * Payout parameters governed through ParamRegistry, by the rule of the PoOT ones (governed-params.ts): the genesis
 * file's value rules until governance changes the registry value; a changed value applies to every payout write
 * whose parent state holds it, if the parameters stay valid (`checkPayoutParams`), on every node alike.
 *
 * Governed: `payout.minimumUsd6` (the minimum entitlement paid; less rolls over), and `payout.epochS` (the payout
 * epoch length, from the epoch after the one whose first block sees the change: payout-epochs.ts). Not governed by the
 * chain, though ParamRegistry has keys for them: `payout.maxPerTxUsd6` and `payout.dailyCapUsd6` (enforced by the
 * payout sidecar and the routers, not by the chain's computation).
 */
import { checkPayoutParams, type PayoutParams } from './payouts.js'
import type { RegistryValues } from './governed-params.js'

/** the registry keys the chain reads for its payout computation (with GOVERNED_PARAMS' keys) */
export const GOVERNED_PAYOUT_KEYS = Object.freeze(['payout.minimumUsd6', 'payout.epochS'] as const)

/** `base` (the genesis file's) with `payout.minimumUsd6` applied if governance changed it since genesis. */
export function governedPayoutParams (base: PayoutParams, atGenesis: RegistryValues, now: RegistryValues): PayoutParams {
  const v = now['payout.minimumUsd6']
  if (v === undefined || v === atGenesis['payout.minimumUsd6'] || v < 0n) return base
  const next = { ...base, minPayoutUsd: v }
  return checkPayoutParams(next).ok ? Object.freeze(next) : base
}
