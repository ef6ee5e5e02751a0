/**
 * `spawn` and `spawnLater`: make a task and schedule its first step.
 *
 * @module
 */
import { checkMs, checkOptions, checkSignal, describe, InvalidStateError, typeError } from '../errors.js'
import { currentTask } from './registry.js'
import { type SpawnOptions, Task, type TaskFn, type TaskResult } from './task.js'

/**
 * Starts `fn` as a new task and returns it at once; the body runs after the current step.
 *
 * **Details**: spawned inside a task whose step verdant is running (a generator task, or the
 * synchronous start of an async body), the new task is its child; use `ctx.spawn` after an
 * `await`. `{detached: true}` makes a root task instead.
 * **Cancellation**: with `{signal}`, the task is killed when the signal aborts, with the signal's
 * reason as the kill reason; a signal already aborted at the call means the task never runs and
 * ends `cancelled`. The listener is removed when the task ends, so one long-lived signal may serve
 * any number of tasks.
 * **Throws**: `TypeError` if `fn` is not a function or `signal` is not an `AbortSignal`;
 * `InvalidStateError` if the parent is done.
 * @example
 * const task = spawn(async () => 42) // Task<number>
 * const fetcher = spawn(async (ctx) => fetch(url, { signal: ctx.signal }), { signal: request.signal })
 * @since 0.1.0
 */
export function spawn<R>(fn: TaskFn<R>, opts?: SpawnOptions): Task<TaskResult<R>> {
  return spawnUnder(currentTask(), fn, opts)
}

/**
 * Spawns `fn` to start after `ms` milliseconds (gevent `spawn_later`). Killing it before then
 * means it never runs, and its timer is cancelled.
 * @example
 * const reminder = spawnLater(60_000, async () => notify())
 * @since 0.1.0
 */
export function spawnLater<R>(ms: number, fn: TaskFn<R>, opts?: SpawnOptions): Task<TaskResult<R>> {
  return spawnUnder(currentTask(), fn, opts, ms)
}

/**
 * Creates a task under `parent` (or a root task with `detached`) and schedules its first step,
 * after `laterMs` if given. Every spawning API goes through here. @internal
 */
export function spawnUnder<R>(
  parent: Task<unknown> | undefined,
  fn: TaskFn<R>,
  opts: SpawnOptions | undefined,
  laterMs?: number,
): Task<TaskResult<R>> {
  if (laterMs !== undefined) checkMs('ms', laterMs)
  const task = createTask(fn, opts, opts?.detached === true ? undefined : parent)
  const signal = opts?.signal
  if (signal !== undefined) {
    bindSignal(task, signal)
    if (task.done) return task
  }
  if (laterMs === undefined) task._schedule()
  else task._scheduleLater(laterMs)
  return task
}

/**
 * Kills `task` when `signal` aborts (at once if it already has), with the signal's reason. The
 * listener goes when the task ends, so a long-lived signal does not collect one per task. @internal
 */
export function bindSignal(task: Task<unknown>, signal: AbortSignal): void {
  if (task.done) return
  if (signal.aborted) {
    task._requestKill(signal.reason)
    return
  }
  const onAbort = (): void => {
    task._requestKill(signal.reason)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  task._listen(() => {
    signal.removeEventListener('abort', onAbort)
  })
}

/** @internal */
export function createTask<R>(
  fn: TaskFn<R>,
  opts: SpawnOptions | undefined,
  parent: Task<unknown> | undefined,
): Task<TaskResult<R>> {
  if (typeof fn !== 'function') {
    throw new TypeError(`Expected a task function, got \`${describe(fn)}\` (${typeof fn})`)
  }
  checkOptions(opts)
  checkSignal(opts?.signal)
  const name: unknown = opts?.name
  if (name !== undefined && typeof name !== 'string') throw typeError('name', 'a string', name)
  if (parent?.done === true) {
    throw new InvalidStateError(`cannot spawn into ${parent._label()}: it has finished`)
  }
  return new Task<TaskResult<R>>(fn, opts?.name, parent)
}
