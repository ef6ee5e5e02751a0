/**
 * The waits an async task opens through its context (`ctx.call`, `ctx.sleep`, ...): each is
 * registered on the task until it settles, so a kill or a `Timeout` can reject it at once, and the
 * end of the body can undo the ones it never awaited.
 *
 * @module
 */
import { type DeadlineHeap, type HeapTimer, unschedule } from '../platform/deadline-heap.js'
import { type Cancel, undo } from './op.js'

/** What a task needs from one of its open waits. @internal */
export interface TaskWait {
  /** Rejects the wait with `error` and undoes what it waits on (or lets the op do it later). */
  _abandon(error: unknown): void
  /** Undoes the wait without settling it: the body that opened it has ended. */
  _drop(): void
}

/** The side of a task its waits see. @internal */
export interface WaitOwner {
  _removeWaiter(w: TaskWait): void
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
}
