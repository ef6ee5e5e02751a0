/**
 * `Timeout` (gevent.Timeout): a time limit that raises into the task that started it, at the switch
 * point the task is parked on, so the task can catch it and carry on.
 *
 * Each `Timeout` has an identity (`TimeoutError.timeout`) and only ever converts its own expiry, so
 * an inner limit can never swallow an outer one (gevent's "not my timeout").
 *
 * Layer: it is the kernel's cancel source beside a kill (`ctx.timeout()` makes one, and a task
 * drops the ones bound to it when it ends), so it lives in `core/` and needs only the current task.
 * `withTimeout` and `moveOnAfter` race a function against a limit by spawning tasks, so they sit
 * above, in `time/deadline.ts`.
 *
 * @module
 */
import { checkMs, checkOptions, InvalidStateError, TimeoutError, typeError } from '../errors.js'
import { currentTask } from './registry.js'
import { Task, type TaskBound } from './task.js'
import { getClock, type Timer } from '../platform/clock.js'

/**
 * A time limit that raises a `TimeoutError` (carrying this `Timeout`) into the task that started
 * it (gevent `Timeout`).
 *
 * **Details**: `start()` binds it to the current task (a generator task, or the synchronous start of
 * an async body); in an async task use `ctx.timeout(ms)`, which binds it to that task. When it
 * fires, a generator task gets the error at the `yield` it is suspended on; an async task gets it
 * from the wait it has open through its context, or its next one. `undefined` or `Infinity` never
 * fires. A timeout dies with its task: no timer outlives either.
 * **Throws**: `InvalidStateError` from `start()` if it is already pending or no task is known.
 * @example
 * const timeout = new Timeout(5000).start()
 * try { yield* task.join() } catch (e) { if (e instanceof TimeoutError && e.timeout === timeout) print('Could not complete') }
 * finally { timeout.cancel() }
 * @since 0.1.0
 */
export class Timeout implements Disposable, TaskBound {
  /** The limit in milliseconds; `undefined` never fires. */
  readonly ms: number | undefined
  readonly #error: unknown
  #timer: Timer | undefined
  #task: Task<unknown> | undefined
  #expired = false

  constructor(ms?: number, opts?: { error?: unknown }) {
    this.ms = ms === undefined ? undefined : checkMs('ms', ms)
    this.#error = checkOptions(opts)?.error
  }

  /** Starts `new Timeout(ms)` in the current task. */
  static startNew(ms: number | undefined, opts?: { error?: unknown }): Timeout {
    return new Timeout(ms, opts).start()
  }

  /** True while started and not yet fired or cancelled. */
  get pending(): boolean {
    return this.#timer !== undefined
  }

  /** True once it fired. */
  get expired(): boolean {
    return this.#expired
  }

  /** Starts the countdown in `task` (default: the current task). Returns `this`. */
  start(task: Task<unknown> | undefined = currentTask()): this {
    if (this.#timer !== undefined) throw new InvalidStateError('this Timeout is already pending')
    if (task !== undefined && !(task instanceof Task)) throw typeError('task', 'a task', task)
    if (task === undefined) {
      throw new InvalidStateError(
        'Timeout.start() needs a task to raise in: call it inside a generator task, or use ctx.timeout(ms)',
      )
    }
    if (task.done) throw new InvalidStateError(`cannot start a Timeout in ${task._label()}: it has finished`)
    this.#expired = false
    const ms = this.ms
    if (ms === undefined || ms === Infinity) return this
    this.#task = task
    task._bind(this)
    this.#timer = getClock().setTimer(ms, this.#fire)
    return this
  }

  /** Stops it; it can be started again. No-op if not pending. */
  cancel(): void {
    this.#timer?.cancel()
    this.#timer = undefined
    this.#task?._unbind(this)
    this.#task = undefined
  }

  /** `using t = new Timeout(ms).start()` cancels it at the end of the block. */
  [Symbol.dispose](): void {
    this.cancel()
  }

  /** @internal */
  _taskEnded(): void {
    this.#timer?.cancel()
    this.#timer = undefined
    this.#task = undefined
  }

  #fire = (): void => {
    const task = this.#task
    this.#timer = undefined
    this.#task = undefined
    this.#expired = true
    if (task === undefined) return
    task._unbind(this)
    const error =
      this.#error ?? new TimeoutError(`timeout of ${this.ms ?? 0} ms expired in ${task._label()}`, this)
    task._interrupt(error)
  }
}
