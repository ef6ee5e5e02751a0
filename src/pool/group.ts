/**
 * `Group`: a set of tasks managed together (gevent `pool.Group`).
 *
 * @module
 */
import { checkMs } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import { joinAll } from '../core/join.js'
import { type Cancel, FnOp, type Op, startOp, undo } from '../core/op.js'
import { spawn } from '../core/spawn.js'
import type { SpawnOptions, Task, TaskFn, TaskResult } from '../core/task.js'
import { Event } from '../sync/event.js'
import { iterate, mapAll, type MapFn, type MapOptions, type Source } from './imap.js'

/** Options of `Group.join`. @since 0.1.0 */
export interface GroupJoinOptions extends WaitOptions {
  /** Reject with the first failure of a task that was in the group when `join` was called. */
  readonly raiseError?: boolean | undefined
}

/**
 * A set of tasks: tasks leave it when they finish; `join` waits until it is empty and `kill` kills
 * every member.
 *
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
  readonly #onDone = (t: Task<unknown>): void => {
    this.discard(t)
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
    if (task.done || this._tasks.has(task)) return
    this._tasks.add(task)
    this._empty.clear()
    task._listen(this.#onDone)
  }

  /** Removes a task from the group without touching it. */
  discard(task: Task<unknown>): void {
    if (!this._tasks.delete(task)) return
    task._unlisten(this.#onDone)
    if (this._tasks.size === 0) this._empty.set()
    this._left(task)
  }

  /** True if `task` is in the group. */
  has(task: Task<unknown>): boolean {
    return this._tasks.has(task)
  }

  /** Spawns `fn` as a task in the group. */
  spawn<R>(fn: TaskFn<R>, opts?: SpawnOptions): Task<TaskResult<R>> {
    const task = spawn(fn, opts)
    this.add(task)
    return task
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
    if (opts?.timeout !== undefined) checkMs('timeout', opts.timeout)
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
      return () => {
        over = true
        undo(cancelEmpty)
        undo(cancelFail)
      }
    })
  }

  /**
   * Kills every member (and any added meanwhile) and resolves once the group is empty and every
   * `finally` ran: true, or false if `timeout` passed first.
   */
  kill(opts?: WaitOptions & { reason?: unknown }): Op<boolean> {
    for (const t of this._tasks) t._requestKill(opts?.reason)
    this._killing(opts?.reason)
    return this._empty.wait(opts)
  }

  /** Kills one member and waits for it. */
  killOne(task: Task<unknown>, opts?: WaitOptions & { reason?: unknown }): Op<boolean> {
    return task.kill(opts?.reason, opts)
  }

  /** Runs `fn(...args)` as a task in the group and gives its value (gevent `apply`). */
  apply<A extends unknown[], R>(fn: (...args: A) => R, args: A): Promise<Awaited<R>> {
    return Promise.resolve(this.spawn(() => fn(...args))) as Promise<Awaited<R>>
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
