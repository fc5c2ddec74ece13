/**
 * Who is in the swarm: members are the peers whose heartbeats arrived within the grace period. Their heartbeats also
 * say where they listen and which sessions they hold, which is what replica selection and repair work from.
 */
import type { Heartbeat } from '../../../protocols/swarm/heartbeat.js'

export interface MemberInfo { peerId: string, lastSeen: number, addrs: string[], held: Set<string> }

export class Membership {
  private readonly seen = new Map<string, MemberInfo>()

  constructor (private readonly self: string, private readonly graceMs: number, private readonly now: () => number) {}

  see (peerId: string, hb: Heartbeat): void {
    if (peerId === this.self) return
    this.seen.set(peerId, { peerId, lastSeen: this.now(), addrs: hb.addrs, held: new Set(hb.held) })
  }

  isMember (peerId: string): boolean {
    const m = this.seen.get(peerId)
    return m !== undefined && this.now() - m.lastSeen <= this.graceMs
  }

  /** Live members other than this node, sorted. */
  members (): string[] {
    return [...this.seen.values()].filter((m) => this.isMember(m.peerId)).map((m) => m.peerId).sort()
  }

  info (peerId: string): MemberInfo | undefined { return this.seen.get(peerId) }
  all (): MemberInfo[] { return [...this.seen.values()] }

  /** Live members whose last heartbeat lists the session. */
  holdersOf (sessionId: string): Set<string> {
    const out = new Set<string>()
    for (const m of this.seen.values()) if (this.isMember(m.peerId) && m.held.has(sessionId)) out.add(m.peerId)
    return out
  }

  /** Drops members silent for ten grace periods (they stay known, as non-members, until then). */
  prune (): void {
    for (const [id, m] of this.seen) if (this.now() - m.lastSeen > 10 * this.graceMs) this.seen.delete(id)
  }
}
