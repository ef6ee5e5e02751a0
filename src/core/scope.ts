/**
 * Structured blocks: `scoped(fn)` and the `Scope` class for `await using` (asyncio TaskGroup,
 * trio nursery).
 *
 * A scope is a task: its block is the body and what it spawns are its children, so the task
 * kernel's rules are the scope's rules: it ends only when every child has, the first failure
 * cancels the rest, and the errors come out together. Building it on the task keeps one
 * mechanism, not two that could disagree.
 *
 * @module
 */
import { checkOptions } from '../errors.js'
import type { TaskContext } from './context.js'
import { Future } from './future.js'
import { spawn, spawnUnder } from './spawn.js'
import type { SpawnOptions, Task, TaskFn, TaskResult } from './task.js'

/** Options of `scoped`. @since 0.1.0 */
export interface ScopeOptions {
  /** A name for the scope's task. */
  readonly name?: string | undefined
  /** Cancels the scope and everything in it when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Runs `fn(scope)` as a block that returns only when every task spawned in it is done.
 *
 * **Details**: the first failure (of the block or of a child) cancels every other task in it and
 * the block itself, and is rethrown once all have finished; several failures come out as one
 * `AggregateError` holding each. Called inside a task, the scope is that task's child, so killing
 * the task cancels the scope. After an `await` in an async task, use `ctx.spawn` or pass
 * `{signal: ctx.signal}` so the scope knows its parent.
 * @example
 * const [a, b] = await scoped(async (scope) => {
 *   const a = scope.spawn(fetchA)
 *   const b = scope.spawn(fetchB)
 *   return [await a, await b]
 * })
 * @since 0.1.0
 */
export function scoped<R>(fn: (scope: TaskContext) => R, opts?: ScopeOptions): Promise<TaskResult<R>> {
  checkOptions(opts)
  return Promise.resolve(spawn(fn, { name: opts?.name ?? 'scope', signal: opts?.signal }))
}

/**
 * A scope for `await using`: tasks spawned through it are awaited when the block ends.
 *
 * **Details**: disposal waits for every child and rethrows their failure. A child failure cancels
 * the others at once. `await using` cannot see an exception thrown by the block itself, so the
 * children are then awaited, not cancelled: use `scoped()` when the block may throw, or call
 * `scope.cancel()` in a `catch`.
 * @example
 * {
 *   await using scope = new Scope()
 *   scope.spawn(worker, { name: 'a' })
 *   scope.spawn(worker, { name: 'b' })
 * } // both done here
 * @since 0.1.0
 */
export class Scope implements AsyncDisposable {
  readonly #gate = new Future<void>()
  readonly #task: Task<void>

  constructor(opts?: ScopeOptions) {
    checkOptions(opts)
    const gate = this.#gate
    this.#task = spawn(
      function* () {
        yield* gate
      },
      { name: opts?.name ?? 'scope', signal: opts?.signal },
    )
  }

  /** Aborts when the scope is cancelled or a child fails. */
  get signal(): AbortSignal {
    return this.#task._signal()
  }

  /** The task that hosts the scope's children. */
  get task(): Task<void> {
    return this.#task
  }

  /** Spawns a task owned by this scope. */
  spawn<R>(fn: TaskFn<R>, opts?: Omit<SpawnOptions, 'detached'>): Task<TaskResult<R>> {
    return spawnUnder(this.#task, fn, opts)
  }

  /** Kills every task in the scope; `close()` then rethrows nothing for them. */
  cancel(reason?: unknown): void {
    this.#task._requestKill(reason)
  }

  /** Waits for every task; rethrows the first failure (or an `AggregateError` of several). */
  async close(): Promise<void> {
    if (!this.#gate.done) this.#gate.setResult(undefined)
    await this.#task.join()
    if (this.#task.state === 'failed') throw this.#task.exception
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
