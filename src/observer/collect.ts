/**
 * Taking a snapshot of the program for the observer: the process, the task tree, every actor
 * system and every executor, each long list cut to its top rows.
 *
 * A program with 100,000 tasks or a million actors must not stall on it: each list is walked once
 * with numbers only, the top rows are kept in a bounded heap, and the costly parts (a path, a
 * name) are made for those rows alone. Nothing here runs unless a page or a scrape asks.
 *
 * @module
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { registry, roots } from '../core/registry.js'
import type { Task } from '../core/task.js'
import { type ActorSystem, statusOf } from '../actor/system.js'
import type { ActorCell } from '../actor/cell.js'
import type { DeadLetter } from '../actor/dead-letters.js'
import { mailboxSize } from '../actor/delivery.js'
import type { Executor } from '../executor/executor.js'
import { BinaryHeap } from '../platform/binary-heap.js'
import { observed } from '../platform/observed.js'
import { describe } from '../errors.js'
import { messageKind, slowSteps } from '../debug/slow-steps.js'
import type { Pool } from '../pool/pool.js'
import type { Queue } from '../queue/queue.js'
import type {
  ActorRow,
  ClusterInfo,
  PoolInfo,
  QueueInfo,
  ActorSystemInfo,
  DeadLetterRow,
  ExecutorInfo,
  ObserverSnapshot,
  ProcessInfo,
  SnapshotQuery,
  TaskRow,
} from './snapshot-types.js'

/** The delay histogram's timer, in ms. */
const RESOLUTION_MS = 10
/** The delay histogram stops this long after the last snapshot. */
const IDLE_MS = 60_000
/** Dead letters kept per system for the page. */
const LAST_DEAD_LETTERS = 20
/** Rows per list by default, and at most. */
export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

/** What a distributed executor looks like to the observer (read through its `stats()`). */
interface ClusterExecutorLike {
  readonly name: string
  stats(): {
    readonly queued: number
    readonly running: number
    readonly completed: number
    readonly failed: number
    readonly runTime: { readonly p50: number; readonly p99: number }
    readonly workers: readonly { readonly lanes: number }[]
  }
}

/**
 * Takes snapshots while the observer runs. It holds the event-loop delay histogram and a listener
 * on each actor system's dead letters, both released by `close()`.
 * @internal
 */
export class Collector {
  /** The delay since the previous snapshot (reset by each), and since the sampling started (for metrics). */
  readonly #loop: IntervalHistogram
  readonly #loopAll: IntervalHistogram
  readonly #started = performance.now()
  /** The last dead letters of each system, newest last; the listener that fills it. */
  /** Per system: its last dead letters, the subscription that keeps them, and the rate's baseline. */
  readonly #dead = new Map<ActorSystem, DeadLetterWatch>()

  #rates: RateBase = { handled: new Map(), at: performance.now() }
  #nextRates: Map<ActorCell, number> | undefined
  /** Turns the delay histogram off when nobody has asked for a while: a timer of its own. */
  #idle: NodeJS.Timeout | undefined

