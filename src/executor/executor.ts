/**
 * `Executor`: runs named functions on a pool of workers (concurrent.futures `Executor`).
 *
 * How it stays fast: jobs given to a worker in one turn go out as one message and come back as
 * one; each worker has a window of jobs in flight sized from the measured run time (deep for tiny
 * jobs, one for long ones, so a long job does not hold short ones hostage on a busy worker).
 *
 * How it stays exact: a worker runs its jobs one at a time in the order sent and answers in that
 * order, so the executor always knows which job a worker is on. That is what lets it start run
 * timers, blame exactly one job for a crash and send every other job back to the queue.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import {
  CancelledError,
  checkCount,
  checkMs,
  DataCloneError,
  DeadlockError,
  describe,
  ExecutorShutDownError,
  TimeoutError,
  VerdantInternalError,
  WorkerCrashedError,
} from '../errors.js'
import { abortError } from '../core/op.js'
import { reportNow } from '../core/report.js'
import { RingBuffer } from '../queue/ring-buffer.js'
import { wait } from '../future/wait.js'
import { realClock } from '../platform/clock.js'
import type { Transferable } from 'node:worker_threads'
import { Histogram, type Quantiles } from './histogram.js'
import { GONE, type JobOwner, JobFuture, OUTBOX, QUEUED, SENT } from './job-future.js'
import {
  CANCEL,
  CHILD_DONE,
  CLOSE,
  CRASH,
  deserializeError,
  EXPIRED,
  INIT_FAILED,
  JOBS,
  JOBS_AT,
  JOB_FIELDS,
  REPORT_FIRST,
  OK,
  READY,
  RESULTS,
  serializeError,
  SKIPPED,
  SUBMIT,
  THREW,
  UNCLONEABLE,
  type SerializedError,
  type ThrownValue,
} from './protocol.js'
import { checkTaskRef, existingModule, taskRef, type TaskRef, type WorkerFn } from './task-ref.js'
import type { SpawnSettings, WorkerEvents, WorkerExit, WorkerHandle } from './worker-handle.js'
import { WorkerSlot } from './worker-slot.js'

/** Options shared by both executors. @since 0.1.0 */
export interface ExecutorOptions {
  /** Most workers at once; default: the number of CPUs (`os.availableParallelism()`). */
  readonly maxWorkers?: number | undefined
  /** Workers started at once and kept when idle; default 0. */
  readonly minWorkers?: number | undefined
  /** An idle worker above `minWorkers` leaves after this many ms; default 30000 (`Infinity`: never). */
  readonly idleTimeoutMs?: number | undefined
  /** A worker is replaced after this many jobs (Python's `max_tasks_per_child`); default unlimited. */
  readonly maxTasksPerWorker?: number | undefined
  /** Runs once in each worker before its first job; if it throws, the executor is broken. */
  readonly initializer?: TaskRef<WorkerFn> | undefined
  /** Arguments for `initializer`. */
  readonly initArgs?: readonly unknown[] | undefined
  /** Names the workers (thread names, error messages). */
  readonly name?: string | undefined
  /**
   * Node flags for the workers, e.g. `['--import', 'tsx']` to load TypeScript task modules, used as
   * given. Default: the parent's `process.execArgv` without the flags a worker cannot share: those
   * for the main entry only (`-e`, `-p`, `--input-type`, `--watch`, `--test`, ...) and the
   * inspector's (a child process gets `--inspect=0`, a port of its own); loaders and preloads stay.
   */
  readonly execArgv?: readonly string[] | undefined
  /** A cancelled running job that has not stopped after this many ms has its worker replaced; default 1000. */
  readonly killAfterMs?: number | undefined
}

/**
 * Per-job options, for `submit(opts, fn, ...args)` and `submitWith`. Time limits are in ms.
 * @since 0.1.0
 */
export interface SubmitOptions {
  /** The job fails with `TimeoutError` and never starts if it waited this long for a worker. */
  readonly queueTimeoutMs?: number | undefined
  /**
   * The job fails with `TimeoutError` and is cancelled if it runs this long, counted from when it
   * starts running (time waiting for a worker is not charged), as a pool's `timeout` counts from
   * when its task gets a slot. The same limit as `runTimeoutMs`; give one of the two.
   * @since 0.2.0
   */
  readonly timeout?: number | undefined
  /** The job fails with `TimeoutError` and is cancelled if it runs this long (same as `timeout`). */
  readonly runTimeoutMs?: number | undefined
  /** Overrides the executor's `killAfterMs` for this job. */
  readonly killAfterMs?: number | undefined
  /** Objects to move, not copy, to the worker: `ArrayBuffer`s, `MessagePort`s (threads only). */
  readonly transfer?: readonly Transferable[] | undefined
  /** Aborting it cancels the job. */
  readonly signal?: AbortSignal | undefined
  /**
   * Declares the job safe to run again: if its worker dies while it runs, or after it ran but
   * before its result was sent, it is run again, up to this many more times (default: the task's
   * own `retries` from `defineTask`, else 0: such a job fails with `WorkerCrashedError`). Its
   * future's `attempts` says how many runs it took. A run timeout, a cancellation or an error the
   * job throws is never retried.
   * @since 0.2.0
   */
  readonly retries?: number | undefined
}

/** `SubmitOptions` checked, with the executor's defaults applied. */
interface JobOptions {
  readonly queueTimeoutMs: number | undefined
  readonly runTimeoutMs: number | undefined
  readonly killAfterMs: number
  readonly transfer: readonly Transferable[] | undefined
  readonly signal: AbortSignal | undefined
  readonly retries: number
}

/** Options of `executor.map`. @since 0.1.0 */
export interface ExecutorMapOptions {
  /** Items per job; default 1. Larger chunks amortize the per-job cost for tiny functions. */
  readonly chunksize?: number | undefined
  /** All results must arrive within this many ms of the call, else `TimeoutError`. */
  readonly timeout?: number | undefined
  /** Yield in input order (default) or as they complete. */
  readonly ordered?: boolean | undefined
  /** Chunks in flight at once; default twice `maxWorkers`. */
  readonly window?: number | undefined
  /** Aborting it cancels what is in flight and ends the iteration with the reason. */
  readonly signal?: AbortSignal | undefined
}

/** Options of `shutdown`. @since 0.1.0 */
export interface ExecutorShutdownOptions {
  /** Resolve only when every job has settled and every worker has exited (default true). */
  readonly wait?: boolean | undefined
  /**
   * Cancel every job (default false): queued and sent ones never start, running ones have their
   * `jobSignal()` aborted and their worker terminated if it has not finished within `killAfterMs`.
   */
  readonly cancelFutures?: boolean | undefined
}

