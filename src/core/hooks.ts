/**
 * Optional machinery the kernel calls only when it is switched on: debug mode and the implicit
 * (AsyncLocalStorage) context. Each is one `undefined` check on the hot path when off.
 *
 * @module
 */
import type { Task } from './task.js'

/** Debug-mode callbacks. @internal */
export interface DebugHooks {
  /** Stack of the spawn call, kept on the task. */
  spawnStack(): string
  /** Called around every synchronous step verdant runs for a task. */
  stepStart(): number
  stepEnd(task: Task<unknown>, startedAt: number): void
  /** Called after an actor handled a message synchronously (`path` is only made if it was slow). */
  actorStepEnd(path: () => string, message: unknown, startedAt: number): void
}

/** The opt-in implicit context: runs a task's body so later continuations know their task. @internal */
export interface ImplicitContext {
  run<R>(task: Task<unknown>, fn: () => R): R
  current(): Task<unknown> | undefined
}

/** @internal */
export const hooks: { debug: DebugHooks | undefined; implicit: ImplicitContext | undefined } = {
  debug: undefined,
  implicit: undefined,
}
