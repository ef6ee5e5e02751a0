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
 * This file holds a job's life on the executor's side: submit, the queue, dispatch and sending,
 * its clocks (queue limit, run limit, kill deadline), cancellation and shutdown, and the routing
 * of what workers say. Every job ends through the ledger's two methods (job-ledger.ts): `settle`
 * gives it its outcome and counts it, once; `leave` takes it out of the queue or a worker for
 * good. The rest lives beside it: the workers' own life (worker-slots.ts), what answers and deaths
 * make of jobs (worker-answers.ts), nested jobs and deadlock (nested-jobs.ts), options and their
 * checks (executor-options.ts), the numbering of functions (task-index.ts), the choice of worker
 * (dispatch-policy.ts), the JOBS message (job-batch.ts), what a death means for each job
 * (crash-blame.ts), `map` (executor-map.ts) and clone errors (clone-error.ts).
 *
 * @module
 */
import { CancelledError, describe, ExecutorShutDownError, WorkerCrashedError } from '../errors.js'
import { observe, unobserve } from '../platform/observed.js'
import { GONE, type JobOwner, JobFuture, OUTBOX, QUEUED, SENT } from './job-future.js'
import {
  CANCEL,
  CRASH,
  deserializeError,
  INIT_FAILED,
  READY,
  RESULTS,
  SUBMIT,
  type SerializedError,
  type ThrownValue,
} from './protocol.js'
import { checkTaskRef, labelOf, taskRef, type TaskRef, type WorkerFn } from './task-ref.js'
import type { SpawnSettings, WorkerExit } from './worker-handle.js'
import type { WorkerSlot } from './worker-slot.js'
import { TaskIndex } from './task-index.js'
import { DispatchPolicy } from './dispatch-policy.js'
import { cloneError } from './clone-error.js'
import { exitReason, fates } from './crash-blame.js'
import { mapChunks } from './executor-map.js'
import { jobBatch } from './job-batch.js'
import { JobLedger } from './job-ledger.js'
import { armHead, armKill, armQueueLimit, clearTimers } from './job-clocks.js'
import { WorkerSlots, type Spawn } from './worker-slots.js'
import { cancelledError, takeBack, takeResults } from './worker-answers.js'
import { childDone, childRefused, failDeadlocked } from './nested-jobs.js'
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

let nextJobId = 0

/**
 * What both executors share: the queue, the dispatch to workers, timeouts, cancellation, crashes,
 * shutdown and stats. Use `ThreadPoolExecutor` or `ProcessPoolExecutor`.
 * @since 0.1.0
 */
export abstract class Executor implements JobOwner, AsyncDisposable {
  /** Most workers at once. */
  readonly maxWorkers: number
  /** @internal The name in its options, or its class's. */
  readonly _name: string
  /** @internal What its workers are. */
  readonly _kind: 'threads' | 'processes'
  readonly #maxTasks: number
  readonly #killAfterMs: number
  readonly #jobs = new JobLedger()
  readonly #workers: WorkerSlots
  readonly #tasks = new TaskIndex()
  #state: 'open' | 'shutting-down' | 'closed' = 'open'
  #broken: Error | undefined = undefined
  #flushQueued = false
  readonly #policy = new DispatchPolicy<WorkerSlot>()
  #closed: Promise<void> | undefined = undefined
  #resolveClosed: (() => void) | undefined = undefined

