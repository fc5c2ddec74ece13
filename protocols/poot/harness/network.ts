/**
 * The simulated network: each (message, receiver) pair gets a delay in [minDelayMs, maxDelayMs] and is dropped with
 * probability dropRate, both drawn from hash32(seed, message, receiver) so they do not depend on event order.
 */
import { hash32, unit } from './prng.js'

export interface NetworkModel {
  readonly minDelayMs: number
  readonly maxDelayMs: number
  readonly dropRate: number
}

export const DEFAULT_NETWORK: NetworkModel = Object.freeze({ minDelayMs: 20, maxDelayMs: 400, dropRate: 0 })

export function deliveryDelay (net: NetworkModel, seed: number, message: number, receiver: number): number | null {
  if (net.dropRate > 0 && unit(seed, message, receiver, 1) < net.dropRate) return null
  const span = net.maxDelayMs - net.minDelayMs + 1
  return net.minDelayMs + (hash32(seed, message, receiver, 2) % span)
}
