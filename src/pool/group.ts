/**
 * `Group`: a set of tasks managed together (gevent `pool.Group`).
 *
 * @module
 */
import { checkMs, checkOptions, checkSignal, checkWait, describe, typeError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import { joinAll } from '../core/join.js'
import { type Cancel, FnOp, type Op, startOp, undo } from '../core/op.js'
import { LabelledUndo } from '../core/wait-label.js'
import { currentTask } from '../core/registry.js'
import { reportNow } from '../core/report.js'
import { bindSignal, createTask } from '../core/spawn.js'
import { type SpawnOptions, Task, type TaskFn, type TaskResult } from '../core/task.js'
import { eventIterator } from '../queue/event-iterator.js'
import { Event } from '../sync/event.js'
import { Timeout } from '../core/timeout.js'
import { iterate, mapAll, type MapFn, type MapOptions, type Source } from './imap.js'

/** Options of `Group.spawn`. @since 0.2.0 */
export interface GroupSpawnOptions extends SpawnOptions {
  /**
   * Milliseconds the task may run: then a `TimeoutError` is raised where it waits, as a `Timeout`
   * does, and left uncaught the task ends `failed`. In a `Pool` it counts from when the task gets
   * its slot and starts, not from the `spawn` call. `undefined` or `Infinity`: no limit.
   */
  readonly timeout?: number | undefined
}

/**
 * What `subscribe` and `events()` report: a task of the group ended (`completed`: it succeeded;
 * `failed`; `cancelled`: killed), or the group went `idle` (a `Group` became empty; a `Pool` has
 * nothing running and nothing waiting).
 * @since 0.2.0
 */
export type GroupEvent =
  | { readonly type: 'completed' | 'failed' | 'cancelled'; readonly task: Task<unknown> }
  | { readonly type: 'idle' }

/** A listener given to `Group.subscribe`. @since 0.2.0 */
export type GroupListener = (event: GroupEvent) => void

/** What `Group.stats()` gives. @since 0.2.0 */
export interface GroupStats {
  /** Members not yet finished (`map` workers included). */
  readonly running: number
  /** Tasks of the group that succeeded. */
  readonly completed: number
  /** Tasks of the group that failed. */
  readonly failed: number
  /** Tasks of the group that were killed, including those that never started. */
  readonly cancelled: number
}

/** Options of `Group.events()`. @since 0.2.0 */
export interface GroupEventsOptions {
  /** Ends the subscription when it aborts: a waiting `next()` rejects with its reason. */
  readonly signal?: AbortSignal | undefined
}

const IDLE: GroupEvent = Object.freeze({ type: 'idle' })

/** Validates the `timeout` option of a pool task; `undefined` when there is no limit. @internal */
export function checkTaskTimeout(opts: GroupSpawnOptions | undefined): number | undefined {
  const ms = checkOptions(opts)?.timeout
  if (ms === undefined) return undefined
  return checkMs('timeout', ms) === Infinity ? undefined : ms
}

/** Starts a task's `timeout` now: a `Timeout` bound to the task, gone with it. @internal */
export function startTaskTimeout(task: Task<unknown>, ms: number | undefined): void {
  if (ms !== undefined && !task.done) new Timeout(ms).start(task)
}

/** Options of `Group.join`. @since 0.1.0 */
export interface GroupJoinOptions extends WaitOptions {
  /** Reject with the first failure of a task that was in the group when `join` was called. */
  readonly raiseError?: boolean | undefined
}

/**
 * A set of tasks: tasks leave it when they finish; `join` waits until it is empty and `kill` kills
 * every member.
 *
 * **Details**: `kill()` kills the members of the moment and leaves the group usable, as gevent's
 * `Group.kill` does: a task spawned afterwards runs normally. To refuse new work after a shutdown,
 * stop calling `spawn` (or pass every task the same `signal` and abort it). `stats()` counts the
 * tasks that ended and `subscribe` / `events()` report each end, for a progress display.
 * **Cancellation**: abandoning `join` or `kill` leaves the tasks as they are.
 * @example
 * const group = new Group()
 * group.spawn(talk, { name: 'bar' })
 * group.spawn(talk, { name: 'foo' })
 * await group.join()
 * @since 0.1.0
 */
export class Group implements Iterable<Task<unknown>> {
  /** @internal */ readonly _tasks = new Set<Task<unknown>>()
  /** @internal Set while the group is empty. */ readonly _empty = new Event()
  /** @internal Members that are `map` workers: not the caller's tasks, so not counted. */
  readonly _workers = new Set<Task<unknown>>()
  /** @internal */ _completed = 0
  /** @internal */ _failed = 0
  /** @internal */ _cancelled = 0
  readonly #listeners = new Set<GroupListener>()
  #ending = false
  #idleDue = false
  readonly #onDone = (t: Task<unknown>): void => {
    const counted = !this._workers.has(t)
    // The task leaves (and a pool frees its slot) before listeners hear of it, so they see stats
    // that agree; an idle that leaving causes is told after the task's own event.
    const outer = this.#ending
    this.#ending = true
    try {
      this.discard(t)
    } finally {
      this.#ending = outer
    }
    if (counted) this.#ended(t)
    if (!outer && this.#idleDue) {
      this.#idleDue = false
      this._emit(IDLE)
    }
  }

  constructor() {
    this._empty.set()
  }

  /** How many tasks are in the group. */
  get size(): number {
    return this._tasks.size
  }

  /** Adds a task; it leaves when it finishes (at once if it already has). */
  add(task: Task<unknown>): void {
    if (!(task instanceof Task)) throw typeError('task', 'a task', task)
    if (task.done || this._tasks.has(task)) return
    this._tasks.add(task)
    this._empty.clear()
    task._listen(this.#onDone)
  }

  /** Removes a task from the group without touching it. */
  discard(task: Task<unknown>): void {
    if (!this._tasks.delete(task)) return
    task._unlisten(this.#onDone)
    this._workers.delete(task)
    if (this._tasks.size === 0) {
      this._empty.set()
      this._becameEmpty()
    }
    this._left(task)
  }

  /** True if `task` is in the group. */
  has(task: Task<unknown>): boolean {
    return this._tasks.has(task)
  }

  /**
   * Spawns `fn` as a task in the group.
   *
   * **Details**: `{timeout}` limits how long the task may run (a `TimeoutError` raised where it
   * waits); `{signal}` kills it when the signal aborts, with the signal's reason. A task whose
   * signal is already aborted never runs: it ends `cancelled` at once and counts as cancelled.
   * **Throws**: `RangeError` for a bad `timeout`; `TypeError` if `fn` is not a function or `signal`
   * is not an `AbortSignal`.
   * @example
   * const task = group.spawn(async (ctx) => fetchPage(url, ctx.signal), { timeout: 5000, signal })
   */
  spawn<R>(fn: TaskFn<R>, opts?: GroupSpawnOptions): Task<TaskResult<R>> {
    const timeout = checkTaskTimeout(opts)
    const task = createTask(fn, opts, opts?.detached === true ? undefined : currentTask())
    // A member before the signal is looked at: a task refused by an aborted signal is counted and
    // reported like any other cancelled member.
    this.add(task)
    const signal = opts?.signal
    if (signal !== undefined) bindSignal(task, signal)
    if (task.done) return task
    task._schedule()
    startTaskTimeout(task, timeout)
    return task
  }

  /**
   * Counts of the tasks that ended while in the group, beside how many are in it, as a frozen
   * snapshot. `map` workers are not counted: they are not tasks the caller spawned.
   * @example
   * const { completed, failed, cancelled } = group.stats()
   * @since 0.2.0
   */
  stats(): GroupStats {
    return Object.freeze({
      running: this._tasks.size,
      completed: this._completed,
      failed: this._failed,
      cancelled: this._cancelled,
    })
  }

  /**
   * Calls `listener` with every `GroupEvent` from now on; returns the function that unsubscribes
   * (idempotent).
   *
   * **Details**: listeners run synchronously once the task has left the group (and freed its pool
   * slot), so `stats()` read inside a listener already agrees with the event. A listener that
   * throws is reported as an unobserved failure and does not stop the others.
   * **Throws**: `TypeError` if `listener` is not a function.
   * @example
   * const off = pool.subscribe((e) => {
   *   if (e.type !== 'idle') drawProgress(pool.stats())
   * })
   * @since 0.2.0
   */
  subscribe(listener: GroupListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`Expected \`listener\` to be a function, got \`${describe(listener)}\``)
    }
    // A wrapper per subscription, so subscribing the same function twice gives two independent ones.
    const entry: GroupListener = (e) => {
      listener(e)
    }
    this.#listeners.add(entry)
    return () => {
      this.#listeners.delete(entry)
    }
  }

  /**
   * The same events as an async iterator; the subscription starts at this call, so nothing is
   * missed between the call and the first `next()`.
   *
   * **Details**: events wait in an unbounded buffer until read. The iterator never ends by itself:
   * leave the loop (`break`, `return()`) or abort `signal` to unsubscribe.
   * **Cancellation**: when `signal` aborts, a waiting `next()` rejects with its reason and later
   * calls give `done`.
   * **Throws**: `TypeError` if `signal` is not an `AbortSignal`.
   * @example
   * for await (const e of pool.events()) {
   *   if (e.type === 'idle') break
   *   bar.tick(e.type)
   * }
   * @since 0.2.0
   */
  events(opts?: GroupEventsOptions): AsyncIterableIterator<GroupEvent> {
    const signal = checkSignal(opts?.signal)
    return eventIterator((listener) => this.subscribe(listener), signal)
  }

  /** @internal How many `subscribe` listeners are registered (leak checks). */
  _listenerCount(): number {
    return this.#listeners.size
  }

  /** @internal Adds a `map` worker: a member, but not counted or reported. */
  _addWorker(task: Task<unknown>): void {
    if (task.done) return
    this._workers.add(task)
    this.add(task)
  }

  /** @internal */
  _emit(event: GroupEvent): void {
    if (this.#listeners.size === 0) return
    for (const l of [...this.#listeners]) {
      try {
        l(event)
      } catch (err) {
        reportNow(err, 'a listener of a group')
      }
    }
  }

  /** @internal The group became empty: a `Group` is idle then (a `Pool` says so itself). */
  _becameEmpty(): void {
    this._idle()
  }

  /** @internal Tells listeners the group is idle, after the event of a task that is ending. */
  _idle(): void {
    if (this.#ending) this.#idleDue = true
    else this._emit(IDLE)
  }

  #ended(t: Task<unknown>): void {
    const state = t.state
    const type = state === 'succeeded' ? 'completed' : state === 'failed' ? 'failed' : 'cancelled'
    if (type === 'completed') this._completed++
    else if (type === 'failed') this._failed++
    else this._cancelled++
    if (this.#listeners.size > 0) this._emit({ type, task: t })
  }

  /** The members, in the order they joined. */
  [Symbol.iterator](): Iterator<Task<unknown>> {
    return [...this._tasks][Symbol.iterator]()
  }

  /**
   * Waits until the group is empty: true, or false if `timeout` passed first. With `raiseError`,
   * rejects with the first failure of a task that was a member when `join` was called.
   */
  join(opts?: GroupJoinOptions): Op<boolean> {
    checkWait(opts)
    const members = [...this._tasks]
    const emptied = this._empty.wait(opts)
    if (opts?.raiseError !== true || members.length === 0) return emptied
    return new FnOp<boolean>((resume) => {
      let over = false
      let cancelEmpty: Cancel | undefined = undefined
      const cancelFail = startOp(joinAll(members, { raiseError: true, signal: opts.signal }), (ok, value) => {
        if (ok || over) return
        over = true
        undo(cancelEmpty)
        resume(false, value)
      })
      if (over) return undefined
      cancelEmpty = startOp(emptied, (ok, value) => {
        if (over) return
        over = true
        undo(cancelFail)
        resume(ok, value)
      })
      return new LabelledUndo(
        () => {
          over = true
          undo(cancelEmpty)
          undo(cancelFail)
        },
        `group: ${String(members.length)} members to end`,
      )
    })
  }

  /**
   * Kills every member (and any added meanwhile) and resolves once the group is empty and every
   * `finally` ran: true, or false if `timeout` passed first.
   *
   * **Details**: as in gevent, the group stays usable: `kill` ends the current members, and a task
   * spawned afterwards runs normally.
   */
  kill(opts?: WaitOptions & { reason?: unknown }): Op<boolean> {
    // The wait is made first: a bad option must throw before any member is killed.
    const emptied = this._empty.wait(opts)
    for (const t of this._tasks) t._requestKill(opts?.reason)
    this._killing(opts?.reason)
    return emptied
  }

  /** Kills one member and waits for it. */
  killOne(task: Task<unknown>, opts?: WaitOptions & { reason?: unknown }): Op<boolean> {
    if (!(task instanceof Task)) throw typeError('task', 'a task', task)
    return task.kill(checkOptions(opts)?.reason, opts)
  }

  /**
   * Runs `fn(...args)` as a task in the group and gives its value (gevent `apply`); `args` may be
   * left out for a function that takes none.
   * **Throws**: `TypeError` if `fn` is not a function or `args` is not an array.
   * @example
   * await group.apply(() => 'no args')
   * await group.apply((a: number, b: number) => a + b, [2, 3]) // 5
   */
  apply<R>(fn: () => R): Promise<Awaited<R>>
  apply<A extends unknown[], R>(fn: (...args: A) => R, args: A): Promise<Awaited<R>>
  apply<A extends unknown[], R>(fn: (...args: A) => R, args?: A): Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw typeError('fn', 'a function', fn)
    if (args !== undefined && !Array.isArray(args)) {
      throw new TypeError(`Expected \`args\` to be an array of arguments, got \`${describe(args)}\``)
    }
    const list = (args ?? []) as A
    return Promise.resolve(this.spawn(() => fn(...list))) as Promise<Awaited<R>>
  }

  /** Runs `fn` on every item, all at once, and gives the results in input order. */
  map<T, R>(fn: MapFn<T, R>, items: Source<T>, opts?: MapOptions): Promise<Awaited<R>[]> {
    return mapAll(this, fn, items, this._limit(), opts)
  }

  /** Like `map`, lazily, yielding results in input order. */
  imap<T, R>(fn: MapFn<T, R>, items: Source<T>, opts?: MapOptions): AsyncIterableIterator<Awaited<R>> {
    return iterate(this, fn, items, this._limit(), opts, true)
  }

  /** Like `imap`, yielding results as they complete. */
  imapUnordered<T, R>(
    fn: MapFn<T, R>,
    items: Source<T>,
    opts?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return iterate(this, fn, items, this._limit(), opts, false)
  }

  /** @internal How many map jobs may run at once. */
  _limit(): number {
    return Infinity
  }

  /** @internal A member left. */
  _left(_task: Task<unknown>): void {}

  /** @internal A kill of everything began. */
  _killing(_reason: unknown): void {}
}
