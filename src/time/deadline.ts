/**
 * `withTimeout` and `moveOnAfter` (trio's fail_after / move_on_after, asyncio's wait_for): a
 * function raced against a time limit.
 *
 * Unlike a `Timeout`, which raises into the task that started it at the switch point the task is
 * parked on, `withTimeout` races its function: it rejects the moment time is up, whatever the
 * function is doing, and aborts the signal it gave the function so `fetch`, sockets and verdant
 * waits inside stop too. Each call has an identity (`TimeoutError.timeout`), and each only ever
 * converts its own expiry, so an inner limit can never swallow an outer one (gevent's "not my
 * timeout").
 *
 * Layer: these are combinators over tasks (a generator function runs as a child task, killed on
 * expiry), so they sit above `core/`; the kernel needs only `Timeout` (`core/timeout.ts`), for
 * `ctx.timeout()`.
 *
 * @module
 */
import { checkMs, checkOptions, checkSignal, TimeoutError, typeError } from '../errors.js'
import { abortError, isGenerator, isThenable } from '../core/op.js'
import { spawn } from '../core/spawn.js'
import type { Task } from '../core/task.js'
import { getClock, type Timer } from '../platform/clock.js'

/**
 * What `withTimeout` and `moveOnAfter` give their function.
 * @since 0.1.0
 */
export interface DeadlineScope {
  /** Aborts when the time is up (reason: the `TimeoutError`) or the outer signal aborts. */
  readonly signal: AbortSignal
  /** `clock.now()` at which the time is up. */
  readonly deadline: number
}

/** Options of `withTimeout` and `moveOnAfter`. @since 0.1.0 */
export interface DeadlineOptions {
  /** An outer signal: when it aborts, the call rejects with its reason and the inner signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/**
 * One `withTimeout`/`moveOnAfter` call: its scope, its timer and its outcome in one object, so a
 * call that finishes in time costs a few allocations (this, its promise, one timer entry and the
 * closures `then` needs) and no host timer.
 */
class DeadlineCall<T> implements DeadlineScope {
  #controller: AbortController | undefined = undefined
  #abortReason: unknown = undefined
  #settled = false
  /** The time is up (or the outer signal aborted); the outcome waits for results already on their way. */
  #expired: { error: unknown; own: boolean } | undefined = undefined
  #timer: Timer | undefined = undefined
  #task: Task<unknown> | undefined = undefined
  #onAbort: (() => void) | undefined = undefined
  resolve!: (value: T) => void
  reject!: (error: unknown) => void

  constructor(
    readonly ms: number,
    readonly outer: AbortSignal | undefined,
    readonly silent: boolean,
  ) {}

  get deadline(): number {
    const t = this.#timer as TimerEntryLike | undefined
    return t?.at ?? getClock().now() + this.ms
  }

  get signal(): AbortSignal {
    let c = this.#controller
    if (c === undefined) {
      c = this.#controller = new AbortController()
      if (this.#abortReason !== undefined) c.abort(this.#abortReason)
    }
    return c.signal
  }

  start(fn: (scope: DeadlineScope) => unknown): void {
    const outer = this.outer
    if (outer !== undefined) {
      if (outer.aborted) {
        this.#settled = true
        this.reject(abortError(outer))
        return
      }
      this.#onAbort = () => {
        this.#expire(abortError(outer), false)
      }
      outer.addEventListener('abort', this.#onAbort, { once: true })
    }
    this.#timer = getClock().setTimer(this.ms, () => {
      this.#timer = undefined
      this.#expire(new TimeoutError(`timed out after ${this.ms} ms`, this), true)
    })
    let r: unknown
    try {
      r = fn(this)
    } catch (err) {
      if (this.#finish()) this.reject(err)
      return
    }
    if (isGenerator(r)) {
      const gen = r
      r = this.#task = spawn(() => gen, { name: 'withTimeout' })
    }
    if (!isThenable(r)) {
      if (this.#finish()) this.resolve(r as T)
      return
    }
    r.then(
      (v) => {
        if (this.#finish()) this.resolve(v as T)
      },
      (e: unknown) => {
        // After the expiry, a failure is the function giving up on its aborted signal.
        if (this.#expired !== undefined) this.#giveUp()
        else if (this.#finish()) this.reject(e)
      },
    )
  }

  #finish(): boolean {
    if (this.#settled) return false
    this.#settled = true
    this.#timer?.cancel()
    this.#timer = undefined
    if (this.#onAbort !== undefined) this.outer?.removeEventListener('abort', this.#onAbort)
    this.#onAbort = undefined
    return true
  }

  #expire(error: unknown, own: boolean): void {
    if (this.#settled || this.#expired !== undefined) return
    this.#expired = { error, own }
    this.#abortReason = error
    this.#controller?.abort(error)
    // A wait that completed in the same tick as the expiry has its value still travelling through
    // promise callbacks: dropping it would lose what it took (an item from a queue, a permit). It
    // arrives before the next macrotask, so the call gives up only then.
    setImmediate(() => {
      this.#giveUp()
    })
  }

  #giveUp(): void {
    const expired = this.#expired
    if (expired === undefined || !this.#finish()) return
    this.#task?.cancel()
    if (expired.own && this.silent) this.resolve(undefined as T)
    else this.reject(expired.error)
  }
}

interface TimerEntryLike {
  readonly at?: number
}

function deadlineCall<T>(
  ms: number,
  fn: (scope: DeadlineScope) => unknown,
  opts: DeadlineOptions | undefined,
  silent: boolean,
): Promise<T> {
  checkMs('ms', ms)
  if (typeof fn !== 'function') throw typeError('fn', 'a function', fn)
  const call = new DeadlineCall<T>(ms, checkSignal(checkOptions(opts)?.signal), silent)
  const promise = new Promise<T>((resolve, reject) => {
    call.resolve = resolve
    call.reject = reject
  })
  call.start(fn)
  return promise
}

/**
 * Runs `fn` with a time limit: rejects with a `TimeoutError` the moment `ms` have passed, whatever
 * `fn` is doing, and aborts the signal it gave `fn` (asyncio `wait_for`, trio `fail_after`).
 *
 * **Details**: `fn` may be an async function or a generator function; a generator runs as a child
 * task and is killed on expiry. Only this call's own expiry is raised as its error
 * (`err.timeout` is the scope), so nesting is safe: an inner limit never swallows an outer one.
 * **Cancellation**: work that ignores `scope.signal` is abandoned, not stopped.
 * **Throws**: `RangeError` for a bad `ms`; `TimeoutError`; whatever `fn` throws.
 * @example
 * const res = await withTimeout(5000, ({ signal }) => fetch(url, { signal }))
 * @since 0.1.0
 */
export function withTimeout<R>(
  ms: number,
  fn: (scope: DeadlineScope) => R,
  opts?: DeadlineOptions,
): Promise<R extends Generator<unknown, infer T, never> ? T : Awaited<R>> {
  return deadlineCall(ms, fn, opts, false)
}

/**
 * Like `withTimeout`, but resolves `undefined` when its own time is up instead of rejecting
 * (trio `move_on_after`). An outer limit still raises.
 * @example
 * const cached = await moveOnAfter(50, () => cache.get(key)) // undefined if too slow
 * @since 0.1.0
 */
export function moveOnAfter<R>(
  ms: number,
  fn: (scope: DeadlineScope) => R,
  opts?: DeadlineOptions,
): Promise<(R extends Generator<unknown, infer T, never> ? T : Awaited<R>) | undefined> {
  return deadlineCall(ms, fn, opts, true)
}
