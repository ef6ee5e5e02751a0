/**
 * `Pool`: a `Group` that runs at most `size` tasks at once (gevent `pool.Pool`, with p-queue's
 * priority, pause, idle and rate-limit extras).
 *
 * `spawn` returns the task at once, as `pending`; the task starts when a slot is free. A function
 * cannot hand a thenable task out of an async function (it would be unwrapped), so waiting for a
 * slot is a separate call: `await pool.waitAvailable()` gives producers gevent's blocking
 * back-pressure.
 *
 * @module
 */
import { observe } from '../platform/observed.js'
import { CancelledError, checkCount, describe, typeError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import type { Op, Resume } from '../core/op.js'
import { currentTask } from '../core/registry.js'
import { bindSignal, createTask } from '../core/spawn.js'
import type { Task, TaskFn, TaskResult } from '../core/task.js'
import { getClock, type Timer } from '../platform/clock.js'
import { Event } from '../sync/event.js'
import { named, ParkOp, WaitList } from '../sync/wait-list.js'
import {
  checkTaskTimeout,
  Group,
  type GroupSpawnOptions,
  type GroupStats,
  startTaskTimeout,
} from './group.js'
import { type PendingJob, PendingHeap } from './pending-heap.js'
import { type RateLimit, RateWindow } from './rate-limit.js'

/** Options of `Pool`. @since 0.1.0 */
export interface PoolOptions {
  /** How many tasks may run at once. */
  readonly size: number
  /** At most `limit` task starts per `intervalMs`. */
  readonly rateLimit?: RateLimit | undefined
  /** Names it for the observer page (`verdant/observer`), which shows named pools. @since 0.3.0 */
  readonly name?: string | undefined
}

/** Options of `Pool.spawn`. @since 0.1.0 */
export interface PoolSpawnOptions extends GroupSpawnOptions {
  /** Higher starts first among waiting tasks (default 0); equal priorities start in order. */
  readonly priority?: number | undefined
}

/** What `Pool.stats()` gives. @since 0.2.0 */
export interface PoolStats extends GroupStats {
  /** Tasks holding a slot (`map` workers included). */
  readonly running: number
  /** Tasks waiting for a slot. */
  readonly pending: number
  /** Free slots nobody waits for. */
  readonly free: number
  /** The pool's size. */
  readonly capacity: number
  /** True while paused. */
  readonly paused: boolean
}

class AvailableOp extends ParkOp<number> {
  constructor(
    readonly pool: Pool,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<number>): boolean {
    const free = this.pool.freeCount
    if (free === 0) return false
    resume(true, free)
    return true
  }
  protected list(): WaitList<number> {
    return this.pool._available
  }
  protected timedOut(resume: Resume<number>): void {
    resume(true, 0)
  }
}

/**
 * A group that runs at most `size` tasks at once; the others wait, highest priority first.
 *
 * **Details**: `map`, `imap` and `imapUnordered` run at most `size` jobs at once too (their workers
 * take the pool's slots). `kill()` kills running and waiting tasks alike (waiting ones never run)
 * and leaves the pool usable, as gevent's `Pool.kill` does: it ends the members of the moment, and
 * a task spawned afterwards runs normally. A task's `timeout` counts from when it gets its slot.
 * `stats()`, `subscribe` and `events()` follow progress without an event emitter.
 * **Throws**: `RangeError` for a bad `size` or rate limit.
 * @example
 * const pool = new Pool(2)
 * for (const url of urls) {
 *   await pool.waitAvailable() // back-pressure: wait for a free slot
 *   pool.spawn(() => fetchOne(url))
 * }
 * await pool.join()
 * const sizes = await pool.map((url) => fetchSize(url), urls) // at most 2 at once
 * @since 0.1.0
 */
export class Pool extends Group {
  /** How many tasks may run at once. */
  readonly capacity: number
  /** Its name, if it was given one (the observer page shows named pools). @since 0.3.0 */
  readonly name: string | undefined = undefined
  /** @internal Waiters of `waitAvailable`. */ readonly _available = new WaitList<number>(this)
  /** @internal What a task parked in its list waits for. */
  _waitLabel(): string {
    return `${named('pool', this.name)}: a free slot`
  }
  readonly #pending = new PendingHeap()
  readonly #jobs = new Map<Task<unknown>, PendingJob>()
  readonly #holders = new Set<Task<unknown>>()
  readonly #idle = new Event()
  readonly #drained = new Event()
  readonly #rate: RateWindow | undefined
  #active = 0
  #seq = 0
  #paused = false
  #rateTimer: Timer | undefined

  constructor(size: number | PoolOptions) {
    super()
    const opts = typeof size === 'number' ? { size } : size
    if (typeof opts !== 'object' || opts === null)
      throw typeError('size', 'a number or an options object', size)
    this.capacity = checkCount('size', opts.size, 1, { infinite: true })
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) {
      throw typeError('name', 'a non-empty string', opts.name)
    }
    this.#rate = opts.rateLimit === undefined ? undefined : new RateWindow(opts.rateLimit)
    this.#idle.set()
    this.#drained.set()
    if (opts.name !== undefined) {
      this.name = opts.name
      observe('pool', this)
    }
  }

  /** Tasks holding a slot (running, or starting). */
  get running(): number {
    return this.#active
  }

  /** Tasks waiting for a slot. */
  get pending(): number {
    return this.#pending.live
  }

  /** True while paused: no waiting task starts. */
  get paused(): boolean {
    return this.#paused
  }

  /** Free slots nobody waits for (gevent `free_count()`; a getter, as every plain state read). */
  get freeCount(): number {
    return Math.max(0, this.capacity - this.#active - this.#pending.live)
  }

  /** True when no slot is free. */
  get full(): boolean {
    return this.freeCount === 0
  }

  /**
   * Spawns `fn` as a pool task: returned at once, started when a slot is free.
   *
   * **Details**: `{timeout}` counts from when the task gets its slot and starts (as p-queue's
   * `timeout`), so time spent waiting behind other tasks is not charged to it; on expiry a
   * `TimeoutError` is raised where it waits. `{signal}` kills it when the signal aborts, waiting
   * or running; a waiting task killed so never runs and frees its place.
   * **Throws**: `RangeError` for a bad `priority` or `timeout`; `TypeError` if `fn` is not a
   * function or `signal` is not an `AbortSignal`.
   * @example
   * pool.spawn(() => crawl(url), { priority: 1, timeout: 10_000, signal: shutdown.signal })
   */
  override spawn<R>(fn: TaskFn<R>, opts?: PoolSpawnOptions): Task<TaskResult<R>> {
    const priority = opts?.priority ?? 0
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw new RangeError(`Expected \`priority\` to be a number, got \`${describe(priority)}\``)
    }
    const timeout = checkTaskTimeout(opts)
    const task = createTask(fn, opts, opts?.detached === true ? undefined : currentTask())
    const t = task as Task<unknown>
    this.add(t)
    const signal = opts?.signal
    if (signal !== undefined) {
      // Before it is queued: a task refused by an aborted signal never takes a place.
      bindSignal(t, signal)
      if (t.done) return task
    }
    const job: PendingJob = {
      priority,
      seq: this.#seq++,
      dead: false,
      start: () => {
        this.#jobs.delete(t)
        this.#holders.add(t)
        t._schedule()
        startTaskTimeout(t, timeout)
      },
    }
    this.#jobs.set(t, job)
    this.#enqueue(job)
    return task
  }

  /**
   * Waits until a slot is free; gives the free count, or 0 if `timeout` passed first.
   *
   * **Cancellation**: it reserves nothing, so an undone wait (its task killed, its signal aborted)
   * leaves the pool as it was, and a slot it saw free may be taken by another spawn before the
   * caller's own: spawn right after it, without awaiting anything else in between.
   */
  waitAvailable(opts?: WaitOptions): Op<number> {
    return new AvailableOp(this, opts)
  }

  /** Resolves when nothing runs and nothing waits. */
  onIdle(opts?: WaitOptions): Op<boolean> {
    return this.#idle.wait(opts)
  }

  /** Resolves when no task waits for a slot (some may still run). */
  onEmpty(opts?: WaitOptions): Op<boolean> {
    return this.#drained.wait(opts)
  }

  /** Stops starting waiting tasks; running ones go on. */
  pause(): void {
    this.#paused = true
  }

  /** Starts waiting tasks again. */
  resume(): void {
    this.#paused = false
    this.#pump()
  }

  /**
   * Running and waiting tasks, free slots, and how many tasks completed, failed or were cancelled,
   * as a frozen snapshot. `map` jobs are not tasks and are not counted.
   * @example
   * const { completed, failed, cancelled, running, pending } = pool.stats()
   */
  override stats(): PoolStats {
    return Object.freeze({
      running: this.#active,
      pending: this.#pending.live,
      free: this.freeCount,
      capacity: this.capacity,
      paused: this.#paused,
      completed: this._completed,
      failed: this._failed,
      cancelled: this._cancelled,
    })
  }

  /** @internal A pool is idle when nothing runs and nothing waits, which it tells itself. */
  override _becameEmpty(): void {}

  /** @internal */
  override _limit(): number {
    return this.capacity
  }

  /** @internal A map worker takes a slot for its whole life. */
  _workerSlot(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let released = false
      const release = (): void => {
        if (released) return
        released = true
        this.#release()
      }
      const job: PendingJob = {
        priority: 0,
        seq: this.#seq++,
        dead: false,
        start: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve(release)
        },
      }
      const onAbort = (): void => {
        this.#pending.kill(job)
        this.#afterChange()
        reject(new CancelledError('the map worker was cancelled while waiting for a slot'))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#enqueue(job)
    })
  }

  /** @internal True while `task` waits in its queue for a slot (the observer names the pool). */
  _queues(task: Task<unknown>): boolean {
    return this.#jobs.has(task)
  }

  /** @internal */
  override _left(task: Task<unknown>): void {
    const job = this.#jobs.get(task)
    if (job !== undefined) {
      // Killed before it got a slot: it never ran and holds none.
      this.#jobs.delete(task)
      this.#pending.kill(job)
      this.#afterChange()
      return
    }
    if (this.#holders.delete(task)) this.#release()
  }

  #enqueue(job: PendingJob): void {
    this.#pending.push(job)
    this.#idle.clear()
    this.#drained.clear()
    this.#pump()
  }

  #release(): void {
    this.#active--
    this.#pump()
  }

  #pump(): void {
    while (!this.#paused && this.#active < this.capacity && this.#pending.live > 0) {
      const rate = this.#rate
      if (rate !== undefined) {
        const wait = rate.take()
        if (wait > 0) {
          this.#rateTimer ??= getClock().setTimer(wait, () => {
            this.#rateTimer = undefined
            this.#pump()
          })
          break
        }
      }
      const job = this.#pending.shift()
      if (job === undefined) break
      this.#active++
      job.start()
    }
    this.#afterChange()
  }

  #afterChange(): void {
    if (this.#pending.live === 0) {
      this.#rateTimer?.cancel()
      this.#rateTimer = undefined
      this.#drained.set()
      if (this.#active === 0 && !this.#idle.isSet) {
        this.#idle.set()
        this._idle()
      }
    }
    // waitAvailable reserves nothing (gevent), so every waiter learns that a slot is free.
    const free = this.freeCount
    if (free > 0) for (const w of this._available.drain()) w.resume(true, free)
  }
}
