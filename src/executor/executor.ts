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
 * Every job ends through two methods: `#settle` gives it its outcome and counts it, once;
 * `#leave` takes it out of the queue or a worker for good. The parts that need no executor state
 * live beside it: options and their checks (executor-options.ts), the numbering of functions
 * (task-index.ts), the choice of worker (dispatch-policy.ts), the JOBS message (job-batch.ts),
 * what a death means for each job (crash-blame.ts), `map` (executor-map.ts) and clone errors
 * (clone-error.ts).
 *
 * @module
 */
import {
  CancelledError,
  DataCloneError,
  DeadlockError,
  describe,
  ExecutorShutDownError,
  TimeoutError,
  VerdantInternalError,
  WorkerCrashedError,
} from '../errors.js'
import { reportNow } from '../core/report.js'
import { RingBuffer } from '../queue/ring-buffer.js'
import { realClock } from '../platform/clock.js'
import { Histogram } from './histogram.js'
import { GONE, type JobOwner, JobFuture, OUTBOX, QUEUED, SENT } from './job-future.js'
import {
  CANCEL,
  CHILD_DONE,
  CLOSE,
  CRASH,
  deserializeError,
  EXPIRED,
  INIT_FAILED,
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
import { checkTaskRef, taskRef, type TaskRef, type WorkerFn } from './task-ref.js'
import type { SpawnSettings, WorkerEvents, WorkerExit, WorkerHandle } from './worker-handle.js'
import { WorkerSlot } from './worker-slot.js'
import { TaskIndex } from './task-index.js'
import { DispatchPolicy } from './dispatch-policy.js'
import { cloneError } from './clone-error.js'
import { crashError, exitReason, fates } from './crash-blame.js'
import { mapChunks } from './executor-map.js'
import { jobBatch } from './job-batch.js'
import {
  executorConfig,
  jobOptions,
  mapSettings,
  shutdownOptions,
  taskJobOptions,
  type ExecutorMapOptions,
  type ExecutorOptions,
  type ExecutorShutdownOptions,
  type ExecutorStats,
  type JobOptions,
  type SubmitOptions,
} from './executor-options.js'

type Spawn = (s: SpawnSettings, events: WorkerEvents) => WorkerHandle

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
  readonly #tasks = new TaskIndex()
  #state: 'open' | 'shutting-down' | 'closed' = 'open'
  #broken: Error | undefined = undefined
  #startFailures = 0
  #flushQueued = false
  readonly #policy = new DispatchPolicy<WorkerSlot>()
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
    const c = executorConfig(opts, kind, extra)
    this.maxWorkers = c.maxWorkers
    this.#minWorkers = c.minWorkers
    this.#idleTimeoutMs = c.idleTimeoutMs
    this.#maxTasks = c.maxTasks
    this.#killAfterMs = c.killAfterMs
    this.#settings = c.settings
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
    const o =
      opts === undefined
        ? taskJobOptions(ref, this.#killAfterMs)
        : jobOptions(opts, what, ref, this.#killAfterMs)
    return this.#enqueue(this.#tasks.indexOf(ref), ref.exportName, args, o)
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
    const settings = mapSettings(items, opts, this.maxWorkers)
    // A chunk names its function with a negative index: the worker runs it once per item.
    const chunkIndex = -this.#tasks.indexOf(ref) - 1
    const submit = (chunk: T[], first: number): JobFuture<Awaited<R>[]> => {
      this.#checkOpen('map')
      const job = this.#enqueue(chunkIndex, ref.exportName, chunk, undefined) as JobFuture<Awaited<R>[]>
      job._first = first
      // Its outcome reaches the caller through the iteration, or is cancelled with it.
      job._observed = true
      return job
    }
    return mapChunks(submit, items, settings)
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
    const o = shutdownOptions(opts)
    if (this.#state === 'open') this.#state = 'shutting-down'
    if (o.cancelFutures) this.#cancelAll('the executor was shut down')
    this.#closed ??= new Promise<void>((resolve) => {
      this.#resolveClosed = resolve
    })
    this.#closeIfDone()
    return o.wait ? this.#closed : Promise.resolve()
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
  _cancel(job: JobFuture<unknown>, message: string): void {
    const slot = job._slot
    this.#clearTimers(job)
    if (this.#unqueue(job)) {
      if (slot !== undefined) this.#afterAnswer(slot)
    } else if (job._place === SENT && slot !== undefined) {
      this.#sendControl(slot, [CANCEL, job._id])
      // Armed whether or not it looks like the head: the worker may hold the results of the jobs
      // before it while it runs this one.
      this.#armKill(slot, job)
    }
    this.#settle(job, 'cancelled', new CancelledError(message, message))
  }

  // ---- where a job ends ----

  /**
   * The one place a job gets its outcome: its future settles and exactly one counter counts it,
   * once. A running job may be settled (timed out, cancelled) before its worker lets go of it:
   * where a job is, is `#leave`'s business.
   */
  #settle(job: JobFuture<unknown>, outcome: 'succeeded' | 'failed' | 'cancelled', value: unknown): void {
    if (job.done) return
    if (outcome === 'succeeded') this.#completed++
    else if (outcome === 'failed') this.#failed++
    else this.#cancelled++
    job._settle(outcome, value)
  }

  /**
   * The one place a job leaves for good the queue, a worker's outbox or a worker: the counts of
   * where jobs are, its timers and its arguments go with it. The caller has taken it out of a
   * worker's lists; a queued job stays in the ring and is skipped when reached (removing it from
   * the middle would be O(n)).
   */
  #leave(job: JobFuture<unknown>): void {
    if (job._place === QUEUED) this.#queued--
    else if (job._place !== GONE) this.#running--
    job._place = GONE
    job._args = undefined
    this.#clearTimers(job)
  }

  /** Takes a job not sent yet out of the queue or its worker's outbox; false if it was sent or is gone. */
  #unqueue(job: JobFuture<unknown>): boolean {
    if (job._place === OUTBOX) {
      const outbox = (job._slot as WorkerSlot).outbox
      outbox.splice(outbox.indexOf(job), 1)
    } else if (job._place !== QUEUED) return false
    this.#leave(job)
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
        // Never queued, so never counted where it is.
        job._place = GONE
        this.#settle(job, 'cancelled', cancelledError(job, signal.reason))
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
    this.#dispatch()
    return job
  }

  /** A queued job waited longer than `queueTimeoutMs`. */
  #expire(job: JobFuture<unknown>, ms: number): void {
    job._queueTimer = undefined
    if (job.done) return
    if (!this.#unqueue(job)) {
      // Sent but not started: the worker checks the same deadline and skips it.
      if (job._headAt !== 0 || job._slot === undefined) return
      this.#sendControl(job._slot, [CANCEL, job._id])
    }
    this.#settle(
      job,
      'failed',
      new TimeoutError(`job ${job._name} waited more than ${String(ms)} ms in the queue and was not started`),
    )
  }

  /** Cancels every job wherever it is, and gives each worker `killAfterMs` to be gone. */
  #cancelAll(msg: string): void {
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      if (job._place === QUEUED) job.cancel(msg)
    }
    for (const slot of [...this.#slots]) {
      for (const job of [...slot.outbox]) job.cancel(msg)
      for (const job of inflightOf(slot)) if (!job.done) job.cancel(msg)
      this.#armStop(slot)
    }
  }

  /**
   * A bound on the worker as a whole, not on one job: a worker stuck in its initializer, or busy
   * with a job cancelled before and not yet at its kill deadline, would otherwise keep the
   * shutdown waiting for ever.
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

  /** Gives queued jobs to workers: an idle one first, else a new one, else the least loaded. */
  #dispatch(): void {
    const policy = this.#policy
    while (this.#queued > 0) {
      let best = policy.pick(this.#slots)
      const live = policy.live
      if (
        (best === undefined || best.load > 0) &&
        live < this.maxWorkers &&
        this.#startFailures < MAX_START_FAILURES
      ) {
        best = this.#startWorker()
      }
      if (best === undefined || best.load >= Math.min(policy.window(), this.#maxTasks - best.given)) {
        if (best === undefined && live >= this.maxWorkers) this.#detectDeadlock()
        return
      }
      const job = this.#queue.shift() as JobFuture<unknown>
      if (job._place !== QUEUED) continue
      this.#queued--
      policy.chose(best)
      this.#assign(best, job)
    }
  }

  /** Hands `job` to `slot`: it goes out in the one message this turn's flush sends the worker. */
  #assign(slot: WorkerSlot, job: JobFuture<unknown>): void {
    job._place = OUTBOX
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
    const batch = jobBatch(jobs, slot.known, this.#tasks)
    try {
      slot.handle.send(batch.msg, batch.transfer)
    } catch {
      // Something in the batch cannot be cloned: send the jobs one by one and fail only those.
      this.#sendEach(slot, jobs)
      return
    }
    this.#markSent(slot, jobs, batch.defs)
  }

  /** `jobs` went out to `slot`: they are in flight there now, in the order it runs them. */
  #markSent(slot: WorkerSlot, jobs: JobFuture<unknown>[], defs: unknown[] | null): void {
    if (defs !== null) for (let i = 0; i < defs.length; i += 3) slot.known[defs[i] as number] = true
    for (const job of jobs) {
      job._place = SENT
      slot.inflight.push(job)
    }
    this.#armHead(slot)
  }

  #sendEach(slot: WorkerSlot, jobs: JobFuture<unknown>[]): void {
    for (const job of jobs) {
      const batch = jobBatch([job], slot.known, this.#tasks)
      try {
        slot.handle.send(batch.msg, batch.transfer)
      } catch (err) {
        // Named before the job leaves: leaving drops its arguments.
        const error = cloneError(job, err, slot.handle)
        this.#leave(job)
        this.#settle(job, 'failed', error)
        continue
      }
      this.#markSent(slot, [job], batch.defs)
    }
    this.#afterAnswer(slot)
  }

  /** Sends a live worker a control message: a cancel, a close, a nested job's outcome. */
  #sendControl(slot: WorkerSlot, msg: unknown[]): void {
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
      this.#leave(job)
      if (job.done) continue
      const value = flat[i + 2]
      if (status === OK) {
        this.#runTime.record(run)
        this.#waitTime.record(Math.max(0, (now - job._submittedAt) * 1000 - run))
        this.#settle(job, 'succeeded', value)
      } else if (status === THREW) {
        this.#runTime.record(run)
        this.#settle(job, 'failed', deserializeError(value as SerializedError | ThrownValue))
      } else if (status === SKIPPED) {
        this.#settle(job, 'cancelled', cancelledError(job, undefined))
      } else {
        this.#settle(job, 'failed', answerError(job, status, value))
      }
    }
    this.#policy.recordRuns(n, sumRun)
    if (n === 1 && headAt !== 0 && slot.inflight.size === 0) {
      // A lone job: its round trip less its run time is how fast this worker answers.
      this.#policy.recordAnswer(slot, Math.max(0, (now - headAt) * 1000 - sumRun))
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
        this.#settle(job, 'failed', new TimeoutError(`job ${job._name} ran longer than ${String(ms)} ms`))
        this.#sendControl(slot, [CANCEL, job._id])
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
      if (job._place !== SENT || job._slot !== slot || slot.state === 'dead') return
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
    this.#dispatch()
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
    this.#sendControl(slot, [CLOSE])
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
      const fate = fates(lost, slot.handle.progress())
      const back: JobFuture<unknown>[] = []
      for (let i = 0; i < lost.length + unsent.length; i++) {
        const job = (i < lost.length ? lost[i] : unsent[i - lost.length]) as JobFuture<unknown>
        const f = fate[i] ?? 'unstarted'
        if (f !== 'unstarted') job._attempts++
        // Not started: it runs on another worker, unless its transferred buffers went with the
        // message. Started: only if it was declared safe to run again.
        const again =
          f === 'unstarted'
            ? job._place !== SENT || job._transfer === undefined
            : job._attempts <= job._retries && job._transfer === undefined
        if (!job.done && again) {
          back.push(job)
          continue
        }
        this.#leave(job)
        this.#settle(job, 'failed', crashError(job, f, reason, how))
      }
      // Back to the front of the queue, in their order.
      for (let i = back.length - 1; i >= 0; i--) this.#requeue(back[i] as JobFuture<unknown>)
      if (this.#startFailures >= MAX_START_FAILURES) {
        this.#break(new WorkerCrashedError(`workers fail to start: ${reason}`, reason, { cause: how.error }))
      }
    }
    if (this.#state === 'open' && this.#broken === undefined) {
      while (this.#slots.length < this.#minWorkers) this.#startWorker()
    }
    this.#dispatch()
    this.#closeIfDone()
  }

  /** A job its worker took with it, to run again. */
  #requeue(job: JobFuture<unknown>): void {
    this.#running--
    job._timer?.cancel()
    job._timer = undefined
    job._place = QUEUED
    job._headAt = 0
    job._slot = undefined
    this.#queue.unshift(job)
    this.#queued++
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
      this.#leave(job)
      this.#settle(
        job,
        'failed',
        new WorkerCrashedError(`job ${job._name} cannot run: ${error.message}`, error.message, {
          cause: error,
        }),
      )
    }
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      if (job._place === QUEUED) fail(job)
    }
    for (const slot of [...this.#slots]) {
      for (const job of [...slot.inflight.drain(), ...slot.outbox]) fail(job)
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
      index = this.#tasks.indexOf(ref)
    } catch (err) {
      this.#sendControl(slot, [CHILD_DONE, childId, false, serializeError(err)])
      return
    }
    // Blocked before the child is queued: the dispatch it triggers must not pick this worker.
    slot.blocked++
    const child = this.#enqueue(index, ref.exportName, msg[5] as unknown[], undefined, true)
    child._listen((f: JobFuture<unknown>) => {
      slot.blocked--
      if (f.successful) this.#sendControl(slot, [CHILD_DONE, childId, true, f._result])
      else this.#sendControl(slot, [CHILD_DONE, childId, false, serializeError(f._result)])
      this.#dispatch()
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
      if (job._place !== QUEUED) continue
      if (!job._child) {
        this.#queue.push(job)
        continue
      }
      this.#leave(job)
      this.#settle(
        job,
        'failed',
        new DeadlockError(
          `job ${job._name} was submitted by a job that waits for it, but all ${String(this.maxWorkers)} workers are held by jobs waiting like this, so it could never start; raise maxWorkers or do not wait on nested jobs`,
        ),
      )
    }
  }
}

function asError(value: unknown, prefix: string): Error {
  return value instanceof Error
    ? new Error(`${prefix}: ${value.message}`, { cause: value })
    : new Error(`${prefix}: ${describe(value)}`)
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

/** The error of a job cancelled without a message of its own. */
function cancelledError(job: JobFuture<unknown>, reason: unknown): CancelledError {
  return new CancelledError(`job ${job._name} was cancelled`, reason)
}

/** The error of a job whose worker answered that it expired in its queue or that its result cannot cross. */
function answerError(job: JobFuture<unknown>, status: unknown, value: unknown): Error {
  if (status === EXPIRED) {
    return new TimeoutError(`job ${job._name} waited too long in the queue and was not started`)
  }
  if (status === UNCLONEABLE) {
    return new DataCloneError(
      `the result of ${job._name}() cannot be sent back from the worker: ${String(value)}`,
    )
  }
  return new VerdantInternalError(`job ${job._name} got an unknown answer status ${String(status)}`)
}
