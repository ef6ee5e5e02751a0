/**
 * `call(x)`: turns a promise, a future or a function into a verdant `Op`, so a generator task can
 * `yield*` it and an async task can bind it with `ctx.call`.
 *
 * A foreign promise cannot be stopped: when the waiting task is killed, the promise is abandoned,
 * not cancelled; it runs on and its outcome is dropped. Give the work `ctx.signal` to stop it.
 *
 * @module
 */
import { typeError } from '../errors.js'
import { Future, FutureWaitOp } from './future.js'
import { type Abandonable, type Cancel, isThenable, ON_ABANDON, Op, readyOp, type Resume } from './op.js'

class PromiseOp<T> extends Op<T> {
  readonly #source: PromiseLike<T> | (() => T | PromiseLike<T>)
  #abandoned = false
  #onAbandon: ((reason: unknown) => void) | undefined = undefined
  constructor(source: PromiseLike<T> | (() => T | PromiseLike<T>)) {
    super()
    this.#source = source
  }

  _start(resume: Resume<T>): Cancel | undefined {
    let value: T | PromiseLike<T>
    const source = this.#source
    if (typeof source === 'function') {
      try {
        value = source()
      } catch (err) {
        resume(false, err)
        return undefined
      }
    } else {
      value = source
    }
    if (!isThenable(value)) {
      resume(true, value)
      return undefined
    }
    this.#abandoned = false
    const hook = (value as Abandonable)[ON_ABANDON]
    this.#onAbandon = typeof hook === 'function' ? hook : undefined
    value.then(
      (v) => {
        if (!this.#abandoned) resume(true, v)
      },
      (e: unknown) => {
        if (!this.#abandoned) resume(false, e)
      },
    )
    return this
  }

  /** @internal What a task parked on it waits on. */
  _waitsOn(): string {
    return 'a promise'
  }

  /** Abandons the promise: it runs on, its outcome is dropped, unless it says how to stop. */
  cancel(reason?: unknown): void {
    this.#abandoned = true
    const hook = this.#onAbandon
    this.#onAbandon = undefined
    hook?.(reason)
  }
}

/** What `call` and `ctx.call` accept. @internal */
export type Callable<T> = Op<T> | Future<T> | PromiseLike<T> | (() => T | PromiseLike<T>)

/**
 * Wraps a promise, a future, or a function returning either, as an `Op`: `yield* call(p)` in a
 * generator task, `ctx.call(p)` in an async one.
 *
 * **Cancellation**: a promise is abandoned, not stopped: it runs on and its outcome is dropped. A
 * function is called when the op starts, not before.
 * **Throws**: `TypeError` at the call for anything else (a plain value).
 * @example
 * const res = yield* call(fetch(url))
 * @since 0.1.0
 */
export function call<T>(source: Op<T>): Op<T>
export function call<T>(source: Future<T>): Op<T>
export function call<T>(source: PromiseLike<T> | (() => T | PromiseLike<T>)): Op<T>
export function call<T>(source: Callable<T>): Op<T> {
  if (source instanceof Op) return source
  if (source instanceof Future) return new FutureWaitOp<T, T>(source, true, undefined)
  // A plain value is a mistake (a promise not yet made, a function called too early): waiting on
  // it would go on with the value and hide where it came from.
  if (typeof source !== 'function' && !isThenable(source)) {
    throw typeError('source', 'a promise, a future, an Op or a function', source)
  }
  return readyOp<T>(source) ?? new PromiseOp(source)
}