/** One worker in `stats.workers`. @since 0.1.0 */
export interface WorkerStats {
  readonly id: number
  readonly state: 'starting' | 'ready' | 'retiring' | 'closing' | 'dead'
  /** Jobs it finished. */
  readonly completed: number
  /** Share of its lifetime spent running jobs, 0 to 1. */
  readonly utilization: number
}

/** A snapshot of an executor. @since 0.1.0 */
export interface ExecutorStats {
  /** Waiting for a worker. */
  readonly queued: number
  /** Sent to a worker, not finished. */
  readonly running: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
  /** Workers that died without being asked to: an exit, a signal, running out of memory, an uncaught error. */
  readonly crashes: number
  /**
   * Workers the executor terminated because a job did not stop when cancelled or timed out, or
   * at a shutdown with `cancelFutures`. Not counted in `crashes`.
   * @since 0.2.0
   */
  readonly terminated: number
  readonly workers: readonly WorkerStats[]
  /** Time jobs ran, in µs. */
  readonly runTime: Quantiles
  /** Time jobs waited before running, in µs. */
  readonly waitTime: Quantiles
}

type Spawn = (s: SpawnSettings, events: WorkerEvents) => WorkerHandle

/** Start of the adaptive window: enough to pipeline, few enough to spread long jobs. */
const INITIAL_RUN_MICROS = 500
/** Each worker gets about this much work in flight. */
const WINDOW_MICROS = 2000
const MAX_WINDOW = 1024
/** One pick in this many ignores the answer delays, so a worker judged slow gets measured again. */
const EXPLORE = 512
/** Another idle worker takes over from the last one picked when it answers in under this share of its time. */
const SWITCH_RATIO = 0.75
/** Weight of the newest sample in a worker's smoothed answer delay. */
const ANSWER_WEIGHT = 0.2
/** Workers failing to start this many times in a row break the executor. */
const MAX_START_FAILURES = 3

let nextJobId = 0

/**
 * What both executors share: the queue, the dispatch to workers, timeouts, cancellation, crashes,
 * shutdown and stats. Use `ThreadPoolExecutor` or `ProcessPoolExecutor`.
 * @since 0.1.0
 */
export abstract class Executor implements JobOwner, AsyncDisposable {
  /** Most workers at once. */
  readonly maxWorkers: number
  readonly #minWorkers: number
  readonly #idleTimeoutMs: number
  readonly #maxTasks: number
  readonly #killAfterMs: number
  readonly #settings: SpawnSettings
  readonly #spawn: Spawn
  readonly #queue = new RingBuffer<JobFuture<unknown>>()
  #queued = 0
  #slots: WorkerSlot[] = []
  #nextSlot = 1
  readonly #refs: TaskRef<WorkerFn>[] = []
  readonly #refIndex = new Map<string, number>()
  readonly #refByObject = new WeakMap<TaskRef<WorkerFn>, number>()
  #state: 'open' | 'shutting-down' | 'closed' = 'open'
  #broken: Error | undefined = undefined
  #startFailures = 0
  #flushQueued = false
  #avgRunMicros = INITIAL_RUN_MICROS
  /** Dispatch decisions made, for the exploring ones. */
  #picks = 0
  /** The worker given the last job (a reference: `#slots` shifts when a worker leaves). */
  #lastPick: WorkerSlot | undefined = undefined
  #running = 0
  #completed = 0
  #failed = 0
  #cancelled = 0
  #crashes = 0
  #terminated = 0
  readonly #runTime = new Histogram()
  readonly #waitTime = new Histogram()
  #closed: Promise<void> | undefined = undefined
  #resolveClosed: (() => void) | undefined = undefined

