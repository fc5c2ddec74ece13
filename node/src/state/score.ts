/**
 * Gossipsub scoring of the state topic: like the announce topic (docs/swarm.md), an invalid envelope is an invalid
 * message delivery (P4, weight -10, squared counter), so forged or forbidden updates push the sender below the
 * gossip, publish and graylist thresholds after one, two and three of them.
 */
import type { TopicScoreParams } from '@libp2p/gossipsub/score'

const decayOver = (seconds: number, to = 0.01): number => Math.pow(to, 1 / seconds)

export function stateTopicScoreParams (): TopicScoreParams {
  return {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: decayOver(600),
    firstMessageDeliveriesCap: 5,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 0,
    meshMessageDeliveriesThreshold: 0,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -10,
    invalidMessageDeliveriesDecay: decayOver(600)
  }
}
