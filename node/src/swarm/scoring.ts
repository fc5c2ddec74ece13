/**
 * Gossipsub peer-scoring parameters, chosen for Lucid's traffic (rare, small, high-value announcements; one heartbeat
 * per node per interval). docs/swarm.md explains each choice; the short version:
 * - P4 (invalid messages) is what punishes a bad sender: weight -10 on the announce topic (topic weight 1), squared
 *   counter, decaying to 1 % over about 10 minutes. One rejected announcement costs -10 (at the gossip threshold:
 *   no more gossip to it), two cost -40 (below the publish threshold), three -90 (graylisted: everything it sends
 *   is ignored). Heartbeats weigh half as much (topic weight 0.5).
 * - P3 (mesh delivery rate) is off: announcements are rare, a quiet honest peer must not look like a freeloader.
 * - P2 (first deliveries) and P1 (time in mesh) reward honest peers a little, capped, so an old good reputation
 *   cannot absorb more than a couple of invalid messages.
 * - P6 (IP colocation) is off by default: a devnet and small sites put many nodes behind one address. Operators on
 *   the open internet can set it with LUCID_GOSSIP_IP_COLOCATION_WEIGHT (config swarm.ipColocationWeight).
 */
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'
import { TOPIC_ANNOUNCE, TOPIC_HEARTBEAT } from '../../../protocols/swarm/constants.js'

/** Per-second decay factor that brings a counter down to `to` after `seconds`. */
export function decayOver (seconds: number, to = 0.01): number {
  return Math.pow(to, 1 / seconds)
}

/** One topic's score parameters (docs/swarm.md); every Lucid topic uses them with its own weight. */
export function topicScoreParams (weight: number): TopicScoreParams {
  return {
    topicWeight: weight,
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

export function scoreParams (ipColocationWeight = 0): Partial<PeerScoreParams> {
  return {
    topics: {
      [TOPIC_ANNOUNCE]: topicScoreParams(1),
      [TOPIC_HEARTBEAT]: topicScoreParams(0.5)
    },
    topicScoreCap: 10,
    appSpecificWeight: 0,
    IPColocationFactorWeight: ipColocationWeight,
    IPColocationFactorThreshold: 10,
    behaviourPenaltyWeight: -1,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: decayOver(600),
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 3600_000
  }
}

export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -40,
  graylistThreshold: -80,
  acceptPXThreshold: 5,
  opportunisticGraftThreshold: 2
}