  /** @internal */
  constructor(opts: ExecutorOptions, kind: string, spawn: Spawn, extra: Partial<SpawnSettings> = {}) {
    const o = opts as ExecutorOptions | undefined
    if (typeof o !== 'object' || o === null) {
      throw new TypeError(`${kind} options must be an object, got ${describe(opts)}`)
    }
    this.maxWorkers = checkCount('maxWorkers', o.maxWorkers ?? availableParallelism(), 1)
    this.#minWorkers = checkCount('minWorkers', o.minWorkers ?? 0, 0)
    if (this.#minWorkers > this.maxWorkers) {
      throw new RangeError(
        `minWorkers (${String(this.#minWorkers)}) must not exceed maxWorkers (${String(this.maxWorkers)})`,
      )
    }
    this.#idleTimeoutMs = checkMs('idleTimeoutMs', o.idleTimeoutMs ?? 30_000)
    this.#maxTasks =
      o.maxTasksPerWorker === undefined ? Infinity : checkCount('maxTasksPerWorker', o.maxTasksPerWorker, 1)
    this.#killAfterMs = checkMs('killAfterMs', o.killAfterMs ?? 1000)
    const init = o.initializer === undefined ? undefined : checkTaskRef(o.initializer, `${kind} initializer`)
    const initArgs = o.initArgs as unknown
    if (initArgs !== undefined && !Array.isArray(initArgs)) {
      throw new TypeError(`${kind} option \`initArgs\` must be an array, got ${describe(initArgs)}`)
    }
    const name = o.name as unknown
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`${kind} option \`name\` must be a string, got ${describe(name)}`)
    }
    for (const key of ['env', 'resourceLimits'] as const) {
      const v = extra[key] as unknown
      if (v !== undefined && (typeof v !== 'object' || v === null)) {
        throw new TypeError(`${kind} option \`${key}\` must be an object, got ${describe(v)}`)
      }
    }
    this.#settings = {
      name: o.name ?? kind,
      execArgv: o.execArgv === undefined ? extra.execArgv : checkExecArgv(o.execArgv, kind),
      env: extra.env,
      resourceLimits: extra.resourceLimits,
      init: {
        initializer:
          init === undefined ? undefined : { moduleUrl: init.moduleUrl, exportName: init.exportName },
        initArgs: [...(o.initArgs ?? [])],
      },
    }
    this.#spawn = spawn
    for (let i = 0; i < this.#minWorkers; i++) this.#startWorker()
  }

  /** True once `shutdown()` was called. */
  get isShutDown(): boolean {
    return this.#state !== 'open'
  }

  /**
   * Runs `fn(...args)` on a worker; the future settles with its value or error. Per-job options
   * (time limits, a signal, a transfer list; since 0.2.0) go first, so the arguments stay those
   * of `fn`.
   * **Throws** `ExecutorShutDownError` after `shutdown()`; `TypeError` for a bad reference, a
   * module file that does not exist (`code` `'ERR_MODULE_NOT_FOUND'`, checked when the executor
   * first meets the module) or bad options; `RangeError` for a negative or non-numeric time limit.
   *
   * **Cancellation**: cancelling the future (or its `signal`, or killing a task waiting on it through
   * `yield* job` or `ctx.call(job)`) withdraws the job: a queued or sent job that has not started
   * never runs; a running one sees `jobSignal()` abort and its worker is terminated if it has not
   * stopped within `killAfterMs`; a job that already finished keeps its effects, only its result is
   * dropped. A `timeout` passed to `get()` stops the wait, not the job (`timeout` in the options
   * stops the job).
   *
   * @example
   * const sum = await executor.submit(add, 1, 2)
   * const hash = await executor.submit({ timeout: 5000, signal }, sha256, bytes)
   * @since 0.1.0
   */
  submit<F extends WorkerFn>(fn: TaskRef<F>, ...args: Parameters<F>): JobFuture<Awaited<ReturnType<F>>>
  submit<F extends WorkerFn>(
    opts: SubmitOptions,
    fn: TaskRef<F>,
    ...args: Parameters<F>
  ): JobFuture<Awaited<ReturnType<F>>>
  submit(first: unknown, ...rest: unknown[]): JobFuture<unknown> {
    // A TaskRef is a function (defineTask) or an object with a module URL: anything else that is
    // an object is the options.
    if (typeof first === 'object' && first !== null && !('moduleUrl' in first) && !('exportName' in first)) {
      return this.#submit(rest[0], rest.slice(1), first, 'submit()')
    }
    return this.#submit(first, rest, undefined, 'submit()')
  }

  /**
   * `submit` with the arguments as an array: per-job time limits for the queue and the run, a
   * transfer list, a signal. Throws as `submit` does.
   *
   * @example
   * const f = executor.submitWith(resize, [image], { queueTimeoutMs: 100, timeout: 2000, transfer: [image.buffer] })
   * @since 0.1.0
   */
  submitWith<F extends WorkerFn>(
    fn: TaskRef<F>,
    args: Parameters<F>,
    opts: SubmitOptions | undefined,
  ): JobFuture<Awaited<ReturnType<F>>> {
    return this.#submit(fn, args, opts, 'submitWith()') as JobFuture<Awaited<ReturnType<F>>>
  }

  #submit(fn: unknown, args: unknown, opts: unknown, what: string): JobFuture<unknown> {
    this.#checkOpen('submit')
    const ref = checkTaskRef(fn, what)
    if (!Array.isArray(args))
      throw new TypeError(`${what} needs the arguments as an array, got ${describe(args)}`)
    const o = opts === undefined ? this.#refOptions(ref) : this.#jobOptions(opts, what, ref)
    return this.#enqueue(this.#indexOf(ref), ref.exportName, args, o)
  }

  /** The options of a job submitted without any: undefined unless its task declares retries. */
  #refOptions(ref: TaskRef<WorkerFn>): JobOptions | undefined {
    const retries = ref.retries ?? 0
    if (retries === 0) return undefined
    return {
      queueTimeoutMs: undefined,
      runTimeoutMs: undefined,
      killAfterMs: this.#killAfterMs,
      transfer: undefined,
      signal: undefined,
      retries,
    }
  }

  /** Checks every option before anything is queued or armed. */
  #jobOptions(opts: unknown, what: string, ref: TaskRef<WorkerFn>): JobOptions {
    if (typeof opts !== 'object' || opts === null) {
      throw new TypeError(`${what} options must be an object, got ${describe(opts)}`)
    }
    const o = opts as SubmitOptions
    if (o.timeout !== undefined && o.runTimeoutMs !== undefined) {
      throw new TypeError(`${what} takes \`timeout\` or \`runTimeoutMs\` (the same limit), not both`)
    }
    checkSignalOption(what, o.signal)
    const transfer = o.transfer as unknown
    if (transfer !== undefined && !Array.isArray(transfer)) {
      throw new TypeError(`${what} option \`transfer\` must be an array, got ${describe(transfer)}`)
    }
    return {
      queueTimeoutMs:
        o.queueTimeoutMs === undefined ? undefined : checkMs('queueTimeoutMs', o.queueTimeoutMs),
      runTimeoutMs:
        o.timeout !== undefined
          ? checkMs('timeout', o.timeout)
          : o.runTimeoutMs === undefined
            ? undefined
            : checkMs('runTimeoutMs', o.runTimeoutMs),
      killAfterMs: o.killAfterMs === undefined ? this.#killAfterMs : checkMs('killAfterMs', o.killAfterMs),
      transfer: o.transfer,
      signal: o.signal,
      retries: o.retries === undefined ? (ref.retries ?? 0) : checkCount('retries', o.retries, 0),
    }
  }

  /**
   * Runs `fn` on every item, lazily and with a bounded number of jobs in flight, yielding results
   * in input order (or as they complete with `ordered: false`). The first failure cancels what is
   * in flight and is thrown; stopping the iteration early cancels it too.
   *
   * **Cancellation**: leaving the loop early (`break`, a throw), its `signal`, its `timeout` or the
   * first failure cancels every chunk in flight as `submit` describes, and no further item is read
   * from the input, which is closed (`return()`). Chunks already yielded stay yielded.
   *
   * @example
   * for await (const n of executor.map(square, [1, 2, 3], { chunksize: 64 })) console.log(n)
   * @since 0.1.0
   */
  map<T, R>(
    fn: TaskRef<(item: T) => R>,
    items: Iterable<T> | AsyncIterable<T>,
    opts: ExecutorMapOptions = {},
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    // Checked here, not in the generator: its body runs only when the first result is awaited,
    // far from the call that was wrong.
    this.#checkOpen('map')
    const ref = checkTaskRef(fn, 'map()')
    const o = opts as ExecutorMapOptions | undefined
    if (typeof o !== 'object' || o === null) {
      throw new TypeError(`map() options must be an object, got ${describe(opts)}`)
    }
    const src = items as unknown
    if (
      typeof src !== 'string' &&
      (typeof src !== 'object' ||
        src === null ||
        (typeof (src as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] !== 'function' &&
          typeof (src as Partial<Iterable<T>>)[Symbol.iterator] !== 'function'))
    ) {
      throw new TypeError(`map() needs an iterable or async iterable of items, got ${describe(items)}`)
    }
    const signal = checkSignalOption('map()', o.signal)
    const ordered = o.ordered as unknown
    if (ordered !== undefined && typeof ordered !== 'boolean') {
      throw new TypeError(`map() option \`ordered\` must be a boolean, got ${describe(ordered)}`)
    }
    return this.#map<T, R>(ref.exportName, this.#indexOf(ref), items, {
      chunksize: checkCount('chunksize', o.chunksize ?? 1, 1),
      window: checkCount('window', o.window ?? this.maxWorkers * 2, 1),
      ordered: ordered ?? true,
      timeoutMs: o.timeout === undefined ? undefined : checkMs('timeout', o.timeout),
      signal,
    })
  }

  async *#map<T, R>(
    name: string,
    index: number,
    items: Iterable<T> | AsyncIterable<T>,
    o: {
      chunksize: number
      window: number
      ordered: boolean
      timeoutMs: number | undefined
      signal: AbortSignal | undefined
    },
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    const { chunksize, window, ordered, timeoutMs, signal } = o
    // The whole map's limit runs on real time, as every executor timer does: the jobs run on real
    // time in their workers, and a virtual clock (which `wait`'s own timeout would follow) could
    // neither bound them nor be measured against `performance.now()`.
    const limit = timeoutMs === undefined ? undefined : new AbortController()
    const limitTimer =
      limit === undefined || timeoutMs === undefined
        ? undefined
        : realClock.setTimer(timeoutMs, () => {
            limit.abort(new TimeoutError('map() did not finish within its timeout'))
          })
    const onAbort = (): void => {
      limit?.abort(signal?.reason)
    }
    if (limit !== undefined) signal?.addEventListener('abort', onAbort, { once: true })
    const waitSignal = limit?.signal ?? signal
    const chunkIndex = -index - 1
    const it =
      typeof (items as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function'
        ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (items as Iterable<T>)[Symbol.iterator]()
    const inflight: JobFuture<Awaited<R>[]>[] = []
    let exhausted = false
    let taken = 0
    try {
      for (;;) {
        while (!exhausted && inflight.length < window) {
          const chunk: T[] = []
          while (chunk.length < chunksize) {
            const r = await it.next()
            if (r.done === true) {
              exhausted = true
              break
            }
            chunk.push(r.value)
          }
          if (chunk.length === 0) break
          this.#checkOpen('map')
          const job = this.#enqueue(chunkIndex, name, chunk, undefined) as JobFuture<Awaited<R>[]>
          job._first = taken
          taken += chunk.length
          // Its outcome reaches the caller through the iteration, or is cancelled with it.
          job._observed = true
          inflight.push(job)
        }
        const head = inflight[0]
        if (head === undefined) return
        const next = ordered ? head : inflight.find((job) => job.done)
        if (next === undefined || !next.done) {
          if (waitSignal?.aborted === true) throw abortError(waitSignal)
          await wait(ordered ? [head] : inflight, { returnWhen: 'FIRST_COMPLETED', signal: waitSignal })
          continue
        }
        inflight.splice(inflight.indexOf(next), 1)
        for (const v of next.result()) yield v
      }
    } finally {
      limitTimer?.cancel()
      signal?.removeEventListener('abort', onAbort)
      for (const job of inflight) job.cancel('map() was closed')
      if (!exhausted) await it.return?.()
    }
  }

  /**
   * Stops accepting jobs. By default waits until every queued and running job has settled and every
   * worker has exited. `cancelFutures` cancels every job instead: those not started never run, the
   * running ones see their `jobSignal()` abort, and each worker still there `killAfterMs` later is
   * terminated, so the shutdown ends within about `killAfterMs`. Idempotent.
   * @since 0.1.0
   */
  shutdown(opts: ExecutorShutdownOptions = {}): Promise<void> {
    // Checked before anything changes: a bad call must not leave the executor half shut down.
    const o = opts as ExecutorShutdownOptions | undefined
    if (typeof o !== 'object' || o === null) {
      throw new TypeError(`shutdown() options must be an object, got ${describe(opts)}`)
    }
    for (const key of ['wait', 'cancelFutures'] as const) {
      const v = o[key] as unknown
      if (v !== undefined && typeof v !== 'boolean') {
        throw new TypeError(`shutdown() option \`${key}\` must be a boolean, got ${describe(v)}`)
      }
    }
    if (this.#state === 'open') this.#state = 'shutting-down'
    if (o.cancelFutures === true) this.#cancelAll('the executor was shut down')
    this.#closed ??= new Promise<void>((resolve) => {
      this.#resolveClosed = resolve
    })
    this.#closeIfDone()
    return (o.wait ?? true) ? this.#closed : Promise.resolve()
  }

  /** `await using executor = new ThreadPoolExecutor()` shuts it down, waiting. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true })
  }

  /** Counts, per-worker utilization and time quantiles: a new snapshot each call. */
  stats(): ExecutorStats {
    const now = performance.now()
    return {
      queued: this.#queued,
      running: this.#running,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      crashes: this.#crashes,
      terminated: this.#terminated,
      workers: this.#slots.map((s) => ({
        id: s.id,
        state: s.state,
        completed: s.completed,
        utilization: Math.min(1, s.busyMicros / 1000 / Math.max(1e-3, now - s.startedAt)),
      })),
      runTime: this.#runTime.snapshot(),
      waitTime: this.#waitTime.snapshot(),
    }
  }

  /** @internal */
  _withdraw(job: JobFuture<unknown>): void {
    this.#cancelled++
    this.#clearTimers(job)
    const slot = job._slot
    if (this.#unqueue(job)) {
      if (slot !== undefined) this.#afterAnswer(slot)
    } else if (job._at === SENT && slot !== undefined) {
      this.#post(slot, [CANCEL, job._id])
      // Armed whether or not it looks like the head: the worker may hold the results of the jobs
      // before it while it runs this one.
      this.#armKill(slot, job)
    }
  }

  /**
   * Takes a job that was not sent yet out of the queue or its worker's outbox; false if it was
   * sent (or is gone). A queued job stays in the ring and is skipped when reached: removal from the
   * middle would be O(n).
   */
  #unqueue(job: JobFuture<unknown>): boolean {
    if (job._at === QUEUED) this.#queued--
    else if (job._at === OUTBOX) {
      const outbox = (job._slot as WorkerSlot).outbox
      outbox.splice(outbox.indexOf(job), 1)
      this.#running--
    } else return false
    job._at = GONE
    job._args = undefined
    return true
  }

  #checkOpen(what: string): void {
    if (this.#broken !== undefined) {
      throw new ExecutorShutDownError(`cannot ${what}: the executor is broken: ${this.#broken.message}`, {
        cause: this.#broken,
      })
    }
    if (this.#state !== 'open') throw new ExecutorShutDownError(`cannot ${what} after shutdown()`)
  }

  #indexOf(ref: TaskRef<WorkerFn>): number {
    // By object first: building and hashing the string key of a long module URL on every submit
    // showed in profiles. The check keeps a ref object that was changed after its first use right.
    const known = this.#refByObject.get(ref)
    if (known !== undefined) {
      const r = this.#refs[known] as TaskRef<WorkerFn>
      if (r.moduleUrl === ref.moduleUrl && r.exportName === ref.exportName) return known
    }
    const key = `${ref.exportName}\0${ref.moduleUrl}`
    let i = this.#refIndex.get(key)
    if (i === undefined) {
      // Once per module and export: a missing file fails the call that names it, not each job.
      existingModule(ref.moduleUrl, ref.exportName)
      i = this.#refs.length
      this.#refs.push({ moduleUrl: ref.moduleUrl, exportName: ref.exportName })
      this.#refIndex.set(key, i)
    }
    this.#refByObject.set(ref, i)
    return i
  }

  #enqueue(
    fn: number,
    name: string,
    args: unknown[],
    opts: JobOptions | undefined,
    child = false,
  ): JobFuture<unknown> {
    // Ids wrap within an Int32: a thread worker writes the running one to a shared word.
    nextJobId = nextJobId === 0x7fffffff ? 1 : nextJobId + 1
    const killAfter = opts === undefined ? this.#killAfterMs : opts.killAfterMs
    const job = new JobFuture<unknown>(this, nextJobId, fn, name, args, opts?.transfer, killAfter)
    if (child) {
      // Its outcome goes back to the job that submitted it.
      job._child = true
      job._observed = true
    }
    if (opts !== undefined) {
      const signal = opts.signal
      if (signal?.aborted === true) {
        job._at = GONE
        this.#cancelled++
        cancelWithdrawn(job, signal.reason)
        return job
      }
      if (opts.queueTimeoutMs !== undefined) {
        const ms = opts.queueTimeoutMs
        job._queueDeadline = Date.now() + ms
        job._queueTimer = realClock.setTimer(ms, () => {
          this.#expire(job, ms)
        })
      }
      job._runTimeoutMs = opts.runTimeoutMs
      job._retries = opts.retries
      if (signal !== undefined) {
        const onAbort = (): void => {
          job.cancel(describe(signal.reason))
        }
        signal.addEventListener('abort', onAbort, { once: true })
        job._listen(() => {
          signal.removeEventListener('abort', onAbort)
        })
      }
    }
    this.#queue.push(job)
    this.#queued++
    this.#pump()
    return job
  }

  /** A queued job waited longer than `queueTimeoutMs`. */
  #expire(job: JobFuture<unknown>, ms: number): void {
    job._queueTimer = undefined
    if (job.done) return
    if (!this.#unqueue(job)) {
      // Sent but not started: the worker checks the same deadline and skips it.
      if (job._headAt !== 0 || job._slot === undefined) return
      this.#post(job._slot, [CANCEL, job._id])
    }
    this.#failed++
    job._settle(
      'failed',
      new TimeoutError(`job ${job._name} waited more than ${String(ms)} ms in the queue and was not started`),
    )
  }

  /** Cancels every job wherever it is, and gives each worker `killAfterMs` to be gone. */
  #cancelAll(msg: string): void {
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      if (job._at === QUEUED) job.cancel(msg)
    }
    for (const slot of [...this.#slots]) {
      for (const job of [...slot.outbox]) job.cancel(msg)
      for (const job of inflightOf(slot)) if (!job.done) job.cancel(msg)
      this.#armStop(slot)
    }
  }

  /**
   * A bound on the worker as a whole, not on one job: which job it is on may not be known (held
   * results, a process), and a worker stuck in its initializer or busy with a job cancelled
   * before would otherwise keep the shutdown waiting for ever.
   */
  #armStop(slot: WorkerSlot): void {
    const ms = this.#killAfterMs
    if (slot.state === 'dead' || slot.stopTimer !== undefined || ms === Infinity) return
    slot.stopTimer = realClock.setTimer(ms, () => {
      slot.stopTimer = undefined
      if (slot.state === 'dead') return
      slot.killReason ??= `the executor shut down and its jobs did not stop within ${String(ms)} ms of being cancelled`
      slot.stopKilled = true
      slot.handle.terminate()
    })
  }

  // ---- dispatch ----

  #window(): number {
    return Math.max(1, Math.min(MAX_WINDOW, Math.floor(WINDOW_MICROS / Math.max(1, this.#avgRunMicros))))
  }

  /** Gives queued jobs to workers: an idle one first, else a new one, else the least loaded. */
  #pump(): void {
    while (this.#queued > 0) {
      let best: WorkerSlot | undefined
      let live = 0
      // Among equally loaded workers the last one picked keeps the job unless another answers
      // clearly faster. How fast a thread wakes depends on where the OS put it: on a VM a worker
      // sharing the caller's CPU answered a lone job in 8 µs and one on the other CPU in 80, while
      // on one CPU alternating between equal workers doubled the p99. Every EXPLORE-th pick starts
      // from another worker instead, so that every estimate stays fresh.
      const slots = this.#slots
      const n = slots.length
      const explore = this.#picks++ % EXPLORE === 0 && n > 1
      const last = this.#lastPick === undefined ? -1 : slots.indexOf(this.#lastPick)
      // An exploring pick starts from one of the others, in turn: measuring the last one again
      // would teach nothing.
      const first = explore
        ? (last + 1 + (Math.floor(this.#picks / EXPLORE) % (n - 1))) % n
        : Math.max(0, last)
      for (let k = 0; k < n; k++) {
        const s = slots[(first + k) % n] as WorkerSlot
        if (s.state === 'starting' || s.state === 'ready') live++
        else continue
        if (s.blocked > 0) continue
        if (
          best === undefined ||
          s.load < best.load ||
          (!explore && s.load === best.load && s.answerMicros < best.answerMicros * SWITCH_RATIO)
        ) {
          best = s
        }
      }
      if (
        (best === undefined || best.load > 0) &&
        live < this.maxWorkers &&
        this.#startFailures < MAX_START_FAILURES
      ) {
        best = this.#startWorker()
      }
      if (best === undefined || best.load >= Math.min(this.#window(), this.#maxTasks - best.given)) {
        if (best === undefined && live >= this.maxWorkers) this.#detectDeadlock()
        return
      }
      const job = this.#queue.shift() as JobFuture<unknown>
      if (job._at !== QUEUED) continue
      this.#queued--
      if (best !== this.#lastPick) {
        best.answerStale = true
        this.#lastPick = best
      }
      this.#give(best, job)
    }
  }

  #give(slot: WorkerSlot, job: JobFuture<unknown>): void {
    job._at = OUTBOX
    job._slot = slot
    this.#running++
    slot.outbox.push(job)
    slot.given++
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer)
      slot.idleTimer = undefined
    }
    if (!slot.referenced) {
      slot.referenced = true
      slot.handle.ref()
    }
    if (slot.given >= this.#maxTasks && slot.state !== 'retiring') {
      // Recycling: the replacement starts now, before this worker leaves.
      slot.state = 'retiring'
      if (this.#state === 'open') this.#startWorker()
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true
      queueMicrotask(this.#flushAll)
    }
  }

  readonly #flushAll = (): void => {
    this.#flushQueued = false
    for (const slot of this.#slots) if (slot.outbox.length > 0) this.#flush(slot)
  }

  /** Sends a worker everything given to it this turn, as one message. */
  #flush(slot: WorkerSlot): void {
    const jobs = slot.outbox
    slot.outbox = []
    const msg = new Array<unknown>(JOBS_AT + jobs.length * JOB_FIELDS)
    let defs: unknown[] | null = null
    let transfer: Transferable[] | undefined
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as JobFuture<unknown>
      const fi = job._fn < 0 ? -job._fn - 1 : job._fn
      if (slot.known[fi] !== true) {
        const ref = this.#refs[fi] as TaskRef<WorkerFn>
        ;(defs ??= []).push(fi, ref.moduleUrl, ref.exportName)
      }
      const at = JOBS_AT + i * JOB_FIELDS
      msg[at] = job._id
      msg[at + 1] = job._fn
      msg[at + 2] = job._args
      msg[at + 3] = job._queueDeadline
      msg[at + 4] = jobFlags(job)
      if (job._transfer !== undefined) (transfer ??= []).push(...job._transfer)
    }
    msg[0] = JOBS
    msg[1] = defs
    try {
      slot.handle.send(msg, transfer)
    } catch {
      // Something in the batch cannot be cloned: send the jobs one by one and fail only those.
      this.#sendEach(slot, jobs)
      return
    }
    this.#sent(slot, jobs, defs)
  }

  #sent(slot: WorkerSlot, jobs: JobFuture<unknown>[], defs: unknown[] | null): void {
    if (defs !== null) for (let i = 0; i < defs.length; i += 3) slot.known[defs[i] as number] = true
    for (const job of jobs) {
      job._at = SENT
      slot.inflight.push(job)
    }
    this.#armHead(slot)
  }

  #sendEach(slot: WorkerSlot, jobs: JobFuture<unknown>[]): void {
    for (const job of jobs) {
      const fi = job._fn < 0 ? -job._fn - 1 : job._fn
      const ref = this.#refs[fi] as TaskRef<WorkerFn>
      const defs = slot.known[fi] === true ? null : [fi, ref.moduleUrl, ref.exportName]
      try {
        slot.handle.send(
          [JOBS, defs, job._id, job._fn, job._args, job._queueDeadline, jobFlags(job)],
          job._transfer,
        )
      } catch (err) {
        job._at = GONE
        this.#running--
        this.#failed++
        this.#clearTimers(job)
        job._settle('failed', cloneError(job, err, slot.handle))
        continue
      }
      this.#sent(slot, [job], defs)
    }
    this.#afterAnswer(slot)
  }

  #post(slot: WorkerSlot, msg: unknown[]): void {
    if (slot.state === 'dead') return
    try {
      slot.handle.send(msg)
    } catch (err) {
      reportNow(err, `a message to worker ${String(slot.id)}`)
    }
  }

  // ---- workers ----

  #startWorker(): WorkerSlot {
    const slot = new WorkerSlot(this.#nextSlot++)
    this.#slots.push(slot)
    slot.handle = this.#spawn(
      { ...this.#settings, name: `${this.#settings.name}-${String(slot.id)}` },
      {
        message: (msg) => {
          this.#onMessage(slot, msg)
        },
        exit: (how) => {
          this.#onExit(slot, how)
        },
      },
    )
    return slot
  }

  #onMessage(slot: WorkerSlot, msg: unknown[]): void {
    switch (msg[0]) {
      case RESULTS:
        this.#onResults(slot, msg)
        return
      case READY:
        if (slot.state === 'starting') slot.state = 'ready'
        this.#startFailures = 0
        this.#armHead(slot)
        return
      case SUBMIT:
        this.#onChildSubmit(slot, msg)
        return
      case INIT_FAILED:
        this.#break(
          asError(deserializeError(msg[1] as SerializedError | ThrownValue), 'the initializer failed'),
        )
        return
      case CRASH:
        slot.killReason = `uncaught ${describe(deserializeError(msg[1] as SerializedError | ThrownValue))}`
        return
    }
  }

  /** `flat` is the RESULTS message: its quadruples start after the header. */
  #onResults(slot: WorkerSlot, flat: unknown[]): void {
    const now = performance.now()
    let sumRun = 0
    const n = (flat.length - 1) / 4
    const headAt = slot.inflight.peekFirst()?._headAt ?? 0
    for (let i = 1; i < flat.length; i += 4) {
      const job = slot.inflight.shift()
      if (job === undefined || job._id !== flat[i]) {
        reportNow(
          new VerdantInternalError(`worker ${String(slot.id)} answered job ${String(flat[i])} out of order`),
          'an executor',
        )
        continue
      }
      const run = flat[i + 3] as number
      const status = flat[i + 1]
      if (status !== SKIPPED && status !== EXPIRED) job._attempts++
      sumRun += run
      slot.busyMicros += run
      slot.completed++
      job._at = GONE
      job._args = undefined
      this.#running--
      this.#clearTimers(job)
      if (job.done) continue
      if (status === OK) {
        this.#completed++
        this.#runTime.record(run)
        this.#waitTime.record(Math.max(0, (now - job._submittedAt) * 1000 - run))
        job._settle('succeeded', flat[i + 2])
        continue
      }
      this.#failed++
      if (status === THREW) {
        this.#runTime.record(run)
        job._settle('failed', deserializeError(flat[i + 2] as SerializedError | ThrownValue))
      } else if (status === EXPIRED) {
        job._settle(
          'failed',
          new TimeoutError(`job ${job._name} waited too long in the queue and was not started`),
        )
      } else if (status === UNCLONEABLE) {
        job._settle(
          'failed',
          new DataCloneError(
            `the result of ${job._name}() cannot be sent back from the worker: ${String(flat[i + 2])}`,
          ),
        )
      } else if (status === SKIPPED) {
        this.#failed--
        this.#cancelled++
        cancelWithdrawn(job, undefined)
      }
    }
    if (n > 0) this.#avgRunMicros = this.#avgRunMicros * 0.7 + (sumRun / n) * 0.3
    if (n === 1 && headAt !== 0 && slot.inflight.size === 0) {
      // A lone job: its round trip less its run time is how fast this worker answers.
      const delay = Math.max(0, (now - headAt) * 1000 - sumRun)
      // A worker coming back into use may have moved since it was last measured.
      slot.answerMicros =
        slot.answerMicros === 0 || slot.answerStale
          ? delay
          : slot.answerMicros * (1 - ANSWER_WEIGHT) + delay * ANSWER_WEIGHT
      slot.answerStale = false
    }
    this.#armHead(slot)
    this.#afterAnswer(slot)
  }

  /** Starts the clock of the job the worker is now on: its run time limit, or its kill deadline. */
  #armHead(slot: WorkerSlot): void {
    if (slot.state === 'starting') return
    const job = slot.inflight.peekFirst()
    if (job === undefined || job._headAt !== 0) return
    job._headAt = performance.now()
    // A cancelled job already has its kill armed from the cancel: reaching the head must not
    // postpone it.
    if (job.done) {
      if (job._timer === undefined) this.#armKill(slot, job)
    } else if (job._runTimeoutMs !== undefined && job._runTimeoutMs !== Infinity) {
      const ms = job._runTimeoutMs
      job._timer = realClock.setTimer(ms, () => {
        job._timer = undefined
        if (job.done) return
        this.#failed++
        job._settle('failed', new TimeoutError(`job ${job._name} ran longer than ${String(ms)} ms`))
        this.#post(slot, [CANCEL, job._id])
        this.#armKill(slot, job)
      })
    }
  }

  #armKill(slot: WorkerSlot, job: JobFuture<unknown>, after = job._killAfterMs): void {
    job._timer?.cancel()
    const ms = job._killAfterMs
    if (ms === Infinity) return
    job._timer = realClock.setTimer(after, () => {
      job._timer = undefined
      if (job._at !== SENT || job._slot !== slot || slot.state === 'dead') return
      if (!mayBeRunning(slot, job)) {
        // Not started, or another job runs: look again later, it may yet start. Not at once
        // again with a zero limit, which would spin while another job runs.
        this.#armKill(slot, job, Math.max(ms, 10))
        return
      }
      slot.killReason = `job ${job._name} did not stop within ${String(ms)} ms of being cancelled`
      slot.stopKilled = true
      slot.handle.terminate()
    })
  }

  #clearTimers(job: JobFuture<unknown>): void {
    job._timer?.cancel()
    job._timer = undefined
    job._queueTimer?.cancel()
    job._queueTimer = undefined
  }

  /** After a worker answered or lost jobs: refill it, retire it, or let it idle. */
  #afterAnswer(slot: WorkerSlot): void {
    this.#pump()
    if (slot.load > 0 || slot.state === 'dead' || slot.state === 'closing') return
    if (slot.state === 'retiring' || this.#state !== 'open') {
      if (slot.state === 'retiring' || this.#queued === 0) this.#close(slot)
      this.#closeIfDone()
      return
    }
    if (slot.referenced) {
      slot.referenced = false
      slot.handle.unref()
    }
    if (
      this.#idleTimeoutMs !== Infinity &&
      slot.idleTimer === undefined &&
      this.#slots.length > this.#minWorkers
    ) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined
        if (slot.load === 0 && this.#slots.length > this.#minWorkers) this.#close(slot)
      }, this.#idleTimeoutMs)
      slot.idleTimer.unref()
    }
  }

  #close(slot: WorkerSlot): void {
    if (slot.state === 'closing' || slot.state === 'dead') return
    slot.state = 'closing'
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer)
    slot.idleTimer = undefined
    // Held until it has exited, so a shutdown that waits is not cut short by the loop emptying.
    if (!slot.referenced) {
      slot.referenced = true
      slot.handle.ref()
    }
    this.#post(slot, [CLOSE])
  }

  #closeIfDone(): void {
    if (this.#state === 'open' || this.#queued > 0) return
    for (const slot of this.#slots) if (slot.load === 0) this.#close(slot)
    if (this.#slots.length === 0) {
      this.#state = 'closed'
      this.#resolveClosed?.()
    }
  }

  #onExit(slot: WorkerSlot, how: WorkerExit): void {
    const expected = slot.state === 'closing' && slot.killReason === undefined
    const wasReady = slot.state !== 'starting'
    slot.state = 'dead'
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer)
    slot.stopTimer?.cancel()
    slot.stopTimer = undefined
    this.#slots.splice(this.#slots.indexOf(slot), 1)
    const lost = slot.inflight.drain()
    const unsent = slot.outbox
    slot.outbox = []
    if (slot.stopKilled) this.#terminated++
    else if (!expected) this.#crashes++
    if (!expected || lost.length > 0 || unsent.length > 0) {
      const reason = slot.killReason ?? exitReason(how)
      if (!wasReady && slot.killReason === undefined && this.#broken === undefined) this.#startFailures++
      // A worker runs its jobs one at a time in the order sent, and says which one it is on: every
      // unanswered job before that one ran to its end, and only its result died with the worker.
      const { running, done } = slot.handle.progress()
      let finished =
        done !== 0
          ? lost.findIndex((job) => job._id === done) + 1
          : Math.max(
              0,
              lost.findIndex((job) => job._id === running),
            )
      const crashed = (message: string, resultLost = false): WorkerCrashedError =>
        new WorkerCrashedError(`${message}: ${reason}`, reason, {
          exitCode: how.code,
          signal: how.signal,
          cause: how.error,
          resultLost,
        })
      const back: JobFuture<unknown>[] = []
      for (const job of [...lost, ...unsent]) {
        this.#running--
        const ran = finished > 0
        if (ran) finished--
        const started = ran || job._id === running
        if (started) job._attempts++
        // Not started: it runs on another worker, unless its transferred buffers went with the
        // message. Started: only if it was declared safe to run again.
        const again = started
          ? job._attempts <= job._retries && job._transfer === undefined
          : job._at !== SENT || job._transfer === undefined
        if (!job.done && again) {
          back.push(job)
          continue
        }
        job._at = GONE
        this.#clearTimers(job)
        if (job.done) continue
        this.#failed++
        const attempts =
          job._retries === 0 ? '' : ` (attempt ${String(job._attempts)} of ${String(job._retries + 1)})`
        job._settle(
          'failed',
          ran
            ? crashed(
                `job ${job._name} ran, but its result was lost when its worker crashed${attempts}`,
                true,
              )
            : crashed(
                started
                  ? `the worker running job ${job._name} crashed${attempts}`
                  : `the worker holding job ${job._name} crashed before running it`,
              ),
        )
      }
      for (let i = back.length - 1; i >= 0; i--) {
        const job = back[i] as JobFuture<unknown>
        job._timer?.cancel()
        job._timer = undefined
        job._at = QUEUED
        job._headAt = 0
        job._slot = undefined
        this.#queue.unshift(job)
        this.#queued++
      }
      if (this.#startFailures >= MAX_START_FAILURES) {
        this.#break(crashed('workers fail to start'))
      }
    }
    if (this.#state === 'open' && this.#broken === undefined) {
      while (this.#slots.length < this.#minWorkers) this.#startWorker()
    }
    this.#pump()
    this.#closeIfDone()
  }

  /** The initializer failed, or workers cannot start: every pending job fails, submit throws. */
  #break(error: Error): void {
    if (this.#broken !== undefined) return
    this.#broken = error
    if (this.#state === 'open') this.#state = 'shutting-down'
    this.#closed ??= new Promise<void>((resolve) => {
      this.#resolveClosed = resolve
    })
    const fail = (job: JobFuture<unknown>): void => {
      if (job.done) return
      this.#failed++
      this.#clearTimers(job)
      job._settle(
        'failed',
        new WorkerCrashedError(`job ${job._name} cannot run: ${error.message}`, error.message, {
          cause: error,
        }),
      )
    }
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      if (job._at === QUEUED) {
        this.#queued--
        job._at = GONE
        fail(job)
      }
    }
    for (const slot of [...this.#slots]) {
      for (const job of [...slot.inflight.drain(), ...slot.outbox]) {
        job._at = GONE
        this.#running--
        fail(job)
      }
      slot.outbox = []
      slot.killReason = 'the executor is broken'
      slot.stopKilled = true
      slot.state = 'closing'
      slot.handle.terminate()
    }
  }

  // ---- jobs submitting jobs ----

  #onChildSubmit(slot: WorkerSlot, msg: unknown[]): void {
    const childId = msg[1] as number
    let ref: TaskRef<WorkerFn>
    let index: number
    try {
      ref = taskRef(msg[3] as string, msg[4] as string)
      this.#checkOpen('submit')
      index = this.#indexOf(ref)
    } catch (err) {
      this.#post(slot, [CHILD_DONE, childId, false, serializeError(err)])
      return
    }
    // Blocked before the child is queued: the dispatch it triggers must not pick this worker.
    slot.blocked++
    const child = this.#enqueue(index, ref.exportName, msg[5] as unknown[], undefined, true)
    child._listen((f: JobFuture<unknown>) => {
      slot.blocked--
      if (f.successful) this.#post(slot, [CHILD_DONE, childId, true, f._result])
      else this.#post(slot, [CHILD_DONE, childId, false, serializeError(f._result)])
      this.#pump()
    })
  }

  /** Every worker runs a job waiting on a queued job: those queued jobs can never start. */
  #detectDeadlock(): void {
    let live = 0
    for (const s of this.#slots) {
      if (s.state !== 'starting' && s.state !== 'ready') continue
      if (s.blocked === 0) return
      live++
    }
    if (live < this.maxWorkers) return
    const waiting: JobFuture<unknown>[] = []
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) waiting.push(job)
    for (const job of waiting) {
      if (job._at !== QUEUED) continue
      if (!job._child) {
        this.#queue.push(job)
        continue
      }
      this.#queued--
      job._at = GONE
      this.#failed++
      this.#clearTimers(job)
      job._settle(
        'failed',
        new DeadlockError(
          `job ${job._name} was submitted by a job that waits for it, but all ${String(this.maxWorkers)} workers are held by jobs waiting like this, so it could never start; raise maxWorkers or do not wait on nested jobs`,
        ),
      )
    }
  }
}

