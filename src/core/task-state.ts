/**
 * How a task's state is laid out: the bits it keeps in the flags word it shares with `Future`, and
 * the cold part that holds what few tasks need.
 *
 * Both sides of the kernel read and write this state: the driver (`task.ts`, which runs a body and
 * raises errors at its switch points) and the tree rules (`task-tree.ts`, which decide what a kill
 * or a failure does and when a task settles). It sits below both so that each imports it and
 * neither imports the other at run time. The layout itself is a memory decision: a task is one
 * object of 15 fields, so booleans share the state's integer and rare state is made on demand (see
 * the Memory section of docs/design.md).
 *
 * @module
 */
import type { CancelledError, TaskKilled } from '../errors.js'
import type { Timer } from '../platform/clock.js'
import { FIRST_FREE_FLAG } from './future.js'
import type { TaskBound } from './task.js'
import type { Waiters } from './task-wait.js'

/** `Cold.pending` when no error waits for the next switch point. @internal */
export const NONE: unique symbol = Symbol('none')

// `_flags` bits above the Future's own.
/** @internal */
export const RAN = FIRST_FREE_FLAG
/** @internal */
export const STEPPING = FIRST_FREE_FLAG << 1
/** @internal */
export const BODY_DONE = FIRST_FREE_FLAG << 2
/** @internal */
export const BODY_CANCELLED = FIRST_FREE_FLAG << 3
/** The generator's op is starting: a resume now is synchronous (its outcome waits in `_result`). @internal */
export const WAIT_SYNC = FIRST_FREE_FLAG << 4
/** The generator is suspended on its op: a resume now continues it. @internal */
export const WAIT_SUSPENDED = FIRST_FREE_FLAG << 5
/** @internal */
export const SYNC_DONE = FIRST_FREE_FLAG << 6
/** @internal */
export const SYNC_OK = FIRST_FREE_FLAG << 7

/**
 * State most tasks never need, kept off the task so that a task stays small (a live sleeping task
 * is a few hundred bytes, most of them this object's absence). @internal
 */
export class Cold {
  name: string | undefined = undefined
  kill: TaskKilled | undefined = undefined
  cancelling: CancelledError | undefined = undefined
  controller: AbortController | undefined = undefined
  startTimer: Timer | undefined = undefined
  bound: Set<TaskBound> | undefined = undefined
  /** Failures of exited children still waiting for their end-of-turn check; they hold the finish. */
  heldChecks = 0
  errors: unknown[] | undefined = undefined
  stack: string | undefined = undefined
  /** An error to raise at the next switch point (the body was running when it arrived). */
  pending: unknown = NONE
  /** `ctx.call` waits made from a generator body (rare). */
  waiters: Waiters | undefined = undefined
}
