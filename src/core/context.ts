/**
 * `TaskContext`: what an async task body receives, and what `scoped()` hands its block.
 *
 * It is the async body's link to its task, since the core does not use AsyncLocalStorage (it slows
 * every `await` in the process about 3x on Node 20). Waits made through it are bound to the task:
 * a kill or a `Timeout` rejects them at once.
 *
 * @module
 */
import { checkMs, typeError } from '../errors.js'
import { type Callable, call } from './call.js'
import { Future, type WaitOptions } from './future.js'
import type { Op } from './op.js'
import { spawnUnder } from './spawn.js'
import type { SpawnOptions, Task, TaskFn, TaskResult } from './task.js'
import { sleep } from './sleep.js'
import { Timeout } from './timeout.js'

/**
 * The context of a running task: its signal, its children, and waits bound to it.
 *
 * @example
 * spawn(async (ctx) => {
 *   const child = ctx.spawn(async () => 1)
 *   await ctx.sleep(10) // a kill interrupts this at once
 *   return (await ctx.get(child)) + 1
 * })
 * @since 0.1.0
 */
export class TaskContext {
  /** The task this context belongs to. */
  readonly task: Task<unknown>

  /** @internal */
  constructor(task: Task<unknown>) {
    this.task = task
  }

  /**
   * Aborts when the task is killed (reason: the `TaskKilled`) or cancelled because a child failed.
   * Hand it to `fetch`, streams and any other API that takes one.
   */
  get signal(): AbortSignal {
    return this.task._signal()
  }

  /** Spawns a child of this task (see `spawn`). */
  spawn<R>(fn: TaskFn<R>, opts?: SpawnOptions): Task<TaskResult<R>> {
    return spawnUnder(this.task, fn, opts)
  }

  /** Spawns a child of this task that starts after `ms` milliseconds. */
  spawnLater<R>(ms: number, fn: TaskFn<R>, opts?: SpawnOptions): Task<TaskResult<R>> {
    return spawnUnder(this.task, fn, opts, ms)
  }

  /** Waits on `op` (or a promise, future or function) bound to this task. */
  call<T>(source: Op<T>): Promise<T>
  call<T>(source: Future<T>): Promise<T>
  call<T>(source: PromiseLike<T> | (() => T | PromiseLike<T>)): Promise<T>
  call<T>(source: Callable<T>): Promise<T> {
    return this.task._call(call(source as Op<T>))
  }

  /** `sleep(ms)` bound to this task. */
  sleep(ms = 0): Promise<void> {
    return this.task._sleep(checkMs('ms', ms))
  }

  /** `yieldNow()` bound to this task. */
  yieldNow(): Promise<void> {
    return this.task._call(sleep(0))
  }

  /** `other.join(opts)` bound to this task. */
  join(other: Future<unknown>, opts?: WaitOptions): Promise<boolean> {
    return this.task._call(checkFuture(other).join(opts))
  }

  /** `other.get(opts)` bound to this task. */
  get<T>(other: Future<T>, opts?: WaitOptions): Promise<T> {
    return this.task._call(checkFuture(other).get(opts))
  }

  /**
   * Starts a `Timeout` of `ms` that raises its `TimeoutError` in this task, at the wait it is
   * blocked on through this context. Cancel or dispose it when the guarded part is over.
   */
  timeout(ms: number | undefined, opts?: { error?: unknown }): Timeout {
    return new Timeout(ms, opts).start(this.task)
  }
}

function checkFuture<T>(other: Future<T>): Future<T> {
  if (!(other instanceof Future)) throw typeError('other', 'a future or task', other)
  return other
}
