/**
 * Membership: which nodes are in the cluster, from one heartbeat per node per interval.
 *
 * Heartbeats are per node, never per actor, so a node with a million actors costs the cluster what
 * a node with one does. A node is `unreachable` after a few silent intervals and `down` once it has
 * been silent for the failure-detection window; a heartbeat from it later makes it `up` again, so
 * a node that comes back is talked to again without restarting anything (no quarantine).
 *
 * A blocked event loop must not make a healthy node look dead (Moleculer's "broken node"). Two
 * things guard the judging side: the check runs after the I/O phase (`setImmediate`), so the
 * heartbeats that arrived while this process was blocked are read before anyone is judged; and
 * time this process spent blocked is not counted as silence of the others.
 *
 * It keeps real time, not verdant's clock: it judges other processes, which virtual time does not
 * stop, and its timers are unref'd, since the connection is what keeps a node's process alive.
 *
 * @module
 */

/** A node's state as this node sees it. @since 0.3.0 */
export type MemberStatus = 'up' | 'leaving' | 'unreachable' | 'down'

/** One node of the cluster. @since 0.3.0 */
export interface Member {
  /** The node's id. */
  readonly id: string
  readonly status: MemberStatus
  /** When this node last heard from it (ms on `performance.now()`'s scale); for this node itself, now. */
  readonly lastHeard: number
}

/**
 * A change of membership: a node came `up` (joined, or came back after being down), is `leaving`
 * (draining), became `unreachable` (silent for a few heartbeats) or `reachable` again, or is
 * `down`: it `left`, or was silent for the whole failure-detection window (`failed`).
 * @since 0.3.0
 */
export type MemberEvent =
  | { readonly type: 'up' | 'leaving' | 'unreachable' | 'reachable'; readonly node: string }
  | { readonly type: 'down'; readonly node: string; readonly reason: 'left' | 'failed' }

/** A heartbeat as it travels on the members subject. @internal */
export interface Beat {
  readonly v: 1
  readonly n: string
  /** `up`, `leaving`, `left`; `hello` asks every node to beat at once. */
  readonly st: 'up' | 'leaving' | 'left' | 'hello'
}

interface Entry {
  status: MemberStatus
  lastHeard: number
}

/** What membership needs of its node. @internal */
export interface MembershipHost {
  publishBeat(beat: Beat): void
  /** A membership event happened (after the member table changed). */
  onEvent(event: MemberEvent): void
}

/** The member table and failure detector of one node. @internal */
export class Membership {
  readonly self: string
  readonly #host: MembershipHost
  readonly #heartbeatMs: number
  readonly #suspectMs: number
  readonly #windowMs: number
  readonly #members = new Map<string, Entry>()
  #selfStatus: 'up' | 'leaving' | 'left' = 'up'
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  #lastTick = 0

  constructor(self: string, host: MembershipHost, heartbeatMs: number, windowMs: number) {
    this.self = self
    this.#host = host
    this.#heartbeatMs = heartbeatMs
    this.#windowMs = windowMs
    // Three silent beats make a node suspect, but never less than half the window, so a short
    // window does not flap on one late beat.
    this.#suspectMs = Math.min(windowMs, Math.max(3 * heartbeatMs, windowMs / 2))
  }

  /** Starts beating and judging; asks the others to beat at once so they are known quickly. */
  start(): void {
    this.#lastTick = now()
    this.#host.publishBeat({ v: 1, n: this.self, st: 'hello' })
    this.#schedule()
  }

  /** Stops the timers (the node is closing). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#immediate = undefined
  }

  /** This node drains, then has left: the others are told. */
  setSelf(status: 'leaving' | 'left'): void {
    this.#selfStatus = status
    this.#host.publishBeat({ v: 1, n: this.self, st: status })
  }

  /** The members, this node first. */
  members(): Member[] {
    const t = now()
    const out: Member[] = [
      { id: this.self, status: this.#selfStatus === 'up' ? 'up' : 'leaving', lastHeard: t },
    ]
    for (const [id, e] of this.#members) out.push({ id, status: e.status, lastHeard: e.lastHeard })
    return out
  }

  /** The status of node `id`, undefined if never heard of. */
  status(id: string): MemberStatus | undefined {
    if (id === this.self) return this.#selfStatus === 'up' ? 'up' : 'leaving'
    return this.#members.get(id)?.status
  }

  /** A heartbeat (or membership news) arrived. */
  onBeat(beat: Beat): void {
    if (beat.n === this.self) return
    if (beat.st === 'hello') {
      if (this.#selfStatus !== 'left') this.#host.publishBeat({ v: 1, n: this.self, st: this.#selfStatus })
      this.#heard(beat.n, 'up')
      return
    }
    if (beat.st === 'left') {
      const e = this.#members.get(beat.n)
      if (e !== undefined && e.status !== 'down') {
        e.status = 'down'
        e.lastHeard = now()
        this.#host.onEvent({ type: 'down', node: beat.n, reason: 'left' })
      }
      return
    }
    this.#heard(beat.n, beat.st)
  }

  #heard(id: string, st: 'up' | 'leaving'): void {
    const t = now()
    const e = this.#members.get(id)
    if (e === undefined) {
      this.#members.set(id, { status: st, lastHeard: t })
      this.#host.onEvent({ type: 'up', node: id })
      if (st === 'leaving') this.#host.onEvent({ type: 'leaving', node: id })
      return
    }
    e.lastHeard = t
    const was = e.status
    if (was === st) return
    e.status = st
    if (was === 'down') this.#host.onEvent({ type: 'up', node: id })
    else if (was === 'unreachable') this.#host.onEvent({ type: 'reachable', node: id })
    if (st === 'leaving') this.#host.onEvent({ type: 'leaving', node: id })
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#tick()
    }, this.#heartbeatMs).unref()
  }

  #tick(): void {
    // Beat first: a beat never waits behind the judging of others.
    if (this.#selfStatus !== 'left') this.#host.publishBeat({ v: 1, n: this.self, st: this.#selfStatus })
    const t = now()
    const late = t - this.#lastTick - this.#heartbeatMs
    this.#lastTick = t
    if (late > this.#heartbeatMs / 2) {
      // This process was blocked: the others' silence over that time is not theirs.
      for (const e of this.#members.values()) e.lastHeard = Math.min(t, e.lastHeard + late)
    }
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined
      this.#judge()
      this.#schedule()
    })
  }

  #judge(): void {
    const t = now()
    for (const [id, e] of this.#members) {
      if (e.status === 'down') continue
      const silent = t - e.lastHeard
      if (silent >= this.#windowMs) {
        e.status = 'down'
        this.#host.onEvent({ type: 'down', node: id, reason: 'failed' })
      } else if (silent >= this.#suspectMs && e.status !== 'unreachable') {
        e.status = 'unreachable'
        this.#host.onEvent({ type: 'unreachable', node: id })
      }
    }
  }
}

function now(): number {
  return performance.now()
}
