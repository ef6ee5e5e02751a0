/**
 * What the observer shows: one snapshot of the program, as `/snapshot.json` returns it and `/events`
 * streams it. Bounded whatever the program's size: each list holds its top rows by the sort asked
 * for, beside the totals.
 *
 * @module
 */

/** How a snapshot's long lists are cut: which rows first, and how many. @since 0.3.0 */
export interface SnapshotQuery {
  /** Task rows: the oldest first (`age`, the default) or the ones with most children (`children`). */
  readonly tasks?: 'age' | 'children' | undefined
  /**
   * Actor rows: deepest mailbox first (`mailbox`, the default), most restarts (`restarts`), or
   * most messages handled per second (`rate`).
   */
  readonly actors?: 'mailbox' | 'restarts' | 'rate' | undefined
  /** Rows per list (default 100, at most 1000). */
  readonly limit?: number | undefined
}

/** The process: the header of the page. @since 0.3.0 */
export interface ProcessInfo {
  readonly pid: number
  /** `process.version`. */
  readonly node: string
  readonly uptimeMs: number
  /**
   * Event-loop delay in ms (`perf_hooks.monitorEventLoopDelay`): since the previous snapshot in a
   * page's or `/snapshot.json`'s, since sampling started in `/metrics`' (sampling runs while
   * snapshots are asked for, and a minute after).
   */
  readonly loopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number }
  readonly heapUsedBytes: number
  readonly rssBytes: number
}

/** One task. @since 0.3.0 */
export interface TaskRow {
  readonly id: number
  readonly name: string
  readonly state: string
  /** Since it was spawned. */
  readonly ageMs: number
  /** Its parent's id; undefined for a root task. */
  readonly parent: number | undefined
  /** Its live children. */
  readonly children: number
  /**
   * What it waits on, in words: `sleep, 1.2 s left`, `queue "jobs": get`, `task "fetch"`, `lock:
   * acquire`, `a promise` (an async body awaiting anything but a `ctx` wait), `its children (3)`
   * once its body ended, `its first step` before it ran.
   */
  readonly waitsOn: string
}

/** The tasks. @since 0.3.0 */
export interface TasksInfo {
  /** Live tasks. */
  readonly live: number
  /** Tasks that ended failed since the process started. */
  readonly failed: number
  /** Tasks that ended cancelled (killed) since the process started; not counted in `failed`. */
  readonly cancelled: number
  /** The top rows by the sort asked for. */
  readonly rows: readonly TaskRow[]
}

/** One actor. @since 0.3.0 */
export interface ActorRow {
  readonly path: string
  readonly status: string
  readonly mailbox: number
  /** Messages it handled per second since the previous snapshot (0 in the first). */
  readonly handledPerSec: number
  readonly restarts: number
  /** Its last failure: when (epoch ms) and the error, described. */
  readonly lastFailure: { readonly at: number; readonly error: string } | undefined
  /** Messages it stashed and has not put back. */
  readonly stash: number
  readonly children: number
}

/** A dead letter, as the page lists the last ones. @since 0.3.0 */
export interface DeadLetterRow {
  /** Epoch ms. */
  readonly at: number
  readonly recipient: string
  readonly reason: string
  /** The message's `type` field or its class name. */
  readonly message: string
}

/** One actor system. @since 0.3.0 */
export interface ActorSystemInfo {
  readonly name: string
  /** Live actors. */
  readonly actors: number
  /** Messages waiting in all its mailboxes. */
  readonly mailboxes: number
  /** Dead letters since it started, and the last ones (newest first). */
  readonly deadLetters: number
  /** Dead letters per second since the previous snapshot (0 in the first). */
  readonly deadLettersPerSec: number
  readonly lastDeadLetters: readonly DeadLetterRow[]
  /** The top rows by the sort asked for. */
  readonly rows: readonly ActorRow[]
}

/** One thread or process pool (or distributed executor). @since 0.3.0 */
export interface ExecutorInfo {
  readonly name: string
  readonly kind: 'threads' | 'processes' | 'cluster'
  readonly size: number
  readonly busy: number
  readonly queued: number
  readonly completed: number
  readonly failed: number
  readonly crashes: number
  /** Run time quantiles in ms, over the jobs since it started (a histogram of bounded size). */
  readonly runMs: { readonly p50: number; readonly p99: number }
  /** Per worker: its share of time spent running jobs, 0 to 1. */
  readonly utilization: readonly number[]
}

/** A task pool (`Pool`) made with a `name`. @since 0.3.0 */
export interface PoolInfo {
  readonly name: string
  /** Tasks it runs at once at most. */
  readonly size: number
  /** Tasks holding a slot, and waiting for one. */
  readonly running: number
  readonly waiting: number
  /** Its tasks that completed, failed and were cancelled since it was made. */
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
}

/** A queue made with a `name`. @since 0.3.0 */
export interface QueueInfo {
  readonly name: string
  /** `Queue`, `PriorityQueue`, `LifoQueue`, `SimpleQueue`... */
  readonly kind: string
  readonly size: number
  /** Infinity for an unbounded queue (`null` in JSON). */
  readonly maxsize: number
  /** Tasks waiting in `get`, and in `put`. */
  readonly getters: number
  readonly putters: number
}

/** A step that held the event loop, as debug mode reported it. @since 0.3.0 */
export interface SlowStepRow {
  /** Epoch ms. */
  readonly at: number
  readonly ms: number
  /** The task it ran in (its name), or the actor (its path) and the message it handled. */
  readonly task: string | undefined
  readonly actor: string | undefined
  readonly message: string | undefined
}

/** A member of a cluster this process is a node of. @since 0.3.0 */
export interface MemberRow {
  readonly id: string
  readonly status: string
  /** Since its last heartbeat was heard, in ms (0 for this node). */
  readonly heartbeatAgeMs: number
}

/** A cluster node in this process (`joinCluster`). @since 0.3.0 */
export interface ClusterInfo {
  /** The cluster's name and this node's id. */
  readonly name: string
  readonly node: string
  readonly members: readonly MemberRow[]
}

/** A snapshot of the program. @since 0.3.0 */
export interface ObserverSnapshot {
  readonly v: 1
  /** When it was taken (epoch ms). */
  readonly at: number
  /** Main-thread time it took to take, in ms. */
  readonly tookMs: number
  readonly process: ProcessInfo
  readonly tasks: TasksInfo
  readonly actorSystems: readonly ActorSystemInfo[]
  readonly executors: readonly ExecutorInfo[]
  readonly pools: readonly PoolInfo[]
  readonly queues: readonly QueueInfo[]
  /** The last steps that held the loop (newest first); empty unless debug mode is on. */
  readonly slowSteps: readonly SlowStepRow[]
  readonly clusters: readonly ClusterInfo[]
}