  constructor() {
    this.#loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.#loopAll = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  }

  /**
   * A snapshot for a page or `/snapshot.json`; with `forMetrics`, one whose event-loop delay covers
   * the whole time sampled rather than the time since the previous snapshot, so that a scrape does
   * not depend on when pages asked.
   */
  snapshot(q: SnapshotQuery = {}, forMetrics = false): ObserverSnapshot {
    const t0 = performance.now()
    this.#watchLoop()
    const limit = Math.min(MAX_LIMIT, Math.max(1, q.limit ?? DEFAULT_LIMIT))
    const processInfo = this.#process(forMetrics ? this.#loopAll : this.#loop)
    const tasks = taskRows(q.tasks ?? 'age', limit)
    const systems = observed<ActorSystem>('actor-system')
    // A system that terminated is no longer listened to.
    for (const [s, kept] of this.#dead) {
      if (!systems.includes(s)) {
        kept.off()
        this.#dead.delete(s)
      }
    }
    // A new rate baseline at most every quarter second: snapshots of one tick share one.
    const now = performance.now()
    this.#nextRates = now - this.#rates.at >= 250 ? new Map() : undefined
    const actorSystems = systems.map((s) => this.#system(s, q.actors ?? 'mailbox', limit))
    if (this.#nextRates !== undefined) this.#rates = { handled: this.#nextRates, at: now }
    this.#nextRates = undefined
    const executors = [
      ...observed<Executor>('executor').map(localExecutor),
      ...observed<ClusterExecutorLike>('cluster-executor').map(clusterExecutor),
    ]
    return {
      v: 1,
      at: Date.now(),
      tookMs: performance.now() - t0,
      process: processInfo,
      tasks: { live: registry.live, failed: registry.failed, cancelled: registry.cancelled, rows: tasks },
      actorSystems,
      executors,
      pools: observed<Pool>('pool').map(poolInfo),
      queues: observed<Queue<unknown>>('queue').map(queueInfo),
      slowSteps: slowSteps(),
      clusters: observed<ClusterNodeLike>('cluster-node').map(clusterInfo),
    }
  }

  /**
   * The event-loop delay is sampled only while snapshots are asked for (a page is open, or a
   * scraper comes back), and for a minute after the last one.
   */
  #watchLoop(): void {
    if (this.#idle === undefined) {
      this.#loop.enable()
      this.#loopAll.enable()
    } else clearTimeout(this.#idle)
    this.#idle = setTimeout(() => {
      this.#idle = undefined
      for (const h of [this.#loop, this.#loopAll]) {
        h.disable()
        h.reset()
      }
    }, IDLE_MS)
    this.#idle.unref()
  }

  #process(h: IntervalHistogram): ProcessInfo {
    // The histogram records the timer's whole interval: the delay is what it took beyond it.
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0)
    const info: ProcessInfo = {
      pid: process.pid,
      node: process.version,
      uptimeMs: Math.round(process.uptime() * 1000),
      loopDelayMs: {
        p50: h.count > 0 ? ms(h.percentile(50)) : 0,
        p99: h.count > 0 ? ms(h.percentile(99)) : 0,
        max: h.count > 0 ? ms(h.max) : 0,
      },
      heapUsedBytes: process.memoryUsage().heapUsed,
      rssBytes: process.memoryUsage.rss(),
    }
    // Each snapshot shows the delay since the one before.
    if (h === this.#loop) h.reset()
    return info
  }

  #system(system: ActorSystem, sort: 'mailbox' | 'restarts' | 'rate', limit: number): ActorSystemInfo {
    let kept = this.#dead.get(system)
    if (kept === undefined) {
      const rows: DeadLetterRow[] = []
      const off = system.deadLetters.subscribe((d) => {
        rows.push(deadLetterRow(d))
        if (rows.length > LAST_DEAD_LETTERS) rows.shift()
      })
      kept = { rows, off, count: system.deadLetters.count, at: performance.now() }
      this.#dead.set(system, kept)
    }
    const walk = walkActors(system._guardian, sort, limit, this.#rates, this.#nextRates)
    const count = system.deadLetters.count
    const now = performance.now()
    const perSec = (count - kept.count) / Math.max(0.001, (now - kept.at) / 1000)
    // The same quarter-second baseline as the actors' rates.
    if (this.#nextRates !== undefined) {
      kept.count = count
      kept.at = now
    }
    return {
      name: system.name,
      actors: walk.actors,
      mailboxes: walk.mailboxes,
      deadLetters: count,
      deadLettersPerSec: Math.round(perSec * 10) / 10,
      lastDeadLetters: [...kept.rows].reverse(),
      rows: walk.rows,
    }
  }

  /** Since the observer started, in ms. */
  get ageMs(): number {
    return performance.now() - this.#started
  }

  close(): void {
    clearTimeout(this.#idle)
    this.#idle = undefined
    this.#loop.disable()
    this.#loopAll.disable()
    for (const kept of this.#dead.values()) kept.off()
    this.#dead.clear()
  }
}

/**
 * The top `limit` live tasks: oldest first, or most children first. Ids grow with spawn time, so
 * the oldest are the smallest ids; the tree is walked through its own links, without arrays.
 */
function taskRows(sort: 'age' | 'children', limit: number): TaskRow[] {
  // Each task gets one number, larger for a row that ranks lower: its id for `age`; for
  // `children`, fewer children rank lower, and ties go to the older task.
  const byAge = sort === 'age'
  const rank = (t: Task<unknown>): number => (byAge ? t.id : t.id - (t._children?.size ?? 0) * 2 ** 32)
  // The heap's top is the row to drop first: the largest number.
  const heap = new BinaryHeap<{ t: Task<unknown>; r: number }>((a, b) => a.r > b.r)
  let worst = Infinity
  const visit = (t: Task<unknown>): void => {
    const r = rank(t)
    if (heap.size < limit) {
      heap.push({ t, r })
      if (heap.size === limit) worst = (heap.peek() as { r: number }).r
    } else if (r < worst) {
      heap.pop()
      heap.push({ t, r })
      worst = (heap.peek() as { r: number }).r
    }
  }
  // Depth first through the links; the stack holds the next sibling to come back to.
  const stack: Task<unknown>[] = []
  let t = roots.first
  while (t !== undefined) {
    visit(t)
    const first = t._children?.first
    if (first !== undefined) {
      if (t._next !== undefined) stack.push(t._next)
      t = first
    } else t = t._next ?? stack.pop()
  }
  const now = performance.now()
  const top: Task<unknown>[] = []
  while (heap.size > 0) top.push((heap.pop() as { t: Task<unknown> }).t)
  // A task not started yet may be queued in a named pool, which then says what it waits for.
  let pools: Pool[] | undefined
  const waitsOn = (t: Task<unknown>): string => {
    const w = t._waitsOn() ?? ''
    if (t.state !== 'pending') return w
    const pool = (pools ??= observed<Pool>('pool')).find((p) => p._queues(t))
    return pool === undefined ? w : pool._waitLabel()
  }
  return top.reverse().map((x) => ({
    id: x.id,
    name: x.name,
    state: x.state,
    ageMs: Math.max(0, Math.round(now - x._spawnedAt)),
    parent: x._parent?.id,
    children: x._children?.size ?? 0,
    waitsOn: waitsOn(x),
  }))
}

interface ActorWalk {
  readonly actors: number
  readonly mailboxes: number
  readonly rows: ActorRow[]
}

/** What the collector keeps per actor system while it is observed. */
interface DeadLetterWatch {
  readonly rows: DeadLetterRow[]
  readonly off: () => void
  /** Dead letters at the rate's baseline, and when it was taken. */
  count: number
  at: number
}

/**
 * Messages each actor had handled at the last baseline, for the rates: only actors that handled
 * any are kept, and a new baseline is taken at most every quarter second, so that the snapshots
 * of one tick (one per query) share it.
 */
interface RateBase {
  readonly handled: Map<ActorCell, number>
  readonly at: number
}

/** Every actor under `guardian` counted, the top `limit` by `sort` kept as rows. */
function walkActors(
  guardian: ActorCell,
  sort: 'mailbox' | 'restarts' | 'rate',
  limit: number,
  base: RateBase,
  next: Map<ActorCell, number> | undefined,
): ActorWalk {
  const dtSec = Math.max(0.001, (performance.now() - base.at) / 1000)
  const rate = (c: ActorCell): number => {
    const h = c._handled
    return h === 0 ? 0 : (h - (base.handled.get(c) ?? 0)) / dtSec
  }
  const heap = new BinaryHeap<{ cell: ActorCell; score: number }>((a, b) => a.score < b.score)
  let actors = 0
  let mailboxes = 0
  const stack: ActorCell[] = guardian._children === null ? [] : [...guardian._children.values()]
  while (stack.length > 0) {
    const cell = stack.pop() as ActorCell
    actors++
    const depth = mailboxSize(cell)
    mailboxes += depth
    if (next !== undefined && cell._handled > 0) next.set(cell, cell._handled)
    const s = sort === 'mailbox' ? depth : sort === 'rate' ? rate(cell) : (cell._ext?.restarts ?? 0)
    if (heap.size < limit) heap.push({ cell, score: s })
    else if (s > (heap.peek() as { score: number }).score) {
      heap.pop()
      heap.push({ cell, score: s })
    }
    if (cell._children !== null) for (const c of cell._children.values()) stack.push(c)
  }
  const top: ActorCell[] = []
  while (heap.size > 0) top.push((heap.pop() as { cell: ActorCell }).cell)
  const rows = top.reverse().map((cell): ActorRow => {
    const x = cell._ext
    const failure = x?.lastFailure
    return {
      path: cell._path(),
      status: statusOf(cell),
      mailbox: mailboxSize(cell),
      handledPerSec: Math.round(rate(cell) * 10) / 10,
      restarts: x?.restarts ?? 0,
      lastFailure:
        failure === null || failure === undefined
          ? undefined
          : { at: failure.at, error: describe(failure.error) },
      stash: x?.stash?.length ?? 0,
      children: cell._children?.size ?? 0,
    }
  })
  return { actors, mailboxes, rows }
}

function deadLetterRow(d: DeadLetter): DeadLetterRow {
  return { at: Date.now(), recipient: d.recipient, reason: d.reason, message: messageKind(d.message) }
}

function poolInfo(p: Pool): PoolInfo {
  const s = p.stats()
  return {
    name: p.name ?? '',
    size: s.capacity,
    running: s.running,
    waiting: s.pending,
    completed: s.completed,
    failed: s.failed,
    cancelled: s.cancelled,
  }
}

function queueInfo(q: Queue<unknown>): QueueInfo {
  return {
    name: q.name ?? '',
    kind: q.constructor.name,
    size: q.size,
    maxsize: q.maxsize,
    getters: q._getters.size,
    putters: q._putters.size,
  }
}

/** What a cluster node looks like to the observer (`verdant/remote` is not loaded from here). */
interface ClusterNodeLike {
  readonly id: string
  readonly system: { readonly name: string }
  members(): readonly { readonly id: string; readonly status: string; readonly lastHeard: number }[]
}

function clusterInfo(n: ClusterNodeLike): ClusterInfo {
  const now = performance.now()
  return {
    name: n.system.name,
    node: n.id,
    members: n.members().map((m) => ({
      id: m.id,
      status: m.status,
      heartbeatAgeMs: m.id === n.id ? 0 : Math.max(0, Math.round(now - m.lastHeard)),
    })),
  }
}

function localExecutor(e: Executor): ExecutorInfo {
  const s = e.stats()
  return {
    name: e._name,
    kind: e._kind,
    size: e.maxWorkers,
    busy: s.running,
    queued: s.queued,
    completed: s.completed,
    failed: s.failed,
    crashes: s.crashes,
    runMs: { p50: s.runTime.p50 / 1000, p99: s.runTime.p99 / 1000 },
    utilization: s.workers.map((w) => w.utilization),
  }
}

function clusterExecutor(e: ClusterExecutorLike): ExecutorInfo {
  const s = e.stats()
  return {
    name: e.name,
    kind: 'cluster',
    size: s.workers.reduce((n, w) => n + w.lanes, 0),
    busy: s.running,
    queued: s.queued,
    completed: s.completed,
    failed: s.failed,
    crashes: 0,
    runMs: { p50: s.runTime.p50 / 1000, p99: s.runTime.p99 / 1000 },
    utilization: [],
  }
}