function checkExecArgv(argv: unknown, kind: string): readonly string[] {
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
    throw new TypeError(`${kind} execArgv must be an array of strings, got ${describe(argv)}`)
  }
  return argv
}

function asError(value: unknown, prefix: string): Error {
  return value instanceof Error
    ? new Error(`${prefix}: ${value.message}`, { cause: value })
    : new Error(`${prefix}: ${describe(value)}`)
}

function exitReason(how: WorkerExit): string {
  if (how.outOfMemory) {
    return how.error === undefined ? 'out of memory (the heap limit)' : 'out of memory (resourceLimits)'
  }
  if (how.error !== undefined) return `uncaught ${describe(how.error)}`
  if (how.signal !== undefined) return `killed by ${how.signal}`
  return `exited with code ${String(how.code)}`
}

function cloneError(job: JobFuture<unknown>, err: unknown, handle: WorkerHandle): DataCloneError {
  const args = job._args ?? []
  const item = job._fn < 0
  for (let i = 0; i < args.length; i++) {
    const value = args[i]
    try {
      handle.check(value)
    } catch (e) {
      // The platform names the first thing inside the value it could not clone, often an internal
      // function of some library object: the caller needs to know which of their values it was.
      return new DataCloneError(
        `${item ? 'item' : 'argument'} ${String(item ? job._first + i : i)} of ${job._name}() is ${typeName(value)}, which cannot be sent to a worker: ${cloneReason(value, e)}`,
        { cause: e },
      )
    }
  }
  return new DataCloneError(
    `${item ? 'an item' : 'an argument'} of ${job._name}() cannot be sent to a worker: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  )
}

function typeName(value: unknown): string {
  if (typeof value === 'function') return value.name === '' ? 'a function' : `a function (${value.name})`
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
  const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object'
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`
}

function cloneReason(value: unknown, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (typeof value === 'function') return 'functions cannot be cloned'
  // The platform quotes the whole source of the function it met.
  if (/could not be cloned\.?$/.test(message) && /^\s*(async\s+)?(function|class)\b|=>/.test(message)) {
    return 'it holds a function, and functions cannot be cloned'
  }
  return message.split('\n', 1)[0] ?? message
}

/** The jobs sent to a worker and not answered, in the order it runs them. */
function inflightOf(slot: WorkerSlot): JobFuture<unknown>[] {
  const jobs = slot.inflight.drain()
  for (const job of jobs) slot.inflight.push(job)
  return jobs
}

/**
 * Whether terminating the worker could stop `job` without killing a job that was not cancelled:
 * it is the one the worker is on (a process's last started job may have just finished, which
 * leaves no other job to harm either, every later one being unstarted).
 */
function mayBeRunning(slot: WorkerSlot, job: JobFuture<unknown>): boolean {
  return slot.handle.progress().running === job._id
}

/** The `signal` option of `what`, checked at the call. */
function checkSignalOption(what: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  throw new TypeError(`${what} option \`signal\` must be an AbortSignal, got ${describe(signal)}`)
}

/** The flags a job travels with. */
function jobFlags(job: JobFuture<unknown>): number {
  return job._runTimeoutMs !== undefined && job._runTimeoutMs !== Infinity ? REPORT_FIRST : 0
}

/** Cancels without going through `JobFuture.cancel` (the job is already withdrawn). */
function cancelWithdrawn(job: JobFuture<unknown>, reason: unknown): void {
  job._settle('cancelled', new CancelledError(`job ${job._name} was cancelled`, reason))
}
