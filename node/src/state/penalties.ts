/**
 * Penalties for peers that send invalid state over the sync protocol (gossip penalties go through gossipsub's peer
 * score: the validator's Reject verdict). Each invalid envelope costs 10 points, decaying by half every 5 minutes;
 * at 25 points (the third one within a few minutes) the peer is disconnected and its sync streams refused until it decays below again.
 */
export class PenaltyBox {
  private readonly scores = new Map<string, { points: number, at: number }>()

  constructor (private readonly now: () => number, private readonly halfLifeMs = 300_000, readonly banAt = 25) {}

  score (peer: string): number {
    const s = this.scores.get(peer)
    if (s === undefined) return 0
    return s.points * Math.pow(0.5, (this.now() - s.at) / this.halfLifeMs)
  }

  /** Adds a penalty; returns true when the peer is now banned. */
  penalise (peer: string, points = 10): boolean {
    const points2 = this.score(peer) + points
    this.scores.set(peer, { points: points2, at: this.now() })
    return points2 >= this.banAt
  }

  banned (peer: string): boolean { return this.score(peer) >= this.banAt }
}
