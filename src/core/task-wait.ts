/**
 * The waits an async task opens through its context (`ctx.call`, `ctx.sleep`, ...): each is
 * registered on the task until it settles, so a kill or a `Timeout` can reject it at once, and the
 * end of the body can undo the ones it never awaited.
 *
 * @module
 */
import { getClock, type InternalClock } from '../platform/clock.js'
import { type DeadlineHeap, type HeapTimer, unschedule } from '../platform/deadline-heap.js'
import { type Cancel, type Op, type Resume, startOp, undo } from './op.js'
import { captured, captureResolvers, forgetResolvers } from './resolvers.js'
import { sleepLabel, waitLabel } from './wait-label.js'

/** What a task needs from one of its open waits. @internal */
export interface TaskWait {
  /** Rejects the wait with `error` and undoes what it waits on (or lets the op do it later). */
  _abandon(error: unknown): void
  /** Undoes the wait without settling it: the body that opened it has ended. */
  _drop(): void
}

/** The side of a task its waits see. @internal */
export interface WaitOwner {
  _addWaiter(w: TaskWait): void
  _removeWaiter(w: TaskWait): void
}

/**
 * A task's open waits: none, one, or a set of them. Most tasks have at most one open at a time,
 * so the set is made only for the second. @internal
 */
export type Waiters = TaskWait | Set<TaskWait>

/** `current` with `w` added. @internal */
export function withWaiter(current: Waiters | undefined, w: TaskWait): Waiters {
  if (current === undefined) return w
  if (current instanceof Set) return current.add(w)
  return new Set([current, w])
}

/** `current` without `w`. @internal */
export function withoutWaiter(current: Waiters | undefined, w: TaskWait): Waiters | undefined {
  if (current === w) return undefined
  if (current instanceof Set) current.delete(w)
  return current
}

/** The waits of `current`, as a list to go through while they remove themselves. @internal */
export function waiterList(current: Waiters): TaskWait[] {
  return current instanceof Set ? [...current] : [current]
}

/** Waits on `op` for `task`, registered so a kill or `Timeout` rejects it at once. @internal */
export function boundCall<R>(task: WaitOwner, op: Op<R>): Promise<R> {
  // A shared executor hands out the resolving functions without a capturing closure per wait.
  const promise = new Promise<R>(captureResolvers)
  const w = new BoundWait(task, captured.resolve as (value: unknown) => void, captured.reject)
  forgetResolvers()
  const cancel = startOp(op, BoundWait.resume.bind(w) as Resume<R>)
  if (!w.done) {
    w.cancel = cancel
    w.added = true
    task._addWaiter(w)
  }
  return promise
}

/** `ctx.sleep(ms)` for `task` on one of verdant's clocks: the wait is its own timer entry. @internal */
export function boundSleep(task: WaitOwner, clock: InternalClock, ms: number): Promise<void> {
  const promise = new Promise<void>(captureResolvers)
  const w = new SleepWait(task, captured.resolve as (value: undefined) => void, captured.reject)
  forgetResolvers()
  clock._addTimer(ms, w)
  task._addWaiter(w)
  return promise
}

/** One open `ctx.call` wait on any op. @internal */
export class BoundWait implements TaskWait {
  done = false
  added = false
  cancel: Cancel | undefined = undefined
  constructor(
    readonly task: WaitOwner,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  /** The op's resume, bound to the wait: a bound function is smaller than a closure and its context. */
  static resume(this: BoundWait, ok: boolean, value: unknown): void {
    if (this.done) return
    this.done = true
    if (this.added) this.task._removeWaiter(this)
    if (ok) this.resolve(value)
    else this.reject(value)
  }

  _abandon(error: unknown): void {
    // A deferred undo rejects the wait itself, through its resume, once it can.
    if (undo(this.cancel, error)) return
    this.done = true
    this.reject(error)
  }

  _drop(): void {
    this.done = true
    undo(this.cancel)
  }

  _waitsOn(): string {
    return waitLabel(this.cancel)
  }
}

/**
 * `ctx.sleep(ms)` on one of verdant's clocks: the wait record is itself the timer-heap entry, so a
 * sleeping async task holds one 80-byte object for its wait, where an op, its wait record and a
 * bound resume took 216. @internal
 */
export class SleepWait implements TaskWait, HeapTimer {
  live = false
  at = 0
  seq = -1
  heap: DeadlineHeap | undefined = undefined
  constructor(
    readonly task: WaitOwner,
    readonly resolve: (value: undefined) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  onTimer(): void {
    this.task._removeWaiter(this)
    this.resolve(undefined)
  }

  _abandon(error: unknown): void {
    this._drop()
    this.reject(error)
  }

  _drop(): void {
    unschedule(this)
  }

  _waitsOn(): string {
    return sleepLabel(this.at, getClock().now())
  }
}
