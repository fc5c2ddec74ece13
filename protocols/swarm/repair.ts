/**
 * Replication and repair decisions, one pure function: given who is alive, who holds what and R, say what this node
 * must do for each session. The node runs it on every heartbeat tick, so repair after a holder leaves (its heartbeats
 * stop for longer than the grace period, so it drops out of `members`) is the same rule as first replication.
 */
import { selectHolders } from './replicas.js'

export interface SessionState {
  sessionId: string
  /** This node has every block of the session, verified and pinned. */
  heldBySelf: boolean
  /** Live members (self included) known to hold the session. */
  holders: ReadonlySet<string>
}

export type Action = 'fetch' | 'drop' | 'keep' | 'none'

export interface Decision {
  sessionId: string
  action: Action
  desired: string[]
  /** How many more live holders the session needs to reach min(R, members). */
  deficit: number
}

export interface PlanInput {
  self: string
  /** Live members other than self. */
  members: readonly string[]
  sessions: readonly SessionState[]
  replication: number
}

export function decide (self: string, members: readonly string[], s: SessionState, replication: number): Decision {
  const all = [self, ...members.filter((m) => m !== self)]
  const desired = selectHolders(s.sessionId, all, replication)
  const target = Math.min(replication, all.length)
  const live = new Set(all)
  const liveHolders = [...s.holders].filter((h) => live.has(h))
  if (s.heldBySelf && !liveHolders.includes(self)) liveHolders.push(self)
  const deficit = Math.max(0, target - liveHolders.length)
  const wanted = desired.includes(self)
  let action: Action
  if (wanted) action = s.heldBySelf ? 'keep' : 'fetch'
  else if (!s.heldBySelf) action = 'none'
  // Hand over only once every desired holder has confirmed it holds the session: no copy is ever the last one dropped.
  else action = desired.every((d) => s.holders.has(d)) ? 'drop' : 'keep'
  return { sessionId: s.sessionId, action, desired, deficit }
}

export function plan (input: PlanInput): Decision[] {
  return input.sessions.map((s) => decide(input.self, input.members, s, input.replication))
}