  /** @internal */
  constructor(opts: ExecutorOptions, kind: string, spawn: Spawn, extra: Partial<SpawnSettings> = {}) {
    const c = executorConfig(opts, kind, extra)
    this._name = c.settings.name
    this._kind = kind === 'ProcessPoolExecutor' ? 'processes' : 'threads'
    this.maxWorkers = c.maxWorkers
    this.#maxTasks = c.maxTasks
    this.#killAfterMs = c.killAfterMs
    this.#workers = new WorkerSlots(c, spawn, {
      message: (slot, msg) => {
        this.#onMessage(slot, msg)
      },
      exit: (slot, how) => {
        this.#onExit(slot, how)
      },
    })
    this.#workers.refill()
    observe('executor', this)
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
    return this.#enqueue(this.#tasks.indexOf(ref), labelOf(ref), args, o)
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
      const job = this.#enqueue(chunkIndex, labelOf(ref), chunk, undefined) as JobFuture<Awaited<R>[]>
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
    const jobs = this.#jobs
    return {
      queued: jobs.queued,
      running: jobs.running,
      completed: jobs.completed,
      failed: jobs.failed,
      cancelled: jobs.cancelled,
      crashes: this.#workers.crashes,
      terminated: this.#workers.terminated,
      workers: this.#workers.stats(performance.now()),
      runTime: jobs.runTime.snapshot(),
      waitTime: jobs.waitTime.snapshot(),
    }
  }

  /** @internal */
  _cancel(job: JobFuture<unknown>, message: string): void {
    const slot = job._slot
    clearTimers(job)
    if (this.#jobs.unqueue(job)) {
      if (slot !== undefined) this.#afterAnswer(slot)
    } else if (job._place === SENT && slot !== undefined) {
      this.#workers.send(slot, [CANCEL, job._id])
      // Armed whether or not it looks like the head: the worker may hold the results of the jobs
      // before it while it runs this one.
      armKill(slot, job)
    }
    this.#jobs.settle(job, 'cancelled', new CancelledError(message, message))
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
        this.#jobs.settle(job, 'cancelled', cancelledError(job, signal.reason))
        return job
      }
      if (opts.queueTimeoutMs !== undefined)
        armQueueLimit(this.#jobs, this.#workers, job, opts.queueTimeoutMs)
      job._runTimeoutMs = opts.runTimeoutMs
      job._retries = opts.retries
      if (signal !== undefined) job._cancelOnAbort(signal)
    }
    this.#jobs.push(job)
    this.#dispatch()
    return job
  }

  /**
   * @internal A coordinated shutdown's second phase: cancels the jobs no worker has started (the
   * queue and what waits to be sent), and says how many.
   */
  _cancelQueued(msg: string): number {
    let n = 0
    const queue = this.#jobs.queue
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      if (job._place === QUEUED && job.cancel(msg)) n++
    }
    for (const slot of this.#workers.list) {
      for (const job of [...slot.outbox]) if (job.cancel(msg)) n++
      // Sent ahead to a busy worker: those after the one it runs never started.
      const sent = inflightOf(slot)
      const fate = fates(sent, slot.handle.progress())
      sent.forEach((job, i) => {
        if (fate[i] === 'unstarted' && !job.done && job.cancel(msg)) n++
      })
    }
    return n
  }

  /** Cancels every job wherever it is, and gives each worker `killAfterMs` to be gone. */
  #cancelAll(msg: string): void {
    const queue = this.#jobs.queue
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      if (job._place === QUEUED) job.cancel(msg)
    }
    for (const slot of [...this.#workers.list]) {
      for (const job of [...slot.outbox]) job.cancel(msg)
      for (const job of inflightOf(slot)) if (!job.done) job.cancel(msg)
      this.#workers.armStop(slot)
    }
  }

  // ---- dispatch ----

  /** Gives queued jobs to workers: an idle one first, else a new one, else the least loaded. */
  #dispatch(): void {
    const policy = this.#policy
    const jobs = this.#jobs
    const workers = this.#workers
    while (jobs.queued > 0) {
      let best = policy.pick(workers.list)
      const live = policy.live
      if ((best === undefined || best.load > 0) && live < this.maxWorkers && workers.canStart) {
        best = workers.start()
      }
      if (best === undefined || best.load >= Math.min(policy.window(), this.#maxTasks - best.given)) {
        if (best === undefined && live >= this.maxWorkers) failDeadlocked(jobs, workers.list, this.maxWorkers)
        return
      }
      const job = jobs.queue.shift() as JobFuture<unknown>
      if (job._place !== QUEUED) continue
      jobs.queued--
      policy.chose(best)
      this.#assign(best, job)
    }
  }

  /** Hands `job` to `slot`: it goes out in the one message this turn's flush sends the worker. */
  #assign(slot: WorkerSlot, job: JobFuture<unknown>): void {
    job._place = OUTBOX
    job._slot = slot
    this.#jobs.running++
    slot.outbox.push(job)
    slot.given++
    this.#workers.busy(slot)
    if (slot.given >= this.#maxTasks && slot.state !== 'retiring') {
      // Recycling: the replacement starts now, before this worker leaves.
      slot.state = 'retiring'
      if (this.#state === 'open') this.#workers.start()
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true
      queueMicrotask(this.#flushAll)
    }
  }

  readonly #flushAll = (): void => {
    this.#flushQueued = false
    for (const slot of this.#workers.list) if (slot.outbox.length > 0) this.#flush(slot)
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
    armHead(this.#jobs, this.#workers, slot)
  }

  #sendEach(slot: WorkerSlot, jobs: JobFuture<unknown>[]): void {
    for (const job of jobs) {
      const batch = jobBatch([job], slot.known, this.#tasks)
      try {
        slot.handle.send(batch.msg, batch.transfer)
      } catch (err) {
        // Named before the job leaves: leaving drops its arguments.
        const error = cloneError(job, err, slot.handle)
        this.#jobs.leave(job)
        this.#jobs.settle(job, 'failed', error)
        continue
      }
      this.#markSent(slot, [job], batch.defs)
    }
    this.#afterAnswer(slot)
  }

  // ---- what workers say ----

  #onMessage(slot: WorkerSlot, msg: unknown[]): void {
    switch (msg[0]) {
      case RESULTS:
        takeResults(this.#jobs, this.#policy, slot, msg)
        armHead(this.#jobs, this.#workers, slot)
        this.#afterAnswer(slot)
        return
      case READY:
        this.#workers.ready(slot)
        armHead(this.#jobs, this.#workers, slot)
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

  /** After a worker answered or lost jobs: refill it, retire it, or let it idle. */
  #afterAnswer(slot: WorkerSlot): void {
    this.#dispatch()
    if (slot.load > 0 || slot.state === 'dead' || slot.state === 'closing') return
    if (slot.state === 'retiring' || this.#state !== 'open') {
      if (slot.state === 'retiring' || this.#jobs.queued === 0) this.#workers.close(slot)
      this.#closeIfDone()
      return
    }
    this.#workers.idle(slot)
  }

  #closeIfDone(): void {
    if (this.#state === 'open' || this.#jobs.queued > 0) return
    this.#workers.closeIdle()
    if (this.#workers.list.length === 0) {
      this.#state = 'closed'
      unobserve('executor', this)
      this.#resolveClosed?.()
    }
  }

  /** A worker exited: the jobs it held run again or fail (worker-answers.ts), and it is replaced. */
  #onExit(slot: WorkerSlot, how: WorkerExit): void {
    const workers = this.#workers
    const expected = workers.exited(slot, this.#broken !== undefined)
    if (!expected || slot.load > 0) {
      const reason = slot.killReason ?? exitReason(how)
      takeBack(this.#jobs, slot, reason, how)
      if (!workers.canStart) {
        this.#break(new WorkerCrashedError(`workers fail to start: ${reason}`, reason, { cause: how.error }))
      }
    }
    if (this.#state === 'open' && this.#broken === undefined) workers.refill()
    this.#dispatch()
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
    const jobs = this.#jobs
    const fail = (job: JobFuture<unknown>): void => {
      jobs.leave(job)
      jobs.settle(
        job,
        'failed',
        new WorkerCrashedError(`job ${job._name} cannot run: ${error.message}`, error.message, {
          cause: error,
        }),
      )
    }
    for (let job = jobs.queue.shift(); job !== undefined; job = jobs.queue.shift()) {
      if (job._place === QUEUED) fail(job)
    }
    for (const slot of [...this.#workers.list]) {
      for (const job of [...slot.inflight.drain(), ...slot.outbox]) fail(job)
      slot.outbox = []
      slot.killReason = 'the executor is broken'
      slot.stopKilled = true
      slot.state = 'closing'
      slot.handle.terminate()
    }
  }

  // ---- jobs submitting jobs ----

  /** A job submitted a job (see nested-jobs.ts): its worker is blocked until the child settles. */
  #onChildSubmit(slot: WorkerSlot, msg: unknown[]): void {
    const childId = msg[1] as number
    let ref: TaskRef<WorkerFn>
    let index: number
    try {
      ref = taskRef(msg[3] as string, msg[4] as string)
      this.#checkOpen('submit')
      index = this.#tasks.indexOf(ref)
    } catch (err) {
      this.#workers.send(slot, childRefused(childId, err))
      return
    }
    // Blocked before the child is queued: the dispatch it triggers must not pick this worker.
    slot.blocked++
    const child = this.#enqueue(index, ref.exportName, msg[5] as unknown[], undefined, true)
    child._listen((f: JobFuture<unknown>) => {
      slot.blocked--
      this.#workers.send(slot, childDone(childId, f))
      this.#dispatch()
    })
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
