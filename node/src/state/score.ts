/**
 * Gossipsub scoring of the state topic: the same parameters as the announce topic (docs/swarm.md), so an invalid
 * envelope is an invalid message delivery (P4, weight -10, squared counter) and forged or forbidden updates push the
 * sender below the gossip, publish and graylist thresholds after one, two and three of them.
 */
import type { TopicScoreParams } from '@libp2p/gossipsub/score'
import { topicScoreParams } from '../swarm/scoring.js'

export function stateTopicScoreParams (): TopicScoreParams {
  return topicScoreParams(1)
}
