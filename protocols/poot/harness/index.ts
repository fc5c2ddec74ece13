/** The in-memory, virtual-time PoOT harness (docs/poot.md, "The harness"). */
export { Harness, type Behaviour, type HarnessOptions, type HarnessStats } from './harness.js'
export { buildFixture, HARNESS_PARAMS, type Fixture, type FixtureOptions } from './fixture.js'
export { EventQueue } from './event-queue.js'
export { DEFAULT_NETWORK, deliveryDelay, type NetworkModel } from './network.js'
export { mulberry32, hash32, unit, seedBytes } from './prng.js'
export { summarize, traceSlot, type SimSummary, type SlotTrace } from './summary.js'
