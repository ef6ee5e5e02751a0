/**
 * `joinAll` and `killAll` (gevent `joinall`, `killall`).
 *
 * @module
 */
import { checkCount, checkIterable, checkWait, typeError } from '../errors.js'
import { getClock, type Timer } from '../platform/clock.js'
import { Future } from './future.js'
import { type Cancel, FnOp, Op, type Resume, startOp } from './op.js'
import { Task } from './task.js'
import { LabelledUndo } from './wait-label.js'

/**
 * Reads an argument that must be an iterable of futures (or, with `tasks`, of tasks) into an
 * array, checking every element at the call: a bad one would otherwise fail only when the wait
 * starts, with an error about a property of the wrong object. @internal
 */
export function futureList<F extends Future<unknown>>(name: string, value: unknown, tasks = false): F[] {
  const kind = tasks ? 'tasks' : 'futures or tasks'
  const list = [...checkIterable(name, value, `an iterable of ${kind}`)]
  for (let i = 0; i < list.length; i++) {
    const f = list[i]
    if (!(tasks ? f instanceof Task : f instanceof Future)) {
      throw typeError(`${name}[${String(i)}]`, tasks ? 'a task' : 'a future or task', f)
    }
  }
  return list as F[]
}

/** Options of `joinAll`. @since 0.1.0 */
export interface JoinAllOptions {
  /** Stop waiting after this many milliseconds and return what finished. */
  readonly timeout?: number | undefined
  /** Reject with the first failure, in completion order, as soon as it happens. */
  readonly raiseError?: boolean | undefined
  /** Return once this many have finished. */
  readonly count?: number | undefined
  /** Abandon the wait when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

class JoinAllOp<F extends Future<unknown>> extends Op<F[]> {
  readonly #futures: F[]
  readonly #opts: JoinAllOptions | undefined
  readonly #observe: boolean
  constructor(futures: F[], opts: JoinAllOptions | undefined, observe: boolean) {
    super()
    this.#futures = futures
    this.#opts = opts
    this.#observe = observe
    this._signal = opts?.signal
  }

  _start(resume: Resume<F[]>): Cancel | undefined {
    const futures = this.#futures
    const opts = this.#opts
    const raise = opts?.raiseError === true
    const want = Math.min(opts?.count ?? futures.length, futures.length)
    const finished: F[] = []
    let over = false
    let timer: Timer | undefined
    const cleanup = (): void => {
      over = true
      timer?.cancel()
      // When every future finished, each callback already fired and was dropped at its settle.
      if (finished.length < futures.length) for (const f of futures) f._unlisten(onDone)
    }
    const onDone = (f: never): void => {
      if (over) return
      const fut = f as F
      finished.push(fut)
      if (raise && fut._state === 'failed') {
        cleanup()
        resume(false, fut._result)
      } else if (finished.length >= want) {
        cleanup()
        resume(true, finished)
      }
    }
    if (want === 0) {
      resume(true, finished)
      return undefined
    }
    for (const f of futures) {
      if (this.#observe) f._observed = true
      f._listen(onDone)
      if (over) return undefined
    }
    const ms = opts?.timeout
    if (ms !== undefined && ms !== Infinity) {
      timer = getClock().setTimer(ms, () => {
        cleanup()
        resume(true, finished)
      })
    }
    return new LabelledUndo(cleanup, () => {
      const n = futures.length - finished.length
      return `${this.#observe ? 'joinAll' : 'killAll'}: ${String(n)} of ${String(futures.length)} to end`
    })
  }
}

/**
 * Waits for futures or tasks and returns those that finished, in completion order (gevent
 * `joinall`).
 *
 * **Details**: never rejects because a task failed, unless `raiseError`, which rejects with the
 * first failure as soon as it happens (the others keep running). On `timeout` it resolves with
 * what finished so far.
 * **Cancellation**: abandoning it removes every callback it added; the tasks are untouched.
 * **Throws**: `TypeError` at the call unless `futures` is an iterable of futures or tasks;
 * `RangeError` for a bad `timeout` or `count`.
 * @example
 * const done = await joinAll([spawn(a), spawn(b)], { timeout: 1000 })
 * @since 0.1.0
 */
export function joinAll<F extends Future<unknown>>(futures: Iterable<F>, opts?: JoinAllOptions): Op<F[]> {
  const list = futureList<F>('futures', futures)
  checkWait(opts)
  if (opts?.count !== undefined) checkCount('count', opts.count, 0)
  return new JoinAllOp(list, opts, true)
}

/** Options of `killAll`. @since 0.1.0 */
export interface KillAllOptions {
  /** The reason given to each `TaskKilled`. */
  readonly reason?: unknown
  /** Stop waiting after this many milliseconds; resolves false if some are still alive. */
  readonly timeout?: number | undefined
  /** Abandon the wait when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Kills every task, in the order given, and waits until all have finished their clean-up
 * (gevent `killall`). Resolves true, or false if `timeout` passed with some still alive.
 * **Throws**: `TypeError` at the call, killing nothing, unless `tasks` is an iterable of tasks;
 * `RangeError` for a bad `timeout`.
 * @example
 * await killAll(workers, { timeout: 5000 })
 * @since 0.1.0
 */
export function killAll(tasks: Iterable<Task<unknown>>, opts?: KillAllOptions): Op<boolean> {
  const list = futureList<Task<unknown>>('tasks', tasks, true)
  // Checked before the first kill: a bad option must not leave some of the tasks killed.
  checkWait(opts)
  const timeout = opts?.timeout
  const signal = opts?.signal
  for (const t of list) t._requestKill(opts?.reason)
  // Waiting for kills is not looking at outcomes: failures they end with are still reported.
  const join = new JoinAllOp(list, { timeout, signal }, false)
  return new FnOp<boolean>((resume) =>
    startOp(join, (ok, value) => {
      resume(ok, ok ? (value as unknown[]).length === list.length : value)
    }),
  )
}
